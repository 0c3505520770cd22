import JitdCore

/// Reads an iCalendar (`.ics`, RFC 5545) roster: each VEVENT is a shift, or a busy block with `X-JITD-KIND:busy`.
///
/// Recurring events (RRULE, RDATE) are expanded on the wall clock of their DTSTART, so a weekly
/// 19:00 shift stays at 19:00 across DST changes, and only instances overlapping
/// `context.window` are produced. A VEVENT that does not recur is returned wherever it lies,
/// like a CSV row. Events that are no shift (all-day, or taking no time) are skipped with a warning,
/// and an override that makes an instance one of them removes that instance; other components are ignored.
public enum ICalendarRosterParser {
    /// Every problem goes into `sink` (errors and warnings, all of them, not just the first), one per line, with the
    /// 1-based line number of the physical line where the offending content line starts; messages say what is wrong and what would be right.
    public static func parse(text: String, file: String, context: RosterContext, sink: inout DiagnosticSink) -> [RosterEntry] {
        let lines = ICalContentLines.parse(text, sink: &sink)
        let roots = ICalComponentReader.read(lines, sink: &sink)
        let calendars = roots.filter { $0.name == "VCALENDAR" }
        if calendars.isEmpty, !sink.hasErrors {
            sink.error("no BEGIN:VCALENDAR found; an .ics roster is a VCALENDAR holding one VEVENT per shift", line: roots.first?.line ?? 1)
        }
        var entries: [RosterEntry] = []
        for calendar in calendars {
            // Its events would otherwise be passed over in silence, as components jitd does not read.
            for nested in calendar.children("VCALENDAR") {
                sink.error("BEGIN:VCALENDAR inside the VCALENDAR of line \(calendar.line); end one calendar with END:VCALENDAR "
                    + "before the next begins", line: nested.line)
            }
            entries += ICalCalendarReader(calendar: calendar, context: context, sink: &sink).entries(sink: &sink)
        }
        return entries.sorted { ($0.line, $0.shift.interval.start.seconds) < ($1.line, $1.shift.interval.start.seconds) }
    }
}

/// One VCALENDAR: its own time zones and defaults, and its events grouped by UID.
struct ICalCalendarReader {
    let calendar: ICalComponent
    let context: RosterContext
    let reader: ICalEventReader

    init(calendar: ICalComponent, context: RosterContext, sink: inout DiagnosticSink) {
        self.calendar = calendar
        self.context = context
        let (firstYear, lastYear) = Self.yearsMentioned(in: calendar, window: context.window)
        var defined: [String: DefinedTimeZone] = [:]
        for vtimezone in calendar.children("VTIMEZONE") {
            guard let zone = VTimeZoneReader.read(vtimezone, years: firstYear...lastYear, sink: &sink) else { continue }
            if defined[zone.tzid] != nil {
                sink.warning("VTIMEZONE \(zone.tzid) is defined twice; jitd uses the first", line: vtimezone.line)
            } else {
                defined[zone.tzid] = zone
            }
        }
        reader = ICalEventReader(resolver: ICalZoneResolver(defined: defined), defaults: CalendarDefaults(calendar),
                                 zones: context.zones)
    }

    /// The years a VTIMEZONE must cover: those of the window and of every date the events mention, plus one either side.
    static func yearsMentioned(in calendar: ICalComponent, window: Interval) -> (Int, Int) {
        let names: Set<String> = ["DTSTART", "DTEND", "RDATE", "EXDATE", "RECURRENCE-ID"]
        var first = LocalDateTime(naiveSeconds: window.start.seconds).year, last = LocalDateTime(naiveSeconds: window.end.seconds).year
        for event in calendar.children("VEVENT") {
            for p in event.properties where names.contains(p.name) {
                guard let y = Int(p.value.icalTrimmed.prefix(4)) else { continue }
                (first, last) = (min(first, y), max(last, y))
            }
        }
        return (max(first - 1, 1), min(last + 1, 9998))
    }

    /// Every entry of the calendar's VEVENTs.
    func entries(sink: inout DiagnosticSink) -> [RosterEntry] {
        var order: [String] = []
        var groups: [String: [ICalComponent]] = [:]
        for (index, event) in calendar.children("VEVENT").enumerated() {
            let key = event.first("UID")?.value.icalTrimmed.icalNonEmpty ?? "\u{0}no-uid-\(index)"
            if groups[key] == nil { order.append(key) }
            groups[key, default: []].append(event)
        }
        return order.flatMap { series(groups[$0] ?? [], sink: &sink).entries(window: context.window, sink: &sink) }
    }

