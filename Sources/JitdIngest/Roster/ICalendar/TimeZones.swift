import JitdCore

/// A time zone defined by the calendar's own `VTIMEZONE` (RFC 5545 §3.6.5), as a list of offset changes.
///
/// Outlook and Thunderbird name zones with ids that no zone database knows; the calendar then
/// carries the rules, which are expanded into transitions once, up to a year past what the file needs.
struct DefinedTimeZone: Hashable, Sendable {
    struct Transition: Hashable, Sendable {
        /// When the new offset takes effect.
        var at: Instant
        /// Seconds east of UTC from `at` on.
        var offset: Int64
    }

    var tzid: String
    /// The offset before the first transition.
    var initialOffset: Int64
    /// Sorted by `at`.
    var transitions: [Transition]

    func offset(at t: Instant) -> Int64 {
        var low = 0, high = transitions.count
        while low < high {
            let mid = (low + high) / 2
            if transitions[mid].at <= t { low = mid + 1 } else { high = mid }
        }
        return low == 0 ? initialOffset : transitions[low - 1].offset
    }

    /// Same rule as ``Zone/instant(_:)``: gap → error, overlap → earlier instant.
    func instant(_ local: LocalDateTime) throws(LocalTimeError) -> Instant {
        let naive = local.naiveSeconds
        let offsets = Set([offset(at: Instant(seconds: naive - 129_600)), offset(at: Instant(seconds: naive + 129_600)),
                           offset(at: Instant(seconds: naive))])
        let candidates = offsets.map { Instant(seconds: naive - $0) }.filter { offset(at: $0) == naive - $0.seconds }
        guard let earliest = candidates.min() else { throw .nonexistent(local, zone: tzid) }
        return earliest
    }
}

/// Reads `VTIMEZONE` components into ``DefinedTimeZone`` values.
enum VTimeZoneReader {
    /// The zone, or nil after reporting why it cannot be used.
    ///
    /// Observance rules are expanded over `years` only: offsets outside those years are never asked for,
    /// and a rule starting in 1601 would otherwise cost four centuries of expansion.
    static func read(_ component: ICalComponent, years: ClosedRange<Int>, sink: inout DiagnosticSink) -> DefinedTimeZone? {
        guard let tzid = component.first("TZID")?.value.icalTrimmed, !tzid.isEmpty else {
            sink.error("VTIMEZONE has no TZID; add TZID:<the name its events use>", line: component.line)
            return nil
        }
        var transitions: [(at: Instant, from: Int64, to: Int64)] = []
        for observance in component.components where observance.name == "STANDARD" || observance.name == "DAYLIGHT" {
            transitions += onsets(of: observance, tzid: tzid, years: years, sink: &sink)
        }
        let from = Instant(seconds: LocalDateTime(year: years.lowerBound, month: 1, day: 1).naiveSeconds)
        let inRange = transitions.filter { $0.at >= from }
        transitions = inRange.isEmpty ? transitions.max(by: { $0.at < $1.at }).map { [$0] } ?? [] : inRange
        guard let first = transitions.min(by: { $0.at < $1.at }) else {
            sink.error("VTIMEZONE \(tzid) has no usable STANDARD or DAYLIGHT observance; add one with DTSTART, TZOFFSETFROM and TZOFFSETTO",
                       line: component.line)
            return nil
        }
        let sorted = transitions.sorted { $0.at < $1.at }.map { DefinedTimeZone.Transition(at: $0.at, offset: $0.to) }
        return DefinedTimeZone(tzid: tzid, initialOffset: first.from, transitions: sorted)
    }

