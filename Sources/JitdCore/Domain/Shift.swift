/// Whether a roster entry is a working shift or a block inside one when the person cannot train.
public enum ShiftKind: String, Sendable, Codable, CaseIterable {
    case shift
    case busy
}

/// A staff member on a unit, in a role, for a span of time — or a busy block inside such a span.
public struct Shift: Hashable, Sendable, Codable {
    public var staffID: String
    public var role: String
    public var unit: String
    public var kind: ShiftKind
    public var interval: Interval
    /// The person's display name, when the roster gives one. Never sent in webhooks unless configured.
    public var name: String?

    public init(staffID: String, role: String, unit: String, kind: ShiftKind = .shift,
                interval: Interval, name: String? = nil) {
        self.staffID = staffID
        self.role = role
        self.unit = unit
        self.kind = kind
        self.interval = interval
        self.name = name
    }

    /// A stable order for deterministic output.
    public static func canonicalOrder(_ a: Shift, _ b: Shift) -> Bool {
        (a.unit, a.interval.start.seconds, a.staffID, a.role, a.kind.rawValue, a.interval.end.seconds)
            < (b.unit, b.interval.start.seconds, b.staffID, b.role, b.kind.rawValue, b.interval.end.seconds)
    }
}

/// A recorded completion of a module by a person.
public struct Completion: Hashable, Sendable, Codable {
    public var staffID: String
    public var moduleID: String
    public var completedAt: Instant

    public init(staffID: String, moduleID: String, completedAt: Instant) {
        self.staffID = staffID
        self.moduleID = moduleID
        self.completedAt = completedAt
    }
}
