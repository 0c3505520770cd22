/// Turns local times into instants like ``Zone/instant(_:)``, remembering a stretch of days over
/// which the zone's offset holds steady: the rows of a roster fall on a few neighbouring dates,
/// and asking the zone costs several offset lookups a time (a lock and a hash each).
///
/// Gives the same instant as ``Zone/instant(_:)`` for every local time: a time is answered from
/// the memo only when every instant that method would look at lies inside the steady stretch.
/// Not shared between threads: each reader of a file keeps its own.
public struct LocalTimeMemo: Sendable {
    /// UTC hours `from..<to` (in seconds) over which `zone` keeps `offset`.
    struct Stretch: Sendable {
        var zoneID: String, from: Int64, to: Int64, offset: Int64

        /// The instant of `naive`, when everything ``Zone/instant(_:)`` would look at lies inside.
        func instant(_ naive: Int64, _ zone: Zone) -> Instant? {
            let t = naive - offset
            guard zoneID == zone.identifier, t - LocalTimeMemo.margin >= from, t + LocalTimeMemo.margin < to else { return nil }
            return Instant(seconds: t)
        }

        /// Whether `naive` falls inside (if maybe too near an edge to be answered).
        func holds(_ naive: Int64, _ zone: Zone) -> Bool {
            zoneID == zone.identifier && naive - offset >= from && naive - offset < to
        }
    }

    private let enabled: Bool
    /// The stretches learnt, the newest last: rows that straddle a change of offset use both
    /// sides, and a file whose dates jump about (completions from an LMS, a roster sorted by
    /// person) finds a year's worth here instead of learning one again for every row.
    private var stretches: [Stretch] = []
    /// How many stretches are kept (each at most ``reach`` either side of where it was learnt:
    /// 32 cover more than a year).
    static let capacity = 32
    /// How many stretches were learnt so far (for tests of the memo's use).
    private(set) var learnt = 0

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
        for s in stretches.reversed() { if let t = s.instant(naive, zone) { return t } }
        // Inside a stretch yet unanswered: near a change of offset, where the zone decides.
        if !stretches.contains(where: { $0.holds(naive, zone) }), let s = Self.learn(around: naive, zone) {
            if stretches.count == Self.capacity { stretches.removeFirst() }
            learnt += 1
            stretches.append(s)
            if let t = s.instant(naive, zone) { return t }
        }
        return try zone.instant(local)
    }

    /// The stretch of whole UTC hours around `naive` (read as an instant) with one offset.
    static func learn(around naive: Int64, _ zone: Zone) -> Stretch? {
        let hour = floorDiv(naive, 3600)
        let o = zone.offset(at: Instant(seconds: hour * 3600))
        func steady(_ h: Int64) -> Bool {
            zone.offset(at: Instant(seconds: h * 3600)) == o && zone.offset(at: Instant(seconds: h * 3600 + 3599)) == o
        }
        guard steady(hour) else { return nil }
        var first = hour, last = hour
        let hours = reach / 3600
        while first > hour - hours, steady(first - 1) { first -= 1 }
        while last < hour + hours, steady(last + 1) { last += 1 }
        return Stretch(zoneID: zone.identifier, from: first * 3600, to: (last + 1) * 3600, offset: o)
    }
}
