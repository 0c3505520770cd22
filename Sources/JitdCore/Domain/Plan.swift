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

/// Training minutes given, by the type of shift they fell in, and the shift time they were given
/// in: access is compared per shift hour, since a group that works more hours inside the horizon
/// has more time in which to train.
public struct FairnessStats: Hashable, Sendable {
    public struct Bucket: Hashable, Sendable {
        public var people = 0
        public var minutes = 0
        /// Minutes of these shifts inside the horizon.
        public var shiftMinutes = 0
        public var minutesPerPerson: Double { people == 0 ? 0 : Double(minutes) / Double(people) }
        /// Training minutes per hour on shift.
        public var minutesPerShiftHour: Double { shiftMinutes == 0 ? 0 : Double(minutes) * 60 / Double(shiftMinutes) }
    }
    public var day = Bucket()
    public var night = Bucket()
    public var weekend = Bucket()

    /// Night shifts' training minutes per shift hour over day shifts' (1 is even); `nil` when either has no shift time.
    public var nightToDay: Double? { Self.ratio(night, day) }

    /// Weekend shifts' training minutes per shift hour over weekday (day and night) shifts'; `nil` when either has no shift time.
    public var weekendToWeekday: Double? {
        Self.ratio(weekend, Bucket(people: 0, minutes: day.minutes + night.minutes, shiftMinutes: day.shiftMinutes + night.shiftMinutes))
    }

    static func ratio(_ a: Bucket, _ b: Bucket) -> Double? {
        guard a.shiftMinutes > 0, b.shiftMinutes > 0 else { return nil }
        if b.minutes == 0 { return a.minutes == 0 ? 1 : nil } // nobody trained: even; only one side: no finite ratio
        return a.minutesPerShiftHour / b.minutesPerShiftHour
    }
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
