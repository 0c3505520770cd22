/// The life of an assignment, as docs/integration.md names it.
public enum AssignmentState: String, Sendable, Codable, CaseIterable {
    case planned, notified, acknowledged, completed, declined, expired, missed, cancelled

    /// States in which the person has been told and the time is promised.
    public var isCommitted: Bool { self == .notified || self == .acknowledged }

    /// States that count toward a shift's caps and spacing (docs/integration.md): every session the person was
    /// told of or may hear of, whatever became of it, but declined, expired and cancelled ones.
    public var countsTowardCaps: Bool {
        switch self {
        case .planned, .notified, .acknowledged, .completed, .missed: true
        case .declined, .expired, .cancelled: false
        }
    }

    /// Final states: the assignment will not change again.
    public var isFinal: Bool {
        switch self {
        case .completed, .declined, .expired, .missed, .cancelled: true
        case .planned, .notified, .acknowledged: false
        }
    }
}

/// A person released from their unit for a module at a time.
public struct Assignment: Hashable, Sendable, Codable {
    public var id: String
    public var staffID: String
    public var moduleID: String
    public var unit: String
    public var role: String
    public var interval: Interval
    /// Shared by the members of a drill or a classroom session.
    public var group: String?

    public init(id: String, staffID: String, moduleID: String, unit: String, role: String,
                interval: Interval, group: String? = nil) {
        self.id = id
        self.staffID = staffID
        self.moduleID = moduleID
        self.unit = unit
        self.role = role
        self.interval = interval
        self.group = group
    }

    /// A stable id derived from what the assignment is, so the same plan gives the same ids.
    /// An id in `retired` (an earlier assignment of the same person, module and start that was
    /// cancelled or declined) is not reused: `-2`, `-3`, … follow it.
    /// A drill member's `team` (its group) is part of what it is.
    public static func makeID(staffID: String, moduleID: String, start: Instant, team: String? = nil, retired: Set<String> = []) -> String {
        let what = "\(staffID)\u{1F}\(moduleID)\u{1F}\(start.seconds)" + (team.map { "\u{1F}" + $0 } ?? "")
        let base = "a_" + StableHash.hex(what)
        guard retired.contains(base) else { return base }
        var n = 2
        while retired.contains("\(base)-\(n)") { n += 1 }
        return "\(base)-\(n)"
    }

    public static func canonicalOrder(_ a: Assignment, _ b: Assignment) -> Bool {
        (a.interval.start.seconds, a.unit, a.staffID, a.moduleID) < (b.interval.start.seconds, b.unit, b.staffID, b.moduleID)
    }
}

/// FNV-1a, 64 bits: a deterministic, dependency-free hash for ids (not for security).
public enum StableHash {
    public static func value(_ s: String) -> UInt64 {
        var h: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in s.utf8 {
            h ^= UInt64(byte)
            h = h &* 0x0000_0100_0000_01b3
        }
        return h
    }

    public static func hex(_ s: String) -> String {
        let v = String(value(s), radix: 16)
        return String(repeating: "0", count: 16 - v.count) + v
    }
}
