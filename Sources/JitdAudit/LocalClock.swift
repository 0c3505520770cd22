import Foundation

/// Local wall-clock time in one IANA zone, read from Foundation's `TimeZone` (not from jitd's
/// own zone code, which the audit must not trust). Offsets are cached per stretch between two
/// transitions, since the audit asks about every minute of a month.
final class LocalClock {
    let zone: TimeZone
    /// Stretches `[start, end)` of one offset, found so far.
    private var stretches: [(start: Int64, end: Int64, offset: Int64)] = []
    private var last = 0

    init(_ identifier: String) {
        zone = TimeZone(identifier: identifier) ?? TimeZone(identifier: "UTC")!
    }

    /// Seconds to add to a UTC instant to get local wall-clock seconds.
    func offset(_ t: Int64) -> Int64 {
        if last < stretches.count, stretches[last].start <= t, t < stretches[last].end { return stretches[last].offset }
        if let i = stretches.firstIndex(where: { $0.start <= t && t < $0.end }) {
            last = i
            return stretches[i].offset
        }
        let date = Date(timeIntervalSince1970: TimeInterval(t))
        let offset = Int64(zone.secondsFromGMT(for: date))
        let end = zone.nextDaylightSavingTimeTransition(after: date).map { Int64($0.timeIntervalSince1970) } ?? Int64.max
        stretches.append((t, max(end, t + 1), offset))
        last = stretches.count - 1
        return offset
    }

    /// The local calendar day of `t`, as days since 1970-01-01.
    func day(_ t: Int64) -> Int {
        Int(floorDiv(t + offset(t), 86_400))
    }

    /// Minutes since local midnight.
    func minuteOfDay(_ t: Int64) -> Int {
        let local = t + offset(t)
        return Int((local - floorDiv(local, 86_400) * 86_400) / 60)
    }

    /// The ISO weekday (1 = Monday) of a day number; 1970-01-01 was a Thursday.
    static func weekday(ofDay d: Int) -> Int {
        ((d + 3) % 7 + 7) % 7 + 1
    }

    /// `YYYY-MM-DD` of a day number, for reports.
    static func dayText(_ d: Int) -> String {
        var cal = Calendar(identifier: .gregorian)
        cal.timeZone = TimeZone(identifier: "UTC")!
        let c = cal.dateComponents([.year, .month, .day], from: Date(timeIntervalSince1970: TimeInterval(d) * 86_400))
        return String(format: "%04d-%02d-%02d", c.year!, c.month!, c.day!)
    }

    /// An instant as RFC 3339 UTC, for reports.
    static func text(_ t: Int64) -> String {
        let f = ISO8601DateFormatter()
        f.formatOptions = [.withInternetDateTime]
        return f.string(from: Date(timeIntervalSince1970: TimeInterval(t)))
    }
}

func floorDiv(_ a: Int64, _ b: Int64) -> Int64 {
    let q = a / b
    return (a % b != 0 && (a < 0) != (b < 0)) ? q - 1 : q
}

extension AuditCoverageRule {
    /// Whether the rule is in force at a local minute of a local day, by SPEC's reading: a window
    /// is `[from, to)`; `to < from` wraps past midnight and the part after midnight belongs to the
    /// day the window started (for `days`); `from == to` is the whole day.
    func isActive(minuteOfDay m: Int, day: Int) -> Bool {
        let today = LocalClock.weekday(ofDay: day)
        let yesterday = LocalClock.weekday(ofDay: day - 1)
        func on(_ weekday: Int) -> Bool { days?.contains(weekday) ?? true }
        guard let from, let to else { return on(today) }
        if from < to { return from <= m && m < to && on(today) }
        if m >= from { return on(today) }
        if m < to { return on(yesterday) }
        return false
    }

    func applies(toUnit u: String) -> Bool { unit == "*" || unit == u }
}
