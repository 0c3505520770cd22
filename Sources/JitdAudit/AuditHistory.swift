import Foundation

// What the auditor is given: the hospital's rules as the simulation wrote them into the config,
// every roster file that was applied (with its entries as the simulation meant them, and when),
// every catalog in force, every message each receiver got, and the store's final state.
//
// These are plain values of this module: the auditor imports nothing of jitd, so it cannot share
// a line with the planner or with jitd's reading of time zones. Instants are Unix seconds.

/// The rules of `[policy]` that bound training, in minutes, as SPEC names them.
public struct AuditPolicy: Sendable, Hashable, Codable {
    public var slotMinutes = 5
    public var handoverBufferMinutes = 30
    public var maxTrainingMinutesPerShift = 30
    public var maxSessionsPerShift = 2
    public var minMinutesBetweenSessions = 60
    /// Not a hard rule for the audit (retries may arrive later), only counted.
    public var notifyLeadMinutes = 10

    public init() {}
}

/// A care unit: its IANA time zone and the policy in force on it (the site's, or its own overrides).
public struct AuditUnit: Sendable, Hashable, Codable {
    public var name: String
    public var zone: String
    public var policy: AuditPolicy

    public init(name: String, zone: String, policy: AuditPolicy) {
        self.name = name
        self.zone = zone
        self.policy = policy
    }
}

/// A `[[coverage]]` rule as written in the config.
public struct AuditCoverageRule: Sendable, Hashable, Codable {
    /// A unit's name or `*`.
    public var unit: String
    /// A role or `*` (everyone on the unit).
    public var role: String
    public var min: Int
    /// Local minutes after midnight; both or neither.
    public var from: Int?
    public var to: Int?
    /// ISO weekdays, 1 = Monday; `nil` for every day.
    public var days: Set<Int>?

    public init(unit: String, role: String, min: Int, from: Int? = nil, to: Int? = nil, days: Set<Int>? = nil) {
        self.unit = unit
        self.role = role
        self.min = min
        self.from = from
        self.to = to
        self.days = days
    }
}

/// The hospital's fixed setting for the whole period.
public struct AuditHospital: Sendable, Hashable, Codable {
    public var siteZone: String
    /// The site's policy, for units the config does not name.
    public var policy: AuditPolicy
    public var units: [AuditUnit]
    public var coverage: [AuditCoverageRule]

    public init(siteZone: String, policy: AuditPolicy = AuditPolicy(), units: [AuditUnit], coverage: [AuditCoverageRule]) {
        self.siteZone = siteZone
        self.policy = policy
        self.units = units
        self.coverage = coverage
    }
}

/// One line of a roster: a shift or a busy block.
public struct AuditRosterEntry: Sendable, Hashable, Codable {
    public enum Kind: String, Sendable, Codable { case shift, busy }
    public var staff: String
    public var role: String
    public var unit: String
    public var kind: Kind
    public var start: Int64
    public var end: Int64

    public init(staff: String, role: String, unit: String, kind: Kind = .shift, start: Int64, end: Int64) {
        self.staff = staff
        self.role = role
        self.unit = unit
        self.kind = kind
        self.start = start
        self.end = end
    }
}

/// A roster file jitd accepted (or took as the same bytes again), and when.
public struct AuditRosterFile: Sendable, Hashable, Codable {
    public var name: String
    public var appliedAt: Int64
    public var entries: [AuditRosterEntry]

    public init(name: String, appliedAt: Int64, entries: [AuditRosterEntry]) {
        self.name = name
        self.appliedAt = appliedAt
        self.entries = entries
    }
}

/// A module as the catalog in force describes it.
public struct AuditModule: Sendable, Hashable, Codable {
    public enum Kind: String, Sendable, Codable { case online, drill, classroom }
    public struct Session: Sendable, Hashable, Codable {
        public var start: Int64
        public var capacity: Int
        public init(start: Int64, capacity: Int) {
            self.start = start
            self.capacity = capacity
        }
    }
    public var id: String
    public var minutes: Int
    public var kind: Kind
    public var published: Int64
    public var recurDays: Int?
    public var prerequisites: [String]
    public var groupMin: Int?
    public var groupMax: Int?
    public var sessions: [Session]

    public init(id: String, minutes: Int, kind: Kind = .online, published: Int64 = 0, recurDays: Int? = nil,
                prerequisites: [String] = [], groupMin: Int? = nil, groupMax: Int? = nil, sessions: [Session] = []) {
        self.id = id
        self.minutes = minutes
        self.kind = kind
        self.published = published
        self.recurDays = recurDays
        self.prerequisites = prerequisites
        self.groupMin = groupMin
        self.groupMax = groupMax
        self.sessions = sessions
    }
}

/// The catalog put in force at an instant.
public struct AuditCatalog: Sendable, Hashable, Codable {
    public var since: Int64
    public var modules: [AuditModule]

    public init(since: Int64, modules: [AuditModule]) {
        self.since = since
        self.modules = modules
    }
}

/// One message as a receiver got it: a webhook-id, the event type and the body's bytes.
public struct AuditDelivery: Sendable, Hashable, Codable {
    public var endpoint: String
    public var webhookID: String
    public var receivedAt: Int64
    public var type: String
    public var body: Data

    public init(endpoint: String, webhookID: String, receivedAt: Int64, type: String, body: Data) {
        self.endpoint = endpoint
        self.webhookID = webhookID
        self.receivedAt = receivedAt
        self.type = type
        self.body = body
    }
}

/// An assignment as the store holds it at the end.
public struct AuditStoredAssignment: Sendable, Hashable, Codable {
    public var id: String
    public var state: String
    /// When it last changed state.
    public var updatedAt: Int64

    public init(id: String, state: String, updatedAt: Int64) {
        self.id = id
        self.state = state
        self.updatedAt = updatedAt
    }
}

/// A completion the store holds at the end.
public struct AuditCompletion: Sendable, Hashable, Codable {
    public var staff: String
    public var module: String
    public var completedAt: Int64

    public init(staff: String, module: String, completedAt: Int64) {
        self.staff = staff
        self.module = module
        self.completedAt = completedAt
    }
}

/// Everything the auditor replays.
public struct AuditHistory: Sendable, Codable {
    public var hospital: AuditHospital
    /// The audited period, `[from, to)`.
    public var from: Int64
    public var to: Int64
    /// In the order they were applied.
    public var rosterFiles: [AuditRosterFile]
    /// In the order they came into force.
    public var catalogs: [AuditCatalog]
    /// In the order they were received.
    public var deliveries: [AuditDelivery]
    public var assignments: [AuditStoredAssignment]
    public var completions: [AuditCompletion]

    public init(hospital: AuditHospital, from: Int64, to: Int64, rosterFiles: [AuditRosterFile] = [], catalogs: [AuditCatalog] = [],
                deliveries: [AuditDelivery] = [], assignments: [AuditStoredAssignment] = [], completions: [AuditCompletion] = []) {
        self.hospital = hospital
        self.from = from
        self.to = to
        self.rosterFiles = rosterFiles
        self.catalogs = catalogs
        self.deliveries = deliveries
        self.assignments = assignments
        self.completions = completions
    }
}