    /// The series of one UID: the event without RECURRENCE-ID and the overrides, newest SEQUENCE winning.
    private func series(_ events: [ICalComponent], sink: inout DiagnosticSink) -> ICalSeries {
        let masters = events.filter { $0.first("RECURRENCE-ID") == nil }
        let masterEvent = newest(masters, sink: &sink)
        if let masterEvent, Self.isCancelled(masterEvent) { return ICalSeries() }
        var series = ICalSeries()
        if let masterEvent, !reader.isNoShift(masterEvent, sink: &sink) {
            let template = reader.template(of: masterEvent, sink: &sink)
            let outcome = reader.schedule(of: masterEvent, template: template ?? .unknown, sink: &sink)
            if template != nil, case .schedule(let schedule) = outcome { series.master = schedule }
        }
        for event in latestOverrides(events) {
            if let override = self.override(event, of: masterEvent, seriesClock: series.master?.clock, sink: &sink) {
                series.overrides.append(override)
            }
        }
        return series
    }

    private func override(_ event: ICalComponent, of master: ICalComponent?, seriesClock: ICalClock?,
                          sink: inout DiagnosticSink) -> ICalSeries.Override? {
        if event.first("UID") == nil {
            sink.error("VEVENT has a RECURRENCE-ID but no UID; add the UID of the recurring event it changes", line: event.line)
            return nil
        }
        // A cancelled instance, or one turned into an all-day event (how calendar programs mark a day off) or into
        // one that takes no time: no shift then, so the override removes the instance it names.
        if Self.isCancelled(event) || reader.isNoShift(event, replacingAnInstance: true, sink: &sink) {
            return reader.removedRecurrenceID(of: event, seriesClock: seriesClock, sink: &sink)
                .map { ICalSeries.Override(recurrenceID: $0, schedule: nil) }
        }
        let merged = master.map { event.inheriting(ICalEventReader.inheritedNames, from: $0) } ?? event
        let template = reader.template(of: merged, warnAboutAttendees: false, sink: &sink)
        let outcome = reader.schedule(of: merged, template: template ?? .unknown, seriesClock: seriesClock, sink: &sink)
        guard template != nil, case .schedule(var schedule) = outcome, let id = schedule.recurrenceID else { return nil }
        schedule.rules = []
        schedule.extraDates = []
        return ICalSeries.Override(recurrenceID: id, schedule: schedule)
    }

    /// The master with the highest SEQUENCE; two with the same SEQUENCE are an error, since both would be shifts.
    private func newest(_ masters: [ICalComponent], sink: inout DiagnosticSink) -> ICalComponent? {
        let sorted = masters.enumerated().sorted { a, b in
            let (sa, sb) = (Self.sequence(a.element), Self.sequence(b.element))
            return sa != sb ? sa > sb : a.offset < b.offset
        }
        guard let best = sorted.first?.element else { return nil }
        for other in sorted.dropFirst() where Self.sequence(other.element) == Self.sequence(best) {
            let uid = best.first("UID")?.value.icalTrimmed ?? ""
            sink.error("UID \(uid) is also used by the VEVENT at line \(best.line); give each event its own UID "
                + "(or a higher SEQUENCE to the newer version)", line: other.element.line)
        }
        return best
    }

    /// For each RECURRENCE-ID, the override with the highest SEQUENCE (the later one on a tie).
    private func latestOverrides(_ events: [ICalComponent]) -> [ICalComponent] {
        var byID: [String: ICalComponent] = [:]
        var order: [String] = []
        for event in events {
            guard let id = event.first("RECURRENCE-ID") else { continue }
            let key = id.value.icalTrimmed + "|" + (id.parameter("TZID") ?? "")
            if let existing = byID[key] {
                if Self.sequence(event) >= Self.sequence(existing) { byID[key] = event }
            } else {
                order.append(key)
                byID[key] = event
            }
        }
        return order.compactMap { byID[$0] }
    }

    static func sequence(_ event: ICalComponent) -> Int {
        event.first("SEQUENCE").flatMap { Int($0.value.icalTrimmed) } ?? 0
    }

    static func isCancelled(_ event: ICalComponent) -> Bool {
        event.first("STATUS")?.value.icalTrimmed.uppercased() == "CANCELLED"
    }
}
