import JitdCore

/// How a DATE-TIME names its clock (RFC 5545 §3.3.5): UTC, floating, or a `TZID`.
enum ICalTimeReference: Hashable, Sendable {
    case utc
    /// No zone given: jitd reads it on the unit's clock.
    case floating
    case tzid(String)
}

/// A DATE or DATE-TIME value as written, before any clock is applied.
enum ICalTimeValue: Hashable, Sendable {
    /// A whole day; the time fields are midnight.
    case date(LocalDateTime)
    case dateTime(LocalDateTime, ICalTimeReference)

    var local: LocalDateTime {
        switch self {
        case .date(let d), .dateTime(let d, _): d
        }
    }

    var isDate: Bool { if case .date = self { true } else { false } }
}

/// A DURATION (RFC 5545 §3.3.6).
///
/// Days and weeks are nominal (a day is the same wall-clock time the next day, even over a DST
/// change) while hours, minutes and seconds are exact, as the RFC requires.
struct ICalDuration: Hashable, Sendable {
    var days: Int
    var seconds: Int64

    var isPositive: Bool { days > 0 || (days == 0 && seconds > 0) }

    /// Parses `[+|-]P[nW][nD][T[nH][nM][nS]]`.
    static func parse(_ text: String) throws(ICalValueError) -> ICalDuration {
        var chars = Substring(text.icalTrimmed.uppercased())
        let sign: Int64 = chars.first == "-" ? -1 : 1
        if chars.first == "-" || chars.first == "+" { chars.removeFirst() }
        guard chars.first == "P", chars.count > 1 else { throw invalid(text) }
        chars.removeFirst()
        var days: Int64 = 0, seconds: Int64 = 0, inTime = false, number = "", sawPart = false, sawTimePart = false
        for ch in chars {
            if ch.isASCII, ch.isNumber { number.append(ch); continue }
            if ch == "T" {
                guard number.isEmpty, !inTime else { throw invalid(text) }
                inTime = true
                continue
            }
            guard let n = Int64(number), n <= 100_000_000 else { throw invalid(text) }
            switch (ch, inTime) {
            case ("W", false): days += 7 * n
            case ("D", false): days += n
            case ("H", true): seconds += 3600 * n
            case ("M", true): seconds += 60 * n
            case ("S", true): seconds += n
            default: throw invalid(text)
            }
            number = ""
            sawPart = true
            sawTimePart = inTime
        }
        guard number.isEmpty, sawPart, !inTime || sawTimePart else { throw invalid(text) }
        return ICalDuration(days: Int(sign * days), seconds: sign * seconds)
    }

    private static func invalid(_ text: String) -> ICalValueError {
        ICalValueError("\(Brief.quoted(text)) is not a DURATION; write e.g. PT12H, PT7H30M or P1D")
    }
}

/// Reading DATE, DATE-TIME and UTC-OFFSET values.
enum ICalTimeParser {
    /// Every DATE or DATE-TIME value of a property (a comma list for EXDATE/RDATE), honouring `VALUE=` and `TZID=`.
    static func values(of property: ICalContentLine) throws(ICalValueError) -> [ICalTimeValue] {
        let declared = property.parameter("VALUE")?.uppercased()
        let reference: ICalTimeReference = property.parameter("TZID").map { .tzid($0.icalTrimmed) } ?? .floating
        var result: [ICalTimeValue] = []
        for raw in property.value.split(separator: ",", omittingEmptySubsequences: false) {
            let text = String(raw).icalTrimmed
            let asDate = declared == "DATE" || (declared == nil && text.count == 8)
            if declared == "DATE-TIME", text.count == 8 {
                throw ICalValueError("\(property.name) says VALUE=DATE-TIME but \(Brief.quoted(text)) is a DATE; add a time, e.g. \(text)T070000")
            }
            if asDate {
                result.append(.date(try date(text, property: property.name)))
            } else {
                let (local, isUTC) = try dateTime(text, property: property.name)
                result.append(.dateTime(local, isUTC ? .utc : reference))
            }
        }
        return result
    }

    /// The single DATE or DATE-TIME value of a property such as DTSTART.
    static func value(of property: ICalContentLine) throws(ICalValueError) -> ICalTimeValue {
        let all = try values(of: property)
        guard all.count == 1, let only = all.first else {
            throw ICalValueError("\(property.name) must hold exactly one date-time, found \(all.count)")
        }
        return only
    }

    /// `YYYYMMDD`.
    static func date(_ text: String, property: String) throws(ICalValueError) -> LocalDateTime {
        guard text.count == 8, let y = digits(text, 0, 4), let m = digits(text, 4, 2), let d = digits(text, 6, 2),
              CivilDate.isValid(year: y, month: m, day: d) else {
            throw ICalValueError("\(property): \(Brief.quoted(text)) is not a DATE; write YYYYMMDD, e.g. 20260105")
        }
        return LocalDateTime(year: y, month: m, day: d)
    }

