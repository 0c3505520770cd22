/// Why a need was left out of the plan.
public enum UnmetReason: String, Sendable, Codable {
    case noGap = "no_gap"
    case understaffed
    case capacity
    case prerequisite
    case notPublished = "not_published"
}

public struct UnmetNeed: Hashable, Sendable, Codable {
    public var staffID: String
    public var moduleID: String
    public var reason: UnmetReason
}

/// A window in which a unit is below a coverage rule before anyone trains.
public struct UnderstaffedWindow: Hashable, Sendable, Codable {
    public var unit: String
    public var role: String
    public var interval: Interval
    public var shortBy: Int
}

/// An assignment that was promised to a person and can no longer happen.
public struct Cancellation: Hashable, Sendable {
    public var assignment: Assignment
    public var reason: String
}

/// Training minutes given, by the type of shift they fell in.
public struct FairnessStats: Hashable, Sendable {
    public struct Bucket: Hashable, Sendable {
        public var people = 0
        public var minutes = 0
        public var minutesPerPerson: Double { people == 0 ? 0 : Double(minutes) / Double(people) }
    }
    public var day = Bucket()
    public var night = Bucket()
    public var weekend = Bucket()
}

/// What the planner produces: a deterministic function of its input.
public struct Plan: Sendable {
    public var generatedAt: Instant
    public var horizon: Interval
    public var assignments: [Assignment]
    public var unmet: [UnmetNeed]
    public var understaffed: [UnderstaffedWindow]
    public var cancellations: [Cancellation]
    public var needsTotal: Int
    public var weightPlaced: Int
    public var weightTotal: Int
    public var fairness: FairnessStats
}
