import JitdCore

/// Who works a shift and what kind of entry it is: everything of a ``Shift`` but its times.
struct ShiftTemplate: Hashable, Sendable {
    var staffID: String
    var role: String
    var unit: String
    var kind: ShiftKind
    var name: String?

    /// Stands in for the template of an event whose staff, unit or role is missing, so that its times are still checked.
    static let unknown = ShiftTemplate(staffID: "", role: "", unit: "", kind: .shift)

    func shift(_ interval: Interval) -> Shift {
        Shift(staffID: staffID, role: role, unit: unit, kind: kind, interval: interval, name: name)
    }
}

/// The `X-JITD-*` properties a VCALENDAR gives for all its events.
struct CalendarDefaults: Sendable {
    var staffID: String?
    var unit: String?
    var role: String?
    var kind: ICalContentLine?

    init(_ calendar: ICalComponent) {
        staffID = calendar.first("X-JITD-STAFF-ID")?.text.icalNonEmpty
        unit = calendar.first("X-JITD-UNIT")?.text.icalNonEmpty
        role = calendar.first("X-JITD-ROLE")?.text.icalNonEmpty
        kind = calendar.first("X-JITD-KIND")
    }
}

/// How an instance's end follows from its start.
enum EndRule: Hashable, Sendable {
    /// DTEND on DTSTART's clock: the same wall-clock length, so a 19:00–07:00 shift ends at 07:00 even over a DST change.
    case wallClock(Int64)
    /// DTEND on another clock: the same elapsed seconds.
    case exact(Int64)
    /// DURATION: nominal days, exact time (RFC 5545 §3.3.6).
    case duration(ICalDuration)
    /// An RDATE period's own end.
    case at(Instant)

    /// The end of an instance starting at wall-clock `local` (naive seconds) = `instant` on `clock`.
    func end(startingAt local: Int64, _ instant: Instant, on clock: ICalClock) throws(LocalTimeError) -> Instant {
        switch self {
        case .wallClock(let length): return try clock.instant(LocalDateTime(naiveSeconds: local + length))
        case .exact(let seconds): return instant.adding(seconds: seconds)
        case .duration(let d):
            let base = d.days == 0 ? instant : try clock.instant(LocalDateTime(naiveSeconds: local + Int64(d.days) * 86_400))
            return base.adding(seconds: d.seconds)
        case .at(let t): return t
        }
    }

    /// A generous bound on the length, used only to widen the expansion window.
    var roughLength: Int64 {
        switch self {
        case .wallClock(let s), .exact(let s): abs(s)
        case .duration(let d): abs(Int64(d.days) * 86_400) + abs(d.seconds)
        case .at: 0
        }
    }
}

/// A line-tagged recurrence rule.
struct LinedRule: Hashable, Sendable {
    var rule: RecurrenceRule
    var line: Int
}

/// An RDATE instance: a wall-clock start on the series clock, and a period end when one is given.
struct ExtraDate: Hashable, Sendable {
    var local: Int64
    var end: EndRule?
    var line: Int
}

/// EXDATE values, matched by instant, or by local day for DATE values.
struct Exclusions: Hashable, Sendable {
    var instants: Set<Instant> = []
    var days: Set<Int64> = []

    func excludes(_ instant: Instant, localDay: Int64) -> Bool {
        instants.contains(instant) || days.contains(localDay)
    }
}

/// Which instance an override replaces.
struct RecurrenceID: Hashable, Sendable {
    var instant: Instant
    /// Set for a DATE value: the override replaces the instance on that local day.
    var day: Int64?
    var thisAndFuture: Bool
    var line: Int
}

/// A VEVENT's times, resolved onto one clock.
struct EventSchedule: Sendable {
    var line: Int
    var template: ShiftTemplate
    var clock: ICalClock
    /// DTSTART as naive wall-clock seconds on `clock`.
    var start: Int64
    var startInstant: Instant
    var startLine: Int
    var end: EndRule
    var rules: [LinedRule] = []
    var extraDates: [ExtraDate] = []
    var exclusions = Exclusions()
    var recurrenceID: RecurrenceID?

    var isRecurring: Bool { !rules.isEmpty || !extraDates.isEmpty }
}

/// What reading a VEVENT's times gave.
enum ScheduleOutcome: Sendable {
    case schedule(EventSchedule)
    /// A DATE DTSTART: not a shift; already warned about.
    case allDay
    /// Errors were reported.
    case failed
}