    /// Every onset of one STANDARD or DAYLIGHT block: its DTSTART, RRULE instances and RDATEs.
    private static func onsets(of observance: ICalComponent, tzid: String, years: ClosedRange<Int>,
                               sink: inout DiagnosticSink) -> [(at: Instant, from: Int64, to: Int64)] {
        let where_ = "VTIMEZONE \(tzid) \(observance.name)"
        do throws(ICalValueError) {
            guard let startLine = observance.first("DTSTART") else { throw ICalValueError("\(where_) has no DTSTART; add the local time the rule starts, e.g. DTSTART:19701025T030000") }
            guard let fromLine = observance.first("TZOFFSETFROM"), let toLine = observance.first("TZOFFSETTO") else {
                throw ICalValueError("\(where_) needs both TZOFFSETFROM and TZOFFSETTO, e.g. TZOFFSETFROM:+0200 and TZOFFSETTO:+0100")
            }
            let from = try ICalTimeParser.utcOffset(fromLine.value, property: "TZOFFSETFROM")
            let to = try ICalTimeParser.utcOffset(toLine.value, property: "TZOFFSETTO")
            let start = try ICalTimeParser.value(of: startLine)
            let toInstant: (ICalTimeValue) -> Instant = { value in
                if case .dateTime(let l, .utc) = value { return Instant(seconds: l.naiveSeconds) }
                return Instant(seconds: value.local.naiveSeconds - from)
            }
            var result = [(at: toInstant(start), from: from, to: to)]
            for rruleLine in observance.all("RRULE") {
                let rule = try RecurrenceRule.parse(rruleLine.value)
                let beyond = RecurrenceUntil.test(rule.until) { Instant(seconds: $0 - from) }
                var budget = RecurrenceExpander.defaultBudget
                let lower = LocalDateTime(year: years.lowerBound, month: 1, day: 1).naiveSeconds
                let upper = LocalDateTime(year: years.upperBound, month: 12, day: 31, hour: 23, minute: 59, second: 59).naiveSeconds
                let locals = try RecurrenceExpander(rule: rule, start: start.local)
                    .occurrences(upTo: upper, from: lower, beyondUntil: beyond, budget: &budget)
                result += locals.map { (at: Instant(seconds: $0 - from), from: from, to: to) }
            }
            for rdateLine in observance.all("RDATE") {
                result += try ICalTimeParser.values(of: rdateLine).map { (at: toInstant($0), from: from, to: to) }
            }
            return result
        } catch {
            sink.error(error.message, line: observance.line)
            return []
        }
    }
}

/// Finds the clock a `TZID` names, in the order docs/configuration.md gives.
struct ICalZoneResolver: Sendable {
    /// The calendar's own VTIMEZONEs by TZID.
    var defined: [String: DefinedTimeZone]

    init(defined: [String: DefinedTimeZone] = [:]) { self.defined = defined }

    /// An IANA name, then a Windows name (each also without the slashes around it: older programs write
    /// `/Europe/Stockholm`, marking the id as globally unique, RFC 5545 §3.2.19), then the calendar's VTIMEZONE,
    /// then an IANA name at the end of a prefixed id such as `/mozilla.org/20050126_1/America/New_York`; nil when none applies.
    func clock(for tzid: String) -> ICalClock? {
        let name = tzid.icalTrimmed
        let unslashed = Self.trimmingSlashes(name)
        for candidate in unslashed == name ? [name] : [name, unslashed] {
            if let zone = Zone(candidate) { return .iana(zone) }
            if let mapped = WindowsZones.iana(for: candidate), let zone = Zone(mapped) { return .iana(zone) }
        }
        if let own = defined[name] { return .defined(own) }
        return Self.ianaSuffix(of: name).map { .iana($0) }
    }

    private static func trimmingSlashes(_ name: String) -> String {
        var s = Substring(name)
        while s.first == "/" { s.removeFirst() }
        while s.last == "/" { s.removeLast() }
        return String(s)
    }

    private static func ianaSuffix(of name: String) -> Zone? {
        let parts = name.split(separator: "/").map(String.init)
        guard parts.count > 1 else { return nil }
        for length in stride(from: min(3, parts.count - 1), through: 1, by: -1) {
            if let zone = Zone(parts.suffix(length).joined(separator: "/")) { return zone }
        }
        return nil
    }
}
