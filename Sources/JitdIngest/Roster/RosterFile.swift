import JitdCore

/// One shift or busy block read from a roster file, with the line it came from.
public struct RosterEntry: Hashable, Sendable {
    public var shift: Shift
    public var line: Int

    public init(shift: Shift, line: Int) {
        self.shift = shift
        self.line = line
    }
}

/// The zone of each unit: its own when configured, else the site's.
public struct UnitZones: Sendable {
    public var site: Zone
    public var units: [String: Zone]

    public init(site: Zone = .utc, units: [String: Zone] = [:]) {
        self.site = site
        self.units = units
    }

    public func zone(of unit: String) -> Zone { units.isEmpty ? site : units[unit] ?? site }
}

/// What a roster parser needs besides the text.
public struct RosterContext: Sendable {
    public var zones: UnitZones
    /// Recurring events are expanded only inside this window.
    public var window: Interval
    /// The time the file is read at, when it matters: completions dated more than a day after it
    /// are refused (a typo in the year, a clock gone wrong), since they would hold for years.
    public var now: Instant?

    public init(zones: UnitZones, window: Interval, now: Instant? = nil) {
        self.zones = zones
        self.window = window
        self.now = now
    }
}
