import Foundation
import Synchronization

/// A wall-clock date and time with no zone, as schedulers write it in a roster.
public struct LocalDateTime: Hashable, Comparable, Sendable {
    public var year: Int, month: Int, day: Int
    public var hour: Int, minute: Int, second: Int

    public init(year: Int, month: Int, day: Int, hour: Int = 0, minute: Int = 0, second: Int = 0) {
        (self.year, self.month, self.day) = (year, month, day)
        (self.hour, self.minute, self.second) = (hour, minute, second)
    }

    /// Seconds since 1970-01-01T00:00 on a clock with no zone.
    public var naiveSeconds: Int64 {
        CivilDate.days(year: year, month: month, day: day) * 86_400
            + Int64(hour * 3600 + minute * 60 + second)
    }

    public init(naiveSeconds s: Int64) {
        let days = floorDiv(s, 86_400)
        let sod = Int(s - days * 86_400)
        let (y, m, d) = CivilDate.fromDays(days)
        self.init(year: y, month: m, day: d, hour: sod / 3600, minute: sod / 60 % 60, second: sod % 60)
    }

    public static func < (a: LocalDateTime, b: LocalDateTime) -> Bool { a.naiveSeconds < b.naiveSeconds }

    public var isValid: Bool {
        CivilDate.isValid(year: year, month: month, day: day)
            && (0...23).contains(hour) && (0...59).contains(minute) && (0...60).contains(second)
    }

    public var description: String {
        TimeText.iso(year: year, month: month, day: day, time: (hour, minute, second))
    }
}

/// Why a local time cannot become an instant.
public enum LocalTimeError: Error, Equatable, Sendable {
    /// The clock skips this time (spring forward) in the zone.
    case nonexistent(LocalDateTime, zone: String)
}

/// A named IANA time zone that converts between instants and wall-clock times.
///
/// Conversions follow DESIGN.md: a nonexistent local time is an error; an ambiguous
/// one (the repeated hour in autumn) takes the earlier instant.
public struct Zone: Hashable, Sendable {
    public let identifier: String
    private let tz: TimeZone
    private let hours = HourOffsets()

    public init?(_ identifier: String) {
        guard let tz = TimeZone(identifier: identifier) else { return nil }
        self.identifier = identifier
        self.tz = tz
    }

    public static let utc = Zone("UTC")!

    public static func == (a: Zone, b: Zone) -> Bool { a.identifier == b.identifier }
    public func hash(into h: inout Hasher) { h.combine(identifier) }

    /// Offset from UTC in seconds at an instant. Remembered per UTC hour when it is the same at
    /// both ends of the hour (an offset that changed and changed back within one hour would be
    /// missed; no zone does that), since asking Foundation costs a lock and an ICU call, and a
    /// million-row roster asks a few million times.
    public func offset(at t: Instant) -> Int64 {
        let hour = t.seconds >= 0 ? t.seconds / 3600 : (t.seconds - 3599) / 3600
        if let cached = hours[hour] { return cached }
        let first = foundationOffset(hour * 3600), last = foundationOffset(hour * 3600 + 3599)
        if first == last { hours[hour] = first }
        return foundationOffset(t.seconds)
    }

    private func foundationOffset(_ seconds: Int64) -> Int64 {
        Int64(tz.secondsFromGMT(for: Date(timeIntervalSince1970: TimeInterval(seconds))))
    }

    public func local(_ t: Instant) -> LocalDateTime {
        LocalDateTime(naiveSeconds: t.seconds + offset(at: t))
    }

    /// The instants around `t` that share its local date: the whole local day when the offset is
    /// the same from its first second to its last, else only `t`'s own second (a day with a
    /// change of offset is rare enough to be asked about one instant at a time).
    public func sameDateSpan(_ t: Instant) -> Interval {
        let o = offset(at: t)
        let from = t.seconds - ((t.seconds + o) - floorDiv(t.seconds + o, 86_400) * 86_400)
        guard offset(at: Instant(seconds: from)) == o, offset(at: Instant(seconds: from + 86_399)) == o else {
            return Interval(start: t, end: t.adding(seconds: 1))
        }
        return Interval(start: Instant(seconds: from), end: Instant(seconds: from + 86_400))
    }

    public func instant(_ local: LocalDateTime) throws(LocalTimeError) -> Instant {
        let naive = local.naiveSeconds
        // Offsets in force a day and a half either side bracket every candidate; the earliest
        // instant whose own offset gives back this wall-clock time wins. (No collections: this
        // runs twice a roster row.)
        let a = offset(at: Instant(seconds: naive - 129_600)), b = offset(at: Instant(seconds: naive + 129_600))
        let c = offset(at: Instant(seconds: naive))
        var earliest: Int64? = nil
        for (o, fresh) in [(a, true), (b, b != a), (c, c != a && c != b)] where fresh {
            let t = naive - o
            if offset(at: Instant(seconds: t)) == o { earliest = min(earliest ?? t, t) }
        }
        guard let earliest else {
            throw .nonexistent(local, zone: identifier)
        }
        return Instant(seconds: earliest)
    }
}

/// A zone's offsets by UTC hour, shared by the copies of a `Zone`; bounded, cleared when full.
final class HourOffsets: Sendable {
    private let offsets = Mutex<[Int64: Int64]>([:])
    static let capacity = 200_000

    subscript(hour: Int64) -> Int64? {
        get { offsets.withLock { $0[hour] } }
        set {
            offsets.withLock { o in
                if o.count >= Self.capacity { o.removeAll(keepingCapacity: true) }
                o[hour] = newValue
            }
        }
    }
}
