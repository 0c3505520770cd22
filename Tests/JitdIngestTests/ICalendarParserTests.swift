import Testing
import JitdCore
@testable import JitdIngest

/// Builders shared by the iCalendar tests.
enum ICalFixture {
    static let newYork = Zone("America/New_York")!
    static let berlin = Zone("Europe/Berlin")!
    static let yearWindow = Interval(start: utc(2026, 1, 1), end: utc(2027, 1, 1))

    static func utc(_ y: Int, _ mo: Int, _ d: Int, _ h: Int = 0, _ mi: Int = 0, _ s: Int = 0) -> Instant {
        Instant(seconds: LocalDateTime(year: y, month: mo, day: d, hour: h, minute: mi, second: s).naiveSeconds)
    }

    static func local(_ zone: Zone, _ y: Int, _ mo: Int, _ d: Int, _ h: Int = 0, _ mi: Int = 0) -> Instant {
        try! zone.instant(LocalDateTime(year: y, month: mo, day: d, hour: h, minute: mi))
    }

    static func context(window: Interval = yearWindow, site: Zone = .utc, units: [String: Zone] = [:]) -> RosterContext {
        RosterContext(zones: UnitZones(site: site, units: units), window: window)
    }

    /// A VCALENDAR around `body`, with CRLF line ends as RFC 5545 writes them.
    static func calendar(_ body: String) -> String {
        ("BEGIN:VCALENDAR\nVERSION:2.0\nPRODID:-//jitd tests//EN\n" + body + "\nEND:VCALENDAR\n")
            .replacingOccurrences(of: "\n", with: "\r\n")
    }

    /// A VEVENT with staff, unit and role set unless `who` replaces them.
    static func event(_ lines: String, uid: String = "e1", who: String = "X-JITD-STAFF-ID:n1\nX-JITD-UNIT:icu\nX-JITD-ROLE:rn") -> String {
        "BEGIN:VEVENT\nUID:\(uid)\n\(who)\n\(lines)\nEND:VEVENT"
    }

    static func parse(_ text: String, _ context: RosterContext = context()) -> (entries: [RosterEntry], diagnostics: [Diagnostic]) {
        var sink = DiagnosticSink(file: "roster.ics")
        let entries = ICalendarRosterParser.parse(text: text, file: "roster.ics", context: context, sink: &sink)
        return (entries, sink.items)
    }

    static func intervals(_ entries: [RosterEntry]) -> [Interval] { entries.map(\.shift.interval).sorted() }
}

extension String {
    fileprivate func replacingOccurrences(of target: String, with replacement: String) -> String {
        split(separator: Character(target), omittingEmptySubsequences: false).joined(separator: replacement)
    }
}

@Suite("iCalendar roster parser")
struct ICalendarParserTests {
    typealias F = ICalFixture

    @Test func singleEventWithIANAZone() {
        let text = F.calendar(F.event("DTSTART;TZID=America/New_York:20260105T070000\nDTEND;TZID=America/New_York:20260105T190000"))
        let (entries, diagnostics) = F.parse(text)
        #expect(diagnostics.isEmpty)
        #expect(entries.count == 1)
        let shift = entries[0].shift
        #expect(shift.staffID == "n1" && shift.unit == "icu" && shift.role == "rn" && shift.kind == .shift)
        #expect(shift.interval == Interval(start: F.utc(2026, 1, 5, 12), end: F.utc(2026, 1, 6, 0)))
        #expect(entries[0].line == 4)
    }

