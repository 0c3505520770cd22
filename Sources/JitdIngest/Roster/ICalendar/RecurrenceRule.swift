import JitdCore

/// A parsed `RRULE` value (RFC 5545 §3.3.10), checked against the RFC's constraints between parts.
///
/// Weekdays are ISO numbers, 1 = Monday … 7 = Sunday, so that they line up with ``CivilDate/isoWeekday(days:)``.
/// An empty `by…` list means the part is absent.
struct RecurrenceRule: Hashable, Sendable {
    enum Frequency: Int, Comparable, Sendable, CaseIterable {
        case secondly, minutely, hourly, daily, weekly, monthly, yearly

        static func < (a: Frequency, b: Frequency) -> Bool { a.rawValue < b.rawValue }

        var name: String {
            switch self {
            case .secondly: "SECONDLY"
            case .minutely: "MINUTELY"
            case .hourly: "HOURLY"
            case .daily: "DAILY"
            case .weekly: "WEEKLY"
            case .monthly: "MONTHLY"
            case .yearly: "YEARLY"
            }
        }
    }

    /// A BYDAY entry such as `MO`, `2MO` or `-1SA`.
    struct WeekdayNum: Hashable, Sendable {
        /// The n-th (negative: from the end) such weekday of the month or year; nil means every one.
        var ordinal: Int?
        var weekday: Int
    }

    var frequency: Frequency
    var interval = 1
    var count: Int?
    var until: ICalTimeValue?
    var weekStart = 1
    var bySecond: [Int] = []
    var byMinute: [Int] = []
    var byHour: [Int] = []
    var byDay: [WeekdayNum] = []
    var byMonthDay: [Int] = []
    var byYearDay: [Int] = []
    var byWeekNo: [Int] = []
    var byMonth: [Int] = []
    var bySetPos: [Int] = []

    static let weekdayNames = ["MO": 1, "TU": 2, "WE": 3, "TH": 4, "FR": 5, "SA": 6, "SU": 7]

    /// Parses `FREQ=WEEKLY;BYDAY=MO,WE;…`, rejecting unknown parts and combinations the RFC forbids.
    static func parse(_ text: String) throws(ICalValueError) -> RecurrenceRule {
        var parts: [String: String] = [:]
        for piece in text.icalTrimmed.split(separator: ";") where !piece.isEmpty {
            let kv = piece.split(separator: "=", maxSplits: 1).map { String($0).icalTrimmed }
            guard kv.count == 2, !kv[1].isEmpty else {
                throw ICalValueError("RRULE part \(Brief.quoted(piece)) must be NAME=VALUE, e.g. FREQ=WEEKLY")
            }
            let key = kv[0].uppercased()
            guard parts[key] == nil else { throw ICalValueError("RRULE gives \(key) twice; keep one") }
            parts[key] = kv[1]
        }
        var rule = try RecurrenceRule(frequency: frequency(parts.removeValue(forKey: "FREQ")))
        for (key, value) in parts.sorted(by: { $0.key < $1.key }) {
            try rule.apply(key, value)
        }
        try rule.validate()
        return rule
    }

    private static func frequency(_ value: String?) throws(ICalValueError) -> Frequency {
        guard let value else { throw ICalValueError("RRULE has no FREQ; add one, e.g. FREQ=WEEKLY") }
        guard let f = Frequency.allCases.first(where: { $0.name == value.uppercased() }) else {
            throw ICalValueError("RRULE FREQ=\(value) is unknown; use SECONDLY, MINUTELY, HOURLY, DAILY, WEEKLY, MONTHLY or YEARLY")
        }
        return f
    }

    private mutating func apply(_ key: String, _ value: String) throws(ICalValueError) {
        switch key {
        case "INTERVAL": interval = try Self.number(value, key, 1...1_000_000)
        case "COUNT": count = try Self.number(value, key, 1...100_000_000)
        case "UNTIL": until = try Self.untilValue(value)
        case "WKST": weekStart = try Self.weekday(value, key)
        case "BYSECOND": bySecond = try Self.list(value, key, 0...59, signed: false)
        case "BYMINUTE": byMinute = try Self.list(value, key, 0...59, signed: false)
        case "BYHOUR": byHour = try Self.list(value, key, 0...23, signed: false)
        case "BYDAY": byDay = try value.split(separator: ",").map { (d) throws(ICalValueError) in try Self.weekdayNum(String(d)) }
        case "BYMONTHDAY": byMonthDay = try Self.list(value, key, 1...31, signed: true)
        case "BYYEARDAY": byYearDay = try Self.list(value, key, 1...366, signed: true)
        case "BYWEEKNO": byWeekNo = try Self.list(value, key, 1...53, signed: true)
        case "BYMONTH": byMonth = try Self.list(value, key, 1...12, signed: false)
        case "BYSETPOS": bySetPos = try Self.list(value, key, 1...366, signed: true)
        default:
            throw ICalValueError("RRULE part \(key) is not supported; use the RFC 5545 parts (FREQ, INTERVAL, COUNT, UNTIL, WKST, BYxxx)")
        }
    }

