import Foundation

/// A point in time: whole seconds since 1970-01-01T00:00:00Z.
///
/// jitd stores and compares instants in UTC only; local times exist at the edges
/// (roster files, coverage windows) and are converted with ``LocalDateTime``.
public struct Instant: Hashable, Comparable, Sendable, Codable {
    public var seconds: Int64

    public init(seconds: Int64) { self.seconds = seconds }

    public static func < (a: Instant, b: Instant) -> Bool { a.seconds < b.seconds }

    public func adding(seconds delta: Int64) -> Instant { Instant(seconds: seconds + delta) }
    public func adding(minutes: Int) -> Instant { adding(seconds: Int64(minutes) * 60) }

    /// The instant rounded down to a multiple of `step` seconds (aligned to the epoch, hence to the UTC hour).
    public func floored(to step: Int64) -> Instant {
        Instant(seconds: seconds - ((seconds % step) + step) % step)
    }

    /// The instant rounded up to a multiple of `step` seconds.
    public func ceiled(to step: Int64) -> Instant {
        let f = floored(to: step)
        return f == self ? f : f.adding(seconds: step)
    }

    /// RFC 3339 in UTC with a `Z`, e.g. `2026-11-24T12:00:00Z`.
    public var rfc3339: String {
        let days = Int64(floorDiv(seconds, 86_400))
        let secOfDay = Int(seconds - days * 86_400)
        let (y, m, d) = CivilDate.fromDays(days)
        return TimeText.iso(year: y, month: m, day: d, time: (secOfDay / 3600, secOfDay / 60 % 60, secOfDay % 60), utc: true)
    }
}

/// A half-open span of time `[start, end)`.
public struct Interval: Hashable, Comparable, Sendable, Codable {
    public var start: Instant
    public var end: Instant

    public init(start: Instant, end: Instant) {
        self.start = start
        self.end = end
    }

    public var seconds: Int64 { end.seconds - start.seconds }
    public var isEmpty: Bool { end <= start }

    public func contains(_ t: Instant) -> Bool { start <= t && t < end }
    public func contains(_ other: Interval) -> Bool { start <= other.start && other.end <= end }
    public func overlaps(_ other: Interval) -> Bool { start < other.end && other.start < end }

    public static func < (a: Interval, b: Interval) -> Bool {
        (a.start, a.end) < (b.start, b.end)
    }
}

@inline(__always)
func floorDiv(_ a: Int64, _ b: Int64) -> Int64 {
    let q = a / b
    return (a % b != 0 && (a < 0) != (b < 0)) ? q - 1 : q
}


extension Instant {
    /// Parses RFC 3339 with an explicit offset or `Z`: `2026-11-24T12:00:00Z`, `2026-11-24T07:00-05:00`
    /// (seconds and fractions optional; fractions are dropped).
    public init?(rfc3339 text: String) {
        let s = Array(text.utf8)
        func num(_ a: Int, _ n: Int) -> Int? {
            guard a + n <= s.count else { return nil }
            var v = 0
            for i in a..<a + n {
                guard (48...57).contains(s[i]) else { return nil }
                v = v * 10 + Int(s[i] - 48)
            }
            return v
        }
        guard s.count >= 17, let y = num(0, 4), s[4] == 45, let mo = num(5, 2), s[7] == 45, let d = num(8, 2),
              s[10] == 84 || s[10] == 116 || s[10] == 32, let h = num(11, 2), s[13] == 58, let mi = num(14, 2),
              CivilDate.isValid(year: y, month: mo, day: d), h < 24, mi < 60 else { return nil }
        var i = 16, sec = 0
        if i < s.count, s[i] == 58 {
            guard let v = num(17, 2), v < 61 else { return nil }
            sec = v
            i = 19
            if i < s.count, s[i] == 46 { i += 1; while i < s.count, (48...57).contains(s[i]) { i += 1 } }
        }
        guard i < s.count else { return nil }
        var offset = 0
        if s[i] == 90 || s[i] == 122 {
            guard i + 1 == s.count else { return nil }
        } else if s[i] == 43 || s[i] == 45 {
            guard let oh = num(i + 1, 2), i + 3 < s.count, s[i + 3] == 58, let om = num(i + 4, 2), i + 6 == s.count else { return nil }
            offset = (oh * 60 + om) * 60 * (s[i] == 45 ? -1 : 1)
        } else { return nil }
        let local = LocalDateTime(year: y, month: mo, day: d, hour: h, minute: mi, second: min(sec, 59))
        self.init(seconds: local.naiveSeconds - Int64(offset))
    }
}