    /// `YYYYMMDDTHHMMSS` with an optional trailing `Z` for UTC.
    static func dateTime(_ text: String, property: String) throws(ICalValueError) -> (LocalDateTime, isUTC: Bool) {
        let isUTC = text.hasSuffix("Z") || text.hasSuffix("z")
        let body = isUTC ? String(text.dropLast()) : text
        let chars = Array(body)
        guard chars.count == 15, chars[8] == "T" || chars[8] == "t",
              let y = digits(body, 0, 4), let mo = digits(body, 4, 2), let d = digits(body, 6, 2),
              let h = digits(body, 9, 2), let mi = digits(body, 11, 2), let s = digits(body, 13, 2) else {
            throw ICalValueError("\(property): \(Brief.quoted(text)) is not a DATE-TIME; write YYYYMMDDTHHMMSS, e.g. 20260105T070000 (add Z for UTC)")
        }
        let local = LocalDateTime(year: y, month: mo, day: d, hour: h, minute: mi, second: s)
        guard local.isValid else {
            throw ICalValueError("\(property): \(Brief.quoted(text)) is not a real date and time; check the month, day and hour")
        }
        return (local, isUTC)
    }

    /// `±HHMM[SS]` as seconds east of UTC (TZOFFSETFROM/TZOFFSETTO).
    static func utcOffset(_ text: String, property: String) throws(ICalValueError) -> Int64 {
        let t = text.icalTrimmed
        let sign: Int64 = t.hasPrefix("-") ? -1 : 1
        let body = String(t.dropFirst())
        guard t.hasPrefix("+") || t.hasPrefix("-"), body.count == 4 || body.count == 6,
              let h = digits(body, 0, 2), let m = digits(body, 2, 2), h < 24, m < 60 else {
            throw ICalValueError("\(property): \(Brief.quoted(text)) is not a UTC offset; write ±HHMM, e.g. -0500 or +0100")
        }
        let s = body.count == 6 ? (digits(body, 4, 2) ?? 0) : 0
        return sign * Int64(h * 3600 + m * 60 + s)
    }

    private static func digits(_ s: String, _ offset: Int, _ length: Int) -> Int? {
        let utf8 = Array(s.utf8)
        guard offset + length <= utf8.count else { return nil }
        var value = 0
        for b in utf8[offset..<offset + length] {
            guard b >= 0x30, b <= 0x39 else { return nil }
            value = value * 10 + Int(b - 0x30)
        }
        return value
    }
}

/// The wall clock a DATE-TIME is read on: an IANA zone, or a zone the calendar defines itself.
enum ICalClock: Sendable, Hashable {
    case iana(Zone)
    case defined(DefinedTimeZone)

    var name: String {
        switch self {
        case .iana(let z): z.identifier
        case .defined(let z): z.tzid
        }
    }

    func local(_ t: Instant) -> LocalDateTime {
        switch self {
        case .iana(let z): z.local(t)
        case .defined(let z): LocalDateTime(naiveSeconds: t.seconds + z.offset(at: t))
        }
    }

    /// The instant of a wall-clock time; the earlier one when the time is repeated (DESIGN "Time").
    func instant(_ local: LocalDateTime) throws(LocalTimeError) -> Instant {
        switch self {
        case .iana(let z): try z.instant(local)
        case .defined(let z): try z.instant(local)
        }
    }

    /// Like ``instant(_:)`` but never fails: a time in the spring gap uses the offset before the gap
    /// (RFC 5545 §3.3.5). Only for matching EXDATE/RECURRENCE-ID and for UNTIL, never for a shift's own times.
    func lenientInstant(_ local: LocalDateTime) -> Instant {
        if let exact = try? instant(local) { return exact }
        let naive = local.naiveSeconds
        return Instant(seconds: naive - offset(at: Instant(seconds: naive - 129_600)))
    }

    func offset(at t: Instant) -> Int64 {
        switch self {
        case .iana(let z): z.offset(at: t)
        case .defined(let z): z.offset(at: t)
        }
    }
}

extension ICalClock {
    /// Message for a shift time that the clocks skip.
    static func nonexistentMessage(_ error: LocalTimeError, what: String) -> String {
        switch error {
        case .nonexistent(let local, let zone):
            "\(what) \(local.description) does not exist in \(zone): the clocks skip it when summer time starts; "
                + "use a time outside the skipped hour or give it in UTC (with Z)"
        }
    }
}

/// Floor division, as ``CivilDate`` uses it; kept here because JitdCore's helper is internal to that module.
@inline(__always)
func icalFloorDiv(_ a: Int64, _ b: Int64) -> Int64 {
    let q = a / b
    return (a % b != 0 && (a < 0) != (b < 0)) ? q - 1 : q
}