/// Reads the parts of a VEVENT that jitd needs, reporting every problem with its line.
struct ICalEventReader {
    var resolver: ICalZoneResolver
    var defaults: CalendarDefaults
    var zones: UnitZones

    /// Properties an override takes from its series when it does not repeat them.
    static let inheritedNames: Set<String> = ["X-JITD-STAFF-ID", "X-JITD-UNIT", "X-JITD-ROLE", "X-JITD-KIND",
                                              "ATTENDEE", "LOCATION", "CATEGORIES"]

    // MARK: Who

    /// Staff, unit and role from `X-JITD-*` on the event or calendar, else ATTENDEE, LOCATION and CATEGORIES.
    ///
    /// `warnAboutAttendees` is off for overrides, whose attendees usually come from their series, which already warned.
    func template(of event: ICalComponent, warnAboutAttendees: Bool = true, sink: inout DiagnosticSink) -> ShiftTemplate? {
        let attendees = event.all("ATTENDEE")
        let staff = event.first("X-JITD-STAFF-ID")?.text.icalNonEmpty ?? defaults.staffID ?? attendees.first.flatMap(Self.address)
        let unit = event.first("X-JITD-UNIT")?.text.icalNonEmpty ?? defaults.unit ?? event.first("LOCATION")?.text.icalNonEmpty
        let role = event.first("X-JITD-ROLE")?.text.icalNonEmpty ?? defaults.role
            ?? event.all("CATEGORIES").lazy.compactMap { ICalText.list($0.value).first { !$0.isEmpty } }.first
        if staff == nil {
            sink.error("VEVENT has no staff member: add X-JITD-STAFF-ID:<staff id> to the event (or the calendar), "
                + "or an ATTENDEE:mailto:<address>", line: event.line)
        }
        if unit == nil {
            sink.error("VEVENT has no unit: add X-JITD-UNIT:<unit> to the event (or the calendar), or LOCATION:<unit>", line: event.line)
        }
        if role == nil {
            sink.error("VEVENT has no role: add X-JITD-ROLE:<role> to the event (or the calendar), or CATEGORIES:<role>", line: event.line)
        }
        let kind = self.kind(of: event, sink: &sink)
        guard let staff, let unit, let role, let kind else { return nil }
        if warnAboutAttendees, event.first("X-JITD-STAFF-ID") == nil, defaults.staffID == nil, attendees.count > 1 {
            sink.warning("VEVENT has \(attendees.count) attendees; jitd takes the first (\(staff)) as the staff member; "
                + "add X-JITD-STAFF-ID to say who works the shift", line: attendees[1].line)
        }
        let name = attendees.count == 1 || staff == attendees.first.flatMap(Self.address)
            ? attendees.first?.parameter("CN")?.icalTrimmed.icalNonEmpty : nil
        return ShiftTemplate(staffID: staff, role: role, unit: unit, kind: kind, name: name)
    }

    private func kind(of event: ICalComponent, sink: inout DiagnosticSink) -> ShiftKind? {
        guard let line = event.first("X-JITD-KIND") ?? defaults.kind else { return .shift }
        guard let kind = ShiftKind(rawValue: line.text.lowercased()) else {
            sink.error("X-JITD-KIND:\(line.text) is not a kind; use X-JITD-KIND:shift or X-JITD-KIND:busy", line: line.line)
            return nil
        }
        return kind
    }

    /// The address after `mailto:` (or the whole value when it is not a mailto URI).
    static func address(_ attendee: ICalContentLine) -> String? {
        let value = attendee.value.icalTrimmed
        let address = value.lowercased().hasPrefix("mailto:") ? String(value.dropFirst(7)) : value
        return address.icalTrimmed.icalNonEmpty
    }

    // MARK: When