    /// The RFC 5545 §3.3.10 rules about which parts may appear together.
    private func validate() throws(ICalValueError) {
        let f = frequency.name
        if count != nil, until != nil { throw ICalValueError("RRULE has both COUNT and UNTIL; keep only one") }
        if byDay.contains(where: { $0.ordinal != nil }) {
            guard frequency == .monthly || frequency == .yearly else {
                throw ICalValueError("RRULE BYDAY with a number (e.g. 2MO) needs FREQ=MONTHLY or YEARLY, not \(f); drop the number")
            }
            guard byWeekNo.isEmpty else { throw ICalValueError("RRULE BYDAY with a number cannot be combined with BYWEEKNO; drop the number") }
        }
        if !byMonthDay.isEmpty, frequency == .weekly {
            throw ICalValueError("RRULE BYMONTHDAY cannot be used with FREQ=WEEKLY; use BYDAY or FREQ=MONTHLY")
        }
        if !byYearDay.isEmpty, [.daily, .weekly, .monthly].contains(frequency) {
            throw ICalValueError("RRULE BYYEARDAY cannot be used with FREQ=\(f); use FREQ=YEARLY (or an hourly or finer one)")
        }
        if !byWeekNo.isEmpty, frequency != .yearly {
            throw ICalValueError("RRULE BYWEEKNO needs FREQ=YEARLY, not \(f)")
        }
        let others = [bySecond, byMinute, byHour, byMonthDay, byYearDay, byWeekNo, byMonth].contains { !$0.isEmpty } || !byDay.isEmpty
        if !bySetPos.isEmpty, !others {
            throw ICalValueError("RRULE BYSETPOS picks among the instances of other BYxxx parts; add one (e.g. BYDAY=MO,TU,WE,TH,FR)")
        }
    }

    private static func number(_ value: String, _ key: String, _ range: ClosedRange<Int>) throws(ICalValueError) -> Int {
        guard let n = Int(value), range.contains(n) else {
            throw ICalValueError("RRULE \(key)=\(value) must be a whole number from \(range.lowerBound) to \(range.upperBound)")
        }
        return n
    }

    private static func list(_ value: String, _ key: String, _ range: ClosedRange<Int>, signed: Bool) throws(ICalValueError) -> [Int] {
        var result: [Int] = []
        for item in value.split(separator: ",", omittingEmptySubsequences: false) {
            let text = item.hasPrefix("+") ? String(item.dropFirst()) : String(item)
            guard let n = Int(text), range.contains(abs(n)), signed || n >= 0 else {
                let allowed = signed ? "±\(range.lowerBound)…\(range.upperBound)" : "\(range.lowerBound)…\(range.upperBound)"
                throw ICalValueError("RRULE \(key) value \(Brief.quoted(item)) is out of range; use \(allowed)")
            }
            result.append(n)
        }
        return Array(Set(result)).sorted()
    }

    private static func weekday(_ value: String, _ key: String) throws(ICalValueError) -> Int {
        guard let d = weekdayNames[value.uppercased()] else {
            throw ICalValueError("RRULE \(key)=\(value) is not a weekday; use MO, TU, WE, TH, FR, SA or SU")
        }
        return d
    }

    private static func weekdayNum(_ text: String) throws(ICalValueError) -> WeekdayNum {
        let t = text.icalTrimmed.uppercased()
        guard t.count >= 2, let day = weekdayNames[String(t.suffix(2))] else {
            throw ICalValueError("RRULE BYDAY value \(Brief.quoted(text)) must be a weekday (MO…SU), optionally with a position such as 2MO or -1SA")
        }
        let prefix = String(t.dropLast(2))
        if prefix.isEmpty { return WeekdayNum(ordinal: nil, weekday: day) }
        let digits = prefix.hasPrefix("+") ? String(prefix.dropFirst()) : prefix
        guard let n = Int(digits), n != 0, abs(n) <= 53 else {
            throw ICalValueError("RRULE BYDAY value \(Brief.quoted(text)) has a bad position; use 1…53 or -1…-53 before the weekday")
        }
        return WeekdayNum(ordinal: n, weekday: day)
    }

    private static func untilValue(_ value: String) throws(ICalValueError) -> ICalTimeValue {
        if value.count == 8 { return .date(try ICalTimeParser.date(value, property: "RRULE UNTIL")) }
        let (local, isUTC) = try ICalTimeParser.dateTime(value, property: "RRULE UNTIL")
        return .dateTime(local, isUTC ? .utc : .floating)
    }
}

/// How an UNTIL bound compares with candidate instances on DTSTART's wall clock.
enum RecurrenceUntil {
    /// A test telling whether a wall-clock candidate (naive seconds) lies beyond UNTIL.
    ///
    /// A UTC UNTIL compares instants (converted with `instantOf`); a local or DATE UNTIL compares
    /// wall-clock times, a DATE including its whole day.
    static func test(_ until: ICalTimeValue?, instantOf: @escaping (Int64) -> Instant) -> (Int64) -> Bool {
        switch until {
        case nil:
            return { _ in false }
        case .date(let day)?:
            let last = day.naiveSeconds + 86_399
            return { $0 > last }
        case .dateTime(let local, .utc)?:
            let limit = Instant(seconds: local.naiveSeconds)
            return { instantOf($0) > limit }
        case .dateTime(let local, _)?:
            let limit = local.naiveSeconds
            return { $0 > limit }
        }
    }
}