    @Test func weeklyNightShiftLasts13HoursInAutumnAnd11InSpring() {
        let text = F.calendar(F.event("""
            DTSTART;TZID=America/New_York:20260228T190000
            DTEND;TZID=America/New_York:20260301T070000
            RRULE:FREQ=WEEKLY;UNTIL=20261115T000000Z
            """))
        let (entries, diagnostics) = F.parse(text)
        #expect(diagnostics.isEmpty)
        let lengths = Dictionary(uniqueKeysWithValues: entries.map { (F.newYork.local($0.shift.interval.start).description, $0.shift.interval.seconds / 3600) })
        #expect(lengths["2026-03-07T19:00:00"] == 11)
        #expect(lengths["2026-10-31T19:00:00"] == 13)
        #expect(lengths["2026-03-14T19:00:00"] == 12)
        #expect(entries.count == 38)
        #expect(entries.allSatisfy { F.newYork.local($0.shift.interval.start).hour == 19 && F.newYork.local($0.shift.interval.end).hour == 7 })
    }

    @Test func floatingTimesUseTheUnitZoneAndUTCIsUTC() {
        let text = F.calendar(F.event("DTSTART:20260701T070000\nDTEND:20260701T190000", uid: "a") + "\n"
            + F.event("DTSTART:20260701T070000Z\nDURATION:PT8H", uid: "b"))
        let (entries, diagnostics) = F.parse(text, F.context(site: .utc, units: ["icu": F.berlin]))
        #expect(diagnostics.isEmpty)
        #expect(F.intervals(entries) == [Interval(start: F.utc(2026, 7, 1, 5), end: F.utc(2026, 7, 1, 17)),
                                         Interval(start: F.utc(2026, 7, 1, 7), end: F.utc(2026, 7, 1, 15))])
    }

    @Test func nonexistentLocalTimeIsAnErrorOnItsLine() {
        let text = F.calendar(F.event("DTSTART;TZID=America/New_York:20260308T023000\nDTEND;TZID=America/New_York:20260308T100000"))
        let (entries, diagnostics) = F.parse(text)
        #expect(entries.isEmpty)
        #expect(diagnostics.count == 1)
        #expect(diagnostics.first?.line == 9 && diagnostics.first?.severity == .error)
        #expect(diagnostics.first?.message.contains("does not exist in America/New_York") == true)
    }

    @Test func recurrenceInstanceInTheGapIsAnErrorUnlessExcluded() {
        let rule = "DTSTART;TZID=America/New_York:20260301T023000\nDTEND;TZID=America/New_York:20260301T060000\nRRULE:FREQ=WEEKLY;COUNT=3"
        let (entries, diagnostics) = F.parse(F.calendar(F.event(rule)))
        #expect(entries.count == 2)
        #expect(diagnostics.map(\.line) == [11])
        #expect(diagnostics.first?.message.contains("2026-03-08T02:30:00") == true)
        let excluded = F.parse(F.calendar(F.event(rule + "\nEXDATE;TZID=America/New_York:20260308T023000")))
        #expect(excluded.diagnostics.isEmpty && excluded.entries.count == 2)
    }

    @Test func ambiguousTimeTakesTheEarlierInstant() {
        let text = F.calendar(F.event("DTSTART;TZID=America/New_York:20261101T013000\nDTEND;TZID=America/New_York:20261101T080000"))
        let (entries, _) = F.parse(text)
        #expect(entries.first?.shift.interval.start == F.utc(2026, 11, 1, 5, 30))
    }

    @Test func windowsZoneNames() {
        let cases: [(String, Instant)] = [
            ("Eastern Standard Time", F.utc(2026, 1, 5, 12)), ("W. Europe Standard Time", F.utc(2026, 1, 5, 6)),
            ("GMT Standard Time", F.utc(2026, 1, 5, 7)), ("Pacific Standard Time", F.utc(2026, 1, 5, 15)),
            ("Central Standard Time", F.utc(2026, 1, 5, 13)), ("Mountain Standard Time", F.utc(2026, 1, 5, 14)),
            ("AUS Eastern Standard Time", F.utc(2026, 1, 4, 20)), ("India Standard Time", F.utc(2026, 1, 5, 1, 30)),
        ]
        for (name, expected) in cases {
            let text = F.calendar(F.event("DTSTART;TZID=\"\(name)\":20260105T070000\nDURATION:PT1H"))
            let (entries, diagnostics) = F.parse(text)
            #expect(diagnostics.isEmpty, "\(name)")
            #expect(entries.first?.shift.interval.start == expected, "\(name)")
        }
    }

    @Test func everyWindowsMappingNamesARealZone() {
        for (windows, iana) in WindowsZones.mappings {
            #expect(Zone(iana) != nil, "\(windows) → \(iana)")
        }
    }

    @Test func calendarDefinedTimeZone() {
        let vtimezone = """
            BEGIN:VTIMEZONE
            TZID:Custom Eastern
            BEGIN:STANDARD
            DTSTART:16011104T020000
            RRULE:FREQ=YEARLY;BYDAY=1SU;BYMONTH=11
            TZOFFSETFROM:-0400
            TZOFFSETTO:-0500
            END:STANDARD
            BEGIN:DAYLIGHT
            DTSTART:16010311T020000
            RRULE:FREQ=YEARLY;BYDAY=2SU;BYMONTH=3
            TZOFFSETFROM:-0500
            TZOFFSETTO:-0400
            END:DAYLIGHT
            END:VTIMEZONE
            """
        let text = F.calendar(vtimezone + "\n" + F.event("""
            DTSTART;TZID=Custom Eastern:20260228T190000
            DTEND;TZID=Custom Eastern:20260301T070000
            RRULE:FREQ=WEEKLY;UNTIL=20261115T000000Z
            """))
        let (entries, diagnostics) = F.parse(text)
        #expect(diagnostics.isEmpty)
        let reference = F.parse(F.calendar(F.event("""
            DTSTART;TZID=America/New_York:20260228T190000
            DTEND;TZID=America/New_York:20260301T070000
            RRULE:FREQ=WEEKLY;UNTIL=20261115T000000Z
            """)))
        #expect(F.intervals(entries) == F.intervals(reference.entries))
        #expect(entries.count == 38)
    }

    @Test func vtimezoneWithHistoricRulesEndingInUntil() {
        let vtimezone = """
            BEGIN:VTIMEZONE
            TZID:US-Eastern-Historic
            BEGIN:STANDARD
            DTSTART:19671029T020000
            RRULE:FREQ=YEARLY;BYDAY=-1SU;BYMONTH=10;UNTIL=20061029T060000Z
            TZOFFSETFROM:-0400
            TZOFFSETTO:-0500
            END:STANDARD
            BEGIN:DAYLIGHT
            DTSTART:19870405T020000
            RRULE:FREQ=YEARLY;BYDAY=1SU;BYMONTH=4;UNTIL=20060402T070000Z
            TZOFFSETFROM:-0500
            TZOFFSETTO:-0400
            END:DAYLIGHT
            BEGIN:DAYLIGHT
            DTSTART:20070311T020000
            RRULE:FREQ=YEARLY;BYDAY=2SU;BYMONTH=3
            TZOFFSETFROM:-0500
            TZOFFSETTO:-0400
            END:DAYLIGHT
            BEGIN:STANDARD
            DTSTART:20071104T020000
            RRULE:FREQ=YEARLY;BYDAY=1SU;BYMONTH=11
            TZOFFSETFROM:-0400
            TZOFFSETTO:-0500
            END:STANDARD
            END:VTIMEZONE
            """
        let starts = ["20060401T120000", "20060403T120000", "20061028T120000", "20061030T120000",
                      "20260307T120000", "20260309T120000", "20261031T120000", "20261102T120000"]
        let events = starts.enumerated().map { i, s in F.event("DTSTART;TZID=US-Eastern-Historic:\(s)\nDURATION:PT1H", uid: "h\(i)") }
        let (entries, diagnostics) = F.parse(F.calendar(vtimezone + "\n" + events.joined(separator: "\n")))
        #expect(diagnostics.isEmpty)
        let expected = starts.map { s -> Instant in
            let (local, _) = try! ICalTimeParser.dateTime(s, property: "test")
            return try! F.newYork.instant(local)
        }
        #expect(entries.map(\.shift.interval.start) == expected)
    }

    @Test func vtimezoneWithRDatesAndFixedOffset() {
        let text = F.calendar("""
            BEGIN:VTIMEZONE
            TZID:/mozilla.org/20050126_1/Fixed
            BEGIN:STANDARD
            DTSTART:19700101T000000
            TZOFFSETFROM:+0100
            TZOFFSETTO:+0100
            END:STANDARD
            END:VTIMEZONE
            BEGIN:VTIMEZONE
            TZID:Odd
            BEGIN:DAYLIGHT
            DTSTART:20260301T020000
            RDATE:20260301T020000,20270301T020000
            TZOFFSETFROM:+0000
            TZOFFSETTO:+0200
            END:DAYLIGHT
            BEGIN:STANDARD
            DTSTART:20261001T030000
            TZOFFSETFROM:+0200
            TZOFFSETTO:+0000
            END:STANDARD
            END:VTIMEZONE
            """ + "\n" + F.event("DTSTART;TZID=/mozilla.org/20050126_1/Fixed:20260601T080000\nDURATION:PT1H", uid: "a")
            + "\n" + F.event("DTSTART;TZID=Odd:20260601T080000\nDURATION:PT1H", uid: "b")
            + "\n" + F.event("DTSTART;TZID=Odd:20261101T080000\nDURATION:PT1H", uid: "c")
            + "\n" + F.event("DTSTART;TZID=/mozilla.org/20050126_1/Europe/Paris:20260601T080000\nDURATION:PT1H", uid: "d"))
        let (entries, diagnostics) = F.parse(text)
        #expect(diagnostics.isEmpty)
        let starts = entries.map(\.shift.interval.start)
        #expect(starts == [F.utc(2026, 6, 1, 7), F.utc(2026, 6, 1, 6), F.utc(2026, 11, 1, 8), F.utc(2026, 6, 1, 6)])
    }

    @Test func unknownTimeZoneIsAnError() {
        let (entries, diagnostics) = F.parse(F.calendar(F.event("DTSTART;TZID=Mars/Olympus:20260105T070000\nDURATION:PT1H")))
        #expect(entries.isEmpty)
        #expect(diagnostics.count == 1 && diagnostics[0].line == 9)
        #expect(diagnostics[0].message.contains("TZID=Mars/Olympus") && diagnostics[0].message.contains("VTIMEZONE"))
    }

    @Test func overridesMoveCancelAndInheritWhoWorks() {
        let text = F.calendar(F.event("""
            DTSTART;TZID=Europe/Berlin:20260105T070000
            DTEND;TZID=Europe/Berlin:20260105T150000
            RRULE:FREQ=DAILY;COUNT=5
            EXDATE;TZID=Europe/Berlin:20260106T070000
            RDATE;TZID=Europe/Berlin:20260111T090000
            """, uid: "s") + "\n" + """
            BEGIN:VEVENT
            UID:s
            RECURRENCE-ID;TZID=Europe/Berlin:20260107T070000
            DTSTART;TZID=Europe/Berlin:20260107T100000
            DTEND;TZID=Europe/Berlin:20260107T180000
            END:VEVENT
            BEGIN:VEVENT
            UID:s
            RECURRENCE-ID:20260108T060000Z
            STATUS:CANCELLED
            END:VEVENT
            BEGIN:VEVENT
            UID:s
            RECURRENCE-ID;TZID=Europe/Berlin:20260109T070000
            DTSTART;TZID=Europe/Berlin:20260109T070000
            DTEND;TZID=Europe/Berlin:20260109T120000
            X-JITD-STAFF-ID:n2
            END:VEVENT
            """)
        let (entries, diagnostics) = F.parse(text)
        #expect(diagnostics.isEmpty)
        let got = entries.sorted { $0.shift.interval < $1.shift.interval }.map { ($0.shift.staffID, F.berlin.local($0.shift.interval.start).description, $0.shift.interval.seconds / 3600) }
        #expect(got.map(\.1) == ["2026-01-05T07:00:00", "2026-01-07T10:00:00", "2026-01-09T07:00:00", "2026-01-11T09:00:00"])
        #expect(got.map(\.0) == ["n1", "n1", "n2", "n1"])
        #expect(got.map(\.2) == [8, 8, 5, 8])
        #expect(entries.first { $0.shift.staffID == "n2" }?.line == 26)
        #expect(entries.first { $0.shift.staffID == "n2" }?.shift.unit == "icu")
    }

    @Test func overrideMovingAnInstanceIntoOrOutOfTheWindow() {
        let window = Interval(start: F.utc(2026, 1, 10), end: F.utc(2026, 1, 20))
        let text = F.calendar(F.event("DTSTART:20260105T070000Z\nDTEND:20260105T150000Z\nRRULE:FREQ=WEEKLY", uid: "s") + "\n" + """
            BEGIN:VEVENT
            UID:s
            RECURRENCE-ID:20260105T070000Z
            DTSTART:20260115T200000Z
            DTEND:20260115T230000Z
            END:VEVENT
            BEGIN:VEVENT
            UID:s
            RECURRENCE-ID:20260112T070000Z
            DTSTART:20260130T070000Z
            DTEND:20260130T150000Z
            END:VEVENT
            """)
        let (entries, diagnostics) = F.parse(text, F.context(window: window))
        #expect(diagnostics.isEmpty)
        #expect(F.intervals(entries) == [Interval(start: F.utc(2026, 1, 15, 20), end: F.utc(2026, 1, 15, 23)),
                                         Interval(start: F.utc(2026, 1, 19, 7), end: F.utc(2026, 1, 19, 15))])
    }

    @Test func thisAndFutureOverrideShiftsLaterInstances() {
        let text = F.calendar(F.event("DTSTART:20260105T070000Z\nDTEND:20260105T150000Z\nRRULE:FREQ=DAILY;COUNT=4", uid: "s") + "\n" + """
            BEGIN:VEVENT
            UID:s
            RECURRENCE-ID;RANGE=THISANDFUTURE:20260106T070000Z
            DTSTART:20260106T080000Z
            DTEND:20260106T120000Z
            END:VEVENT
            """)
        let (entries, diagnostics) = F.parse(text)
        #expect(diagnostics.isEmpty)
        #expect(F.intervals(entries) == [Interval(start: F.utc(2026, 1, 5, 7), end: F.utc(2026, 1, 5, 15)),
                                         Interval(start: F.utc(2026, 1, 6, 8), end: F.utc(2026, 1, 6, 12)),
                                         Interval(start: F.utc(2026, 1, 7, 8), end: F.utc(2026, 1, 7, 12)),
                                         Interval(start: F.utc(2026, 1, 8, 8), end: F.utc(2026, 1, 8, 12))])
    }

    @Test func cancelledThisAndFutureOverrideEndsTheSeries() {
        let text = F.calendar(F.event("DTSTART:20260105T070000Z\nDURATION:PT8H\nRRULE:FREQ=DAILY;COUNT=5", uid: "s")
            + "\nBEGIN:VEVENT\nUID:s\nRECURRENCE-ID;RANGE=THISANDFUTURE:20260107T070000Z\nSTATUS:CANCELLED\nEND:VEVENT")
        let (entries, diagnostics) = F.parse(text)
        #expect(diagnostics.isEmpty)
        #expect(entries.map(\.shift.interval.start) == [F.utc(2026, 1, 5, 7), F.utc(2026, 1, 6, 7)])
    }

    @Test func severalAttendeesTakeTheFirstAndWarnOnce() {
        let text = F.calendar(F.event("""
            ATTENDEE;CN=Ann:mailto:ann@x.org
            ATTENDEE;CN=Bob:mailto:bob@x.org
            LOCATION:icu
            CATEGORIES:rn
            DTSTART:20260105T070000Z
            DURATION:PT8H
            RRULE:FREQ=DAILY;COUNT=3
            """, uid: "s", who: "") + "\nBEGIN:VEVENT\nUID:s\nRECURRENCE-ID:20260106T070000Z\nDTSTART:20260106T090000Z\nDURATION:PT1H\nEND:VEVENT")
        let (entries, diagnostics) = F.parse(text)
        #expect(entries.count == 3 && entries.allSatisfy { $0.shift.staffID == "ann@x.org" && $0.shift.name == "Ann" })
        #expect(diagnostics.count == 1 && diagnostics[0].severity == .warning && diagnostics[0].line == 8)
    }

    @Test func cancelledEventsAreDropped() {
        let text = F.calendar(F.event("STATUS:CANCELLED\nDTSTART:20260105T070000Z\nDURATION:PT8H\nRRULE:FREQ=DAILY", uid: "gone")
            + "\n" + F.event("STATUS:CONFIRMED\nDTSTART:20260105T070000Z\nDURATION:PT8H", uid: "kept")
            + "\nBEGIN:VEVENT\nUID:gone\nRECURRENCE-ID:20260106T070000Z\nDTSTART:20260106T090000Z\nDURATION:PT1H\nEND:VEVENT")
        let (entries, diagnostics) = F.parse(text)
        #expect(diagnostics.isEmpty)
        #expect(entries.count == 1 && entries[0].shift.interval.start == F.utc(2026, 1, 5, 7))
    }

    @Test func allDayEventsAreSkippedWithAWarning() {
        let text = F.calendar(F.event("DTSTART;VALUE=DATE:20260105\nDTEND;VALUE=DATE:20260106", uid: "leave")
            + "\n" + F.event("DTSTART:20260105T070000Z\nDURATION:PT8H", uid: "shift"))
        let (entries, diagnostics) = F.parse(text)
        #expect(entries.count == 1)
        #expect(diagnostics.count == 1 && diagnostics[0].severity == .warning && diagnostics[0].line == 9)
        #expect(diagnostics[0].message.contains("all-day"))
    }

    @Test func allDayEventsNeedNoStaffUnitOrRole() {
        let text = F.calendar(F.event("SUMMARY:Annual leave\nDTSTART;VALUE=DATE:20260105\nDTEND;VALUE=DATE:20260110", who: "ATTENDEE:mailto:a@x.org"))
        let (entries, diagnostics) = F.parse(text)
        #expect(entries.isEmpty)
        #expect(diagnostics.map(\.severity) == [.warning])
    }

    @Test func oneEventWithSeveralProblemsReportsThemAll() {
        let text = F.calendar(F.event("""
            DTSTART;TZID=Nowhere:20260105T070000
            DURATION:PT1X
            RRULE:FREQ=DAILY;BYHOUR=25
            EXDATE;TZID=Elsewhere:20260106T070000
            """, who: "X-JITD-UNIT:icu"))
        let (entries, diagnostics) = F.parse(text)
        #expect(entries.isEmpty)
        #expect(diagnostics.map(\.line) == [4, 4, 7, 8, 9, 10])
        #expect(diagnostics.allSatisfy { $0.severity == .error })
    }

    @Test func expansionIsBoundedByTheWindowButCountsFromDTSTART() {
        let window = Interval(start: F.utc(2026, 3, 1), end: F.utc(2026, 3, 8))
        let endless = F.calendar(F.event("DTSTART:20000101T000000Z\nDURATION:PT1M\nRRULE:FREQ=MINUTELY;INTERVAL=7", uid: "m")
            + "\n" + F.event("DTSTART:20260225T070000Z\nDURATION:PT8H\nRRULE:FREQ=DAILY;COUNT=6", uid: "c")
            + "\n" + F.event("DTSTART:19900101T070000Z\nDURATION:PT8H\nRRULE:FREQ=DAILY", uid: "d"))
        let clock = ContinuousClock()
        var result: (entries: [RosterEntry], diagnostics: [Diagnostic]) = ([], [])
        let elapsed = clock.measure { result = F.parse(endless, F.context(window: window)) }
        #expect(result.diagnostics.isEmpty)
        #expect(elapsed < .seconds(2))
        let byUID = Dictionary(grouping: result.entries, by: \.line)
        #expect(byUID[4]?.count == 1440)
        #expect(byUID[13]?.map(\.shift.interval.start) == [F.utc(2026, 3, 1, 7), F.utc(2026, 3, 2, 7)])
        #expect(byUID[22]?.count == 7)
    }

    @Test func singleEventsOutsideTheWindowAreKept() {
        let window = Interval(start: F.utc(2026, 3, 1), end: F.utc(2026, 3, 8))
        let (entries, _) = F.parse(F.calendar(F.event("DTSTART:20260601T070000Z\nDURATION:PT8H")), F.context(window: window))
        #expect(entries.count == 1)
    }

    @Test func whoWorksComesFromCalendarAttendeeLocationAndCategories() {
        let text = F.calendar("X-JITD-UNIT:ward-3\n" + F.event("""
            ATTENDEE;CN="Doe, Jane";ROLE=REQ-PARTICIPANT:mailto:jane.doe@example.org
            LOCATION:ignored because the calendar names the unit
            CATEGORIES:RN\\, senior,Nursing
            X-JITD-KIND:busy
            DTSTART:20260105T070000Z
            DURATION:PT1H
            """, who: ""))
        let (entries, diagnostics) = F.parse(text)
        #expect(diagnostics.isEmpty)
        #expect(entries.first?.shift == Shift(staffID: "jane.doe@example.org", role: "RN, senior", unit: "ward-3", kind: .busy,
                                             interval: Interval(start: F.utc(2026, 1, 5, 7), end: F.utc(2026, 1, 5, 8)), name: "Doe, Jane"))
        let fromLocation = F.parse(F.calendar(F.event("ATTENDEE:MAILTO:x@y\nLOCATION:ER\nCATEGORIES:MD\nDTSTART:20260105T070000Z\nDURATION:PT1H", who: "")))
        #expect(fromLocation.entries.first?.shift.unit == "ER" && fromLocation.entries.first?.shift.role == "MD")
    }

    @Test func missingWhoIsOneErrorPerPropertyOnTheBeginLine() {
        let text = F.calendar(F.event("DTSTART:20260105T070000Z\nDURATION:PT1H", who: "SUMMARY:Day"))
        let (entries, diagnostics) = F.parse(text)
        #expect(entries.isEmpty)
        #expect(diagnostics.map(\.line) == [4, 4, 4])
        #expect(diagnostics[0].message.contains("X-JITD-STAFF-ID") && diagnostics[0].message.contains("ATTENDEE"))
        #expect(diagnostics[1].message.contains("X-JITD-UNIT") && diagnostics[1].message.contains("LOCATION"))
        #expect(diagnostics[2].message.contains("X-JITD-ROLE") && diagnostics[2].message.contains("CATEGORIES"))
    }

    @Test func everyProblemIsReportedWithItsLine() {
        let text = F.calendar(F.event("DTSTART:20260105T070000Z\nDTEND:20260105T060000Z", uid: "a")
            + "\n" + F.event("DTSTART:2026-01-05\nDURATION:PT1H", uid: "b")
            + "\n" + F.event("DTSTART:20260105T070000Z\nDURATION:PT1H\nRRULE:FREQ=WEEKLY;BYDAY=2MO", uid: "c")
            + "\n" + F.event("DTSTART:20260105T070000Z", uid: "d")
            + "\n" + F.event("X-JITD-KIND:lunch\nDTSTART:20260105T070000Z\nDURATION:PT1H", uid: "e")
            + "\nthis line is not a content line")
        let (_, diagnostics) = F.parse(text)
        #expect(diagnostics.map(\.line) == [45, 10, 17, 27, 34, 41])
        // d, with neither DTEND nor DURATION, is valid RFC 5545 (it takes no time): skipped with a warning on its DTSTART.
        #expect(diagnostics.map(\.severity) == [.error, .error, .error, .error, .warning, .error])
        #expect(diagnostics[1].message.contains("not after DTSTART"))
        #expect(diagnostics[3].message.contains("BYDAY"))
        #expect(diagnostics[4].message.contains("neither DTEND nor DURATION"))
        #expect(diagnostics[5].message.contains("X-JITD-KIND"))
    }

    @Test func duplicateUIDIsAnErrorUnlessSequenceDiffers() {
        let twice = F.calendar(F.event("DTSTART:20260105T070000Z\nDURATION:PT1H") + "\n" + F.event("DTSTART:20260106T070000Z\nDURATION:PT1H"))
        #expect(F.parse(twice).diagnostics.map(\.line) == [12])
        let updated = F.calendar(F.event("DTSTART:20260105T070000Z\nDURATION:PT1H")
            + "\n" + F.event("SEQUENCE:2\nDTSTART:20260106T070000Z\nDURATION:PT1H"))
        let (entries, diagnostics) = F.parse(updated)
        #expect(diagnostics.isEmpty && entries.map(\.shift.interval.start) == [F.utc(2026, 1, 6, 7)])
    }

    @Test func otherComponentsAreIgnored() {
        let text = F.calendar("""
            BEGIN:VTODO
            UID:t
            DTSTART:20260105T070000Z
            END:VTODO
            """ + "\n" + F.event("""
            DTSTART:20260105T070000Z
            DURATION:PT1H
            BEGIN:VALARM
            TRIGGER:-PT15M
            DURATION:PT5M
            ACTION:DISPLAY
            END:VALARM
            """))
        let (entries, diagnostics) = F.parse(text)
        #expect(diagnostics.isEmpty && entries.count == 1)
    }

    @Test func notACalendar() {
        let (entries, diagnostics) = F.parse("hello")
        #expect(entries.isEmpty && diagnostics.count == 1 && diagnostics[0].line == 1)
        let empty = F.parse("")
        #expect(empty.diagnostics.count == 1)
    }

    @Test func unbalancedComponentsAreReported() {
        let text = "BEGIN:VCALENDAR\nBEGIN:VEVENT\nUID:x\nEND:VTODO\nEND:VCALENDAR\n"
        let (_, diagnostics) = F.parse(text)
        #expect(diagnostics.prefix(2).map(\.line) == [4, 2])
        #expect(diagnostics[1].message.contains("END:VEVENT"))
    }

    @Test func rdatePeriodsAndDurations() {
        let text = F.calendar(F.event("""
            DTSTART:20260105T070000Z
            DURATION:PT8H
            RDATE;VALUE=PERIOD:20260110T070000Z/20260110T100000Z,20260111T070000Z/PT2H
            """))
        let (entries, diagnostics) = F.parse(text)
        #expect(diagnostics.isEmpty)
        #expect(F.intervals(entries).map(\.seconds) == [Int64(28_800), 10_800, 7_200])
    }

    @Test func durationDaysAreNominalAndHoursExact() {
        let text = F.calendar(F.event("DTSTART;TZID=America/New_York:20261031T190000\nDURATION:P1D", uid: "a")
            + "\n" + F.event("DTSTART;TZID=America/New_York:20261031T190000\nDURATION:PT24H", uid: "b"))
        let (entries, _) = F.parse(text)
        #expect(entries.map(\.shift.interval.seconds) == [25 * 3600, 24 * 3600])
    }
}