    /// Whether the event is no shift at all, warning that it is skipped: an all-day event (a DATE DTSTART: leave,
    /// on-call days) or one that takes no time (a huddle, a reminder): a DATE-TIME DTSTART with neither DTEND nor
    /// DURATION, which RFC 5545 §3.6.1 allows, or with a DTEND that repeats DTSTART or DURATION:PT0S, as Google
    /// Calendar writes such events. An end before the start stays an error.
    ///
    /// Checked before who works it, since such events rarely name a unit or role and are no error. For an override
    /// (`replacingAnInstance`) the warning says that the instance it replaces is removed.
    func isNoShift(_ event: ICalComponent, replacingAnInstance: Bool = false, sink: inout DiagnosticSink) -> Bool {
        guard let line = event.first("DTSTART"), let start = try? ICalTimeParser.value(of: line) else { return false }
        let what: String, hint: String
        if start.isDate {
            what = "all-day event (DTSTART is a DATE)"
            hint = "give DTSTART and DTEND a time, e.g. DTSTART;TZID=Europe/Berlin:20260105T070000"
        } else if let noTime = Self.takesNoTime(event, start: start) {
            what = "event \(noTime) (it takes no time)"
            hint = "give it an end after DTSTART: DTEND (e.g. DTEND;TZID=Europe/Berlin:20260105T190000) or DURATION (e.g. DURATION:PT12H)"
        } else {
            return false
        }
        sink.warning(replacingAnInstance
            ? "\(what) replaces an instance of its recurring event: that instance's shift is removed; if it is still a shift, \(hint)"
            : "\(what) skipped: it is not a shift; if it is one, \(hint)", line: line.line)
        return true
    }

    /// How a DATE-TIME event says that it ends when it starts, or nil when it does not.
    private static func takesNoTime(_ event: ICalComponent, start: ICalTimeValue) -> String? {
        switch (event.first("DTEND"), event.first("DURATION")) {
        case (nil, nil):
            return "with neither DTEND nor DURATION"
        case (let dtend?, nil):
            return (try? ICalTimeParser.value(of: dtend)) == start ? "whose DTEND equals its DTSTART" : nil
        case (nil, let duration?):
            return (try? ICalDuration.parse(duration.value)) == ICalDuration(days: 0, seconds: 0) ? "with DURATION:\(duration.value.icalTrimmed)" : nil
        default:
            return nil  // both: an error, reported with the times
        }
    }

    /// DTSTART, the end, and the recurrence properties of `event`; `seriesClock` reads floating EXDATE,
    /// RDATE and RECURRENCE-ID values of an override the way its series does. Callers check ``isNoShift(_:replacingAnInstance:sink:)`` first.
    func schedule(of event: ICalComponent, template: ShiftTemplate, seriesClock: ICalClock? = nil,
                  sink: inout DiagnosticSink) -> ScheduleOutcome {
        guard let startLine = event.first("DTSTART") else {
            sink.error("VEVENT has no DTSTART; add one, e.g. DTSTART;TZID=Europe/Berlin:20260105T070000", line: event.line)
            return .failed
        }
        let start: ICalTimeValue
        do throws(ICalValueError) { start = try ICalTimeParser.value(of: startLine) } catch {
            sink.error(error.message, line: startLine.line)
            return .failed
        }
        guard case .dateTime(let local, let reference) = start else { return .allDay }
        // After a problem the remaining properties are still read, so that one pass reports all of them.
        let unitZone = zones.zone(of: template.unit)
        let found = self.clock(reference, floating: .iana(unitZone), line: startLine, sink: &sink)
        let clock = found ?? .iana(unitZone)
        var ok = found != nil
        let startInstant: Instant
        do throws(LocalTimeError) { startInstant = try clock.instant(local) } catch {
            sink.error(ICalClock.nonexistentMessage(error, what: "DTSTART"), line: startLine.line)
            startInstant = clock.lenientInstant(local)
            ok = false
        }
        let end = endRule(of: event, start: local, startInstant: startInstant, reference: reference, clock: clock,
                          unitZone: unitZone, sink: &sink)
        var schedule = EventSchedule(line: event.line, template: template, clock: clock, start: local.naiveSeconds,
                                     startInstant: startInstant, startLine: startLine.line, end: end ?? .exact(0))
        ok = readRecurrence(of: event, into: &schedule, seriesClock: seriesClock ?? clock, sink: &sink) && ok && end != nil
        return ok ? .schedule(schedule) : .failed
    }

