/// The planning rules of `[policy]` in the config, in minutes as SPEC writes them.
public struct Policy: Hashable, Sendable, Codable {
    public var slotMinutes = 5
    public var horizonHours = 48
    public var handoverBufferMinutes = 30
    public var maxTrainingMinutesPerShift = 30
    public var maxSessionsPerShift = 2
    public var minMinutesBetweenSessions = 60
    public var notifyLeadMinutes = 10
    public var replanIntervalMinutes = 5
    /// A notified or acknowledged session that ended without a completion is `missed` this long
    /// after its end, and its need is placed again.
    public var missedAfterMinutes = 120

    public init() {}
}

/// A care unit's own settings: its time zone.
public struct CareUnit: Hashable, Sendable {
    public var name: String
    public var zone: Zone

    public init(name: String, zone: Zone) {
        self.name = name
        self.zone = zone
    }
}
