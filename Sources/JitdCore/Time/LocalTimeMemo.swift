/// Turns local times into instants like ``Zone/instant(_:)``, remembering a stretch of days over
/// which the zone's offset holds steady: the rows of a roster fall on a few neighbouring dates,
/// and asking the zone costs several offset lookups a time (a lock and a hash each).
///
/// Gives the same instant as ``Zone/instant(_:)`` for every local time: a time is answered from
/// the memo only when every instant that method would look at lies inside the steady stretch.
/// Not shared between threads: each reader of a file keeps its own.
public struct LocalTimeMemo: Sendable {
    private let enabled: Bool
    private var zoneID = "", from: Int64 = 0, to: Int64 = 0, offset: Int64 = 0

    /// How far the zone's offset is followed either side of a time not yet covered.
    static let reach: Int64 = 10 * 86_400
    /// What ``Zone/instant(_:)`` looks at either side of a candidate: a day and a half, plus the
    /// largest offset there is (14 h), since it also reads the local time as an instant.
    static let margin: Int64 = 129_600 + 14 * 3600

    /// A memo that remembers; ``off`` for one-off conversions, where following the offset for
    /// days would cost more than it saves.
    public init() { enabled = true }
    private init(enabled: Bool) { self.enabled = enabled }
    public static var off: LocalTimeMemo { LocalTimeMemo(enabled: false) }

    public mutating func instant(_ local: LocalDateTime, in zone: Zone) throws(LocalTimeError) -> Instant {
        guard enabled else { return try zone.instant(local) }
        let naive = local.naiveSeconds
        if let t = cached(naive, zone) { return t }
        learn(around: naive, zone)
        if let t = cached(naive, zone) { return t }
        return try zone.instant(local)
    }

    private func cached(_ naive: Int64, _ zone: Zone) -> Instant? {
        let t = naive - offset
        guard zoneID == zone.identifier, t - Self.margin >= from, t + Self.margin < to else { return nil }
        return Instant(seconds: t)
    }

    /// The stretch of whole UTC hours around `naive` (read as an instant) with one offset.
    private mutating func learn(around naive: Int64, _ zone: Zone) {
        let hour = floorDiv(naive, 3600)
        let o = zone.offset(at: Instant(seconds: hour * 3600))
        func steady(_ h: Int64) -> Bool {
            zone.offset(at: Instant(seconds: h * 3600)) == o && zone.offset(at: Instant(seconds: h * 3600 + 3599)) == o
        }
        var first = hour, last = hour
        let hours = Self.reach / 3600
        guard steady(hour) else { zoneID = ""; return }
        while first > hour - hours, steady(first - 1) { first -= 1 }
        while last < hour + hours, steady(last + 1) { last += 1 }
        (zoneID, from, to, offset) = (zone.identifier, first * 3600, (last + 1) * 3600, o)
    }
}
