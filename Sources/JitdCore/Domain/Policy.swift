/// The planning rules of `[policy]` in the config, in minutes as docs/configuration.md writes them.
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

    /// The keys a `[[unit]]` table may set for that unit alone, as they are named in the config.
    public static let unitKeys = ["handover_buffer_minutes", "max_training_minutes_per_shift", "max_sessions_per_shift",
                                  "min_minutes_between_sessions", "notify_lead_minutes"]
}

/// A care unit's own settings: its time zone and, when its `[[unit]]` table overrides any
/// `[policy]` key, the policy in force there.
public struct CareUnit: Hashable, Sendable {
    public var name: String
    public var zone: Zone
    /// `nil` when the unit follows `[policy]` alone.
    public var policy: Policy?

    public init(name: String, zone: Zone, policy: Policy? = nil) {
        self.name = name
        self.zone = zone
        self.policy = policy
    }
}