    /// DTEND or DURATION, checked to come after DTSTART.
    private func endRule(of event: ICalComponent, start: LocalDateTime, startInstant: Instant, reference: ICalTimeReference,
                         clock: ICalClock, unitZone: Zone, sink: inout DiagnosticSink) -> EndRule? {
        let dtend = event.first("DTEND"), duration = event.first("DURATION")
        if let dtend, duration != nil {
            sink.error("VEVENT has both DTEND and DURATION; keep only one", line: dtend.line)
            return nil
        }
        guard let line = dtend ?? duration else {
            // Not reached through the parser, which skips such an event first (``isNoShift``); kept so that no caller
            // can read one as a shift of no length.
            sink.error("VEVENT has no end; add DTEND (e.g. DTEND;TZID=Europe/Berlin:20260105T190000) or DURATION (e.g. DURATION:PT12H)",
                       line: event.line)
            return nil
        }
        do throws(ICalValueError) {
            let rule = try dtend != nil
                ? endRule(dtend: line, start: start, startInstant: startInstant, reference: reference, unitZone: unitZone)
                : .duration(ICalDuration.parse(line.value))
            let endInstant: Instant
            do throws(LocalTimeError) { endInstant = try rule.end(startingAt: start.naiveSeconds, startInstant, on: clock) } catch {
                throw ICalValueError(ICalClock.nonexistentMessage(error, what: "the end"))
            }
            guard endInstant > startInstant else {
                throw ICalValueError("\(line.name) is not after DTSTART (\(startInstant.rfc3339) → \(endInstant.rfc3339)); "
                    + "a shift must end after it starts (a night shift's DTEND is on the next day)")
            }
            return rule
        } catch {
            sink.error(error.message, line: line.line)
            return nil
        }
    }

    private func endRule(dtend: ICalContentLine, start: LocalDateTime, startInstant: Instant, reference: ICalTimeReference,
                         unitZone: Zone) throws(ICalValueError) -> EndRule {
        guard case .dateTime(let endLocal, let endReference) = try ICalTimeParser.value(of: dtend) else {
            throw ICalValueError("DTEND is a DATE but DTSTART has a time; give DTEND a time too, e.g. DTEND:20260106T070000")
        }
        if endReference == reference { return .wallClock(endLocal.naiveSeconds - start.naiveSeconds) }
        let endClock = try resolveClock(endReference, floating: .iana(unitZone), property: dtend.name)
        do throws(LocalTimeError) {
            return .exact(try endClock.instant(endLocal).seconds - startInstant.seconds)
        } catch {
            throw ICalValueError(ICalClock.nonexistentMessage(error, what: "DTEND"))
        }
    }

    /// The clock a time reference names; reports an unknown TZID on `line`.
    func clock(_ reference: ICalTimeReference, floating: ICalClock, line: ICalContentLine, sink: inout DiagnosticSink) -> ICalClock? {
        do throws(ICalValueError) { return try resolveClock(reference, floating: floating, property: line.name) } catch {
            sink.error(error.message, line: line.line)
            return nil
        }
    }

    /// The clock a time reference names, with floating times on `floating`.
    func resolveClock(_ reference: ICalTimeReference, floating: ICalClock, property: String) throws(ICalValueError) -> ICalClock {
        switch reference {
        case .utc: return .iana(.utc)
        case .floating: return floating
        case .tzid(let tzid):
            if let clock = resolver.clock(for: tzid) { return clock }
            throw ICalValueError("\(property) has TZID=\(tzid), which is neither an IANA zone nor a Windows zone name and has no "
                + "VTIMEZONE in this calendar; use e.g. TZID=Europe/Berlin or add a VTIMEZONE with TZID:\(tzid)")
        }
    }

    // MARK: Recurrence

    /// RRULE, RDATE, EXDATE and RECURRENCE-ID; false when any was reported as an error.
    private func readRecurrence(of event: ICalComponent, into schedule: inout EventSchedule, seriesClock: ICalClock,
                                sink: inout DiagnosticSink) -> Bool {
        var ok = true
        for line in event.properties {
            do throws(ICalValueError) {
                switch line.name {
                case "RRULE": schedule.rules.append(LinedRule(rule: try RecurrenceRule.parse(line.value), line: line.line))
                case "EXRULE": throw ICalValueError("EXRULE was removed from iCalendar (RFC 5545); list the excluded instances with EXDATE")
                case "RDATE": schedule.extraDates += try extraDates(line, clock: schedule.clock)
                case "EXDATE": try addExclusions(line, clock: seriesClock, to: &schedule.exclusions)
                case "RECURRENCE-ID": schedule.recurrenceID = try recurrenceID(line, clock: seriesClock)
                default: break
                }
            } catch {
                sink.error(error.message, line: line.line)
                ok = false
            }
        }
        return ok
    }

