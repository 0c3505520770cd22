/// How a module is delivered.
public enum ModuleKind: String, Sendable, Codable, CaseIterable {
    /// One person, any time in a gap.
    case online
    /// A team of one unit released together.
    case drill
    /// Fixed sessions with a place and a capacity.
    case classroom
}

/// How much a placed need of a module is worth; the contract's weights (docs/configuration.md).
public enum Priority: String, Sendable, Codable, CaseIterable, Comparable {
    case critical, high, normal, low

    public var weight: Int {
        switch self {
        case .critical: 8
        case .high: 4
        case .normal: 2
        case .low: 1
        }
    }

    public static func < (a: Priority, b: Priority) -> Bool { a.weight < b.weight }
}

/// A fixed classroom session.
public struct ClassSession: Hashable, Sendable, Codable {
    public var start: Instant
    public var location: String
    public var capacity: Int

    public init(start: Instant, location: String, capacity: Int) {
        self.start = start
        self.location = location
        self.capacity = capacity
    }
}

/// A short training item from the catalog.
public struct Module: Hashable, Sendable, Codable {
    public var id: String
    public var title: String
    public var minutes: Int
    public var kind: ModuleKind
    /// Roles that must take it; `*` for all.
    public var roles: [String]
    /// Units whose staff must take it; `*` for all.
    public var units: [String]
    public var priority: Priority
    /// Not planned before this instant.
    public var published: Instant
    public var dueDays: Int?
    public var recurDays: Int?
    public var prerequisites: [String]
    public var url: String?
    public var groupMin: Int?
    public var groupMax: Int?
    public var sessions: [ClassSession]
    /// Spaced reinforcement: a booster this many days after each completion (e.g. `[8, 16]`).
    public var reinforceDays: [Int] = []
    /// How long a booster takes.
    public var reinforceMinutes: Int = 3
    /// How much a placed booster is worth.
    public var reinforcePriority: Priority = .low
    /// A recertification may be renewed this many days before it lapses (only with `recurDays`).
    public var renewWindowDays: Int = 30

    /// The renewal window in force: `renewWindowDays`, but always shorter than `recurDays`, so a
    /// completion holds for at least a day before its renewal opens (the catalog refuses a longer
    /// window it is given and defaults to `min(30, recur_days - 1)`; a module built otherwise,
    /// for example by an educator's form or a test, keeps the same rule).
    public var renewalWindowDays: Int? {
        recurDays.map { min(renewWindowDays, max(0, $0 - 1)) }
    }

    public init(id: String, title: String, minutes: Int, kind: ModuleKind = .online,
                roles: [String], units: [String] = ["*"], priority: Priority = .normal,
                published: Instant, dueDays: Int? = nil, recurDays: Int? = nil,
                prerequisites: [String] = [], url: String? = nil,
                groupMin: Int? = nil, groupMax: Int? = nil, sessions: [ClassSession] = []) {
        self.id = id
        self.title = title
        self.minutes = minutes
        self.kind = kind
        self.roles = roles
        self.units = units
        self.priority = priority
        self.published = published
        self.dueDays = dueDays
        self.recurDays = recurDays
        self.prerequisites = prerequisites
        self.url = url
        self.groupMin = groupMin
        self.groupMax = groupMax
        self.sessions = sessions
    }

    public func isEligible(role: String, unit: String) -> Bool {
        (roles.contains("*") || roles.contains(role)) && (units.contains("*") || units.contains(unit))
    }
}

extension Module {
    /// When a drill team must be confirmed: half the unit's notify lead before its start. A drill
    /// member's `assignment.scheduled` expires then rather than at the start, and a re-plan from
    /// then on counts only members whose message some endpoint accepted; a team left below its
    /// minimum is cancelled whole while the others can still be told (SPEC: a group below
    /// `group_min` is cancelled whole). Otherwise a member told at the last minute could go to
    /// a drill whose teammate's message never arrived.
    public static func teamConfirmedBy(start: Instant, leadMinutes: Int) -> Instant {
        start.adding(seconds: -Int64(leadMinutes) * 30)
    }
}