    /// A value's instant (gap times shifted per RFC 5545), with floating values on `clock`.
    private func lenientInstant(_ value: ICalTimeValue, line: ICalContentLine, clock: ICalClock) throws(ICalValueError) -> Instant {
        guard case .dateTime(let local, let reference) = value else { return clock.lenientInstant(value.local) }
        return try resolveClock(reference, floating: clock, property: line.name).lenientInstant(local)
    }

    private func extraDates(_ line: ICalContentLine, clock: ICalClock) throws(ICalValueError) -> [ExtraDate] {
        let isPeriod = line.parameter("VALUE")?.uppercased() == "PERIOD"
        var result: [ExtraDate] = []
        for item in line.value.split(separator: ",") {
            let parts = item.split(separator: "/", maxSplits: 1).map(String.init)
            guard isPeriod == (parts.count == 2) else {
                throw ICalValueError("RDATE value \(Brief.quoted(item)) does not match VALUE=\(isPeriod ? "PERIOD (start/end)" : "DATE-TIME")")
            }
            var single = line
            single.value = parts[0]
            single.parameters["VALUE"] = nil
            let value = try ICalTimeParser.value(of: single)
            guard !value.isDate else {
                throw ICalValueError("RDATE \(Brief.quoted(parts[0])) is a DATE (an all-day instance), which is not a shift; give it a time")
            }
            let instant = try strictInstant(value, line: single, clock: clock)
            var end: EndRule?
            if parts.count == 2 {
                end = parts[1].uppercased().contains("P") ? .duration(try ICalDuration.parse(parts[1])) : nil
                if end == nil {
                    single.value = parts[1]
                    end = .at(try strictInstant(try ICalTimeParser.value(of: single), line: single, clock: clock))
                }
            }
            result.append(ExtraDate(local: clock.local(instant).naiveSeconds, end: end, line: line.line))
        }
        return result
    }

    private func strictInstant(_ value: ICalTimeValue, line: ICalContentLine, clock: ICalClock) throws(ICalValueError) -> Instant {
        guard case .dateTime(let local, let reference) = value else { throw ICalValueError("\(line.name) needs a DATE-TIME here") }
        let own = try resolveClock(reference, floating: clock, property: line.name)
        do throws(LocalTimeError) { return try own.instant(local) } catch {
            throw ICalValueError(ICalClock.nonexistentMessage(error, what: line.name))
        }
    }

    private func addExclusions(_ line: ICalContentLine, clock: ICalClock, to exclusions: inout Exclusions) throws(ICalValueError) {
        for value in try ICalTimeParser.values(of: line) {
            if case .date(let day) = value {
                exclusions.days.insert(icalFloorDiv(day.naiveSeconds, 86_400))
            } else {
                exclusions.instants.insert(try lenientInstant(value, line: line, clock: clock))
            }
        }
    }

    private func recurrenceID(_ line: ICalContentLine, clock: ICalClock) throws(ICalValueError) -> RecurrenceID {
        let value = try ICalTimeParser.value(of: line)
        let range = line.parameter("RANGE")?.uppercased()
        guard range == nil || range == "THISANDFUTURE" else {
            throw ICalValueError("RECURRENCE-ID RANGE=\(range ?? "") is not allowed; use RANGE=THISANDFUTURE or no RANGE")
        }
        let instant = try lenientInstant(value, line: line, clock: clock)
        let day = value.isDate ? icalFloorDiv(value.local.naiveSeconds, 86_400) : nil
        return RecurrenceID(instant: instant, day: day, thisAndFuture: range != nil, line: line.line)
    }

    /// Only the RECURRENCE-ID of an override that removes its instance (cancelled, or no shift), which needs neither staff nor times.
    func removedRecurrenceID(of event: ICalComponent, seriesClock: ICalClock?, sink: inout DiagnosticSink) -> RecurrenceID? {
        guard let line = event.first("RECURRENCE-ID") else { return nil }
        let fallback = seriesClock ?? .iana(zones.site)
        do throws(ICalValueError) { return try recurrenceID(line, clock: fallback) } catch {
            sink.error(error.message, line: line.line)
            return nil
        }
    }
}

extension String {
    /// nil for an empty string, so that `??` can fall through to the next source.
    var icalNonEmpty: String? { isEmpty ? nil : self }
}
