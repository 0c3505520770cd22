import Testing
import JitdCore
@testable import JitdIngest

/// iCalendar as calendar programs write it: shapes that are valid RFC 5545 (or that every other
/// reader tolerates) and that a roster must not be refused for, next to the ones that stay refused.
@Suite("iCalendar as calendar programs write it")
struct ICalendarAsWrittenTests {
    typealias F = ICalFixture

    /// A weekly 07:00–19:00 shift in Berlin from Monday 2026-01-05, four times, as series `s`.
    static let weekly = F.event("""
        DTSTART;TZID=Europe/Berlin:20260105T070000
        DTEND;TZID=Europe/Berlin:20260105T190000
        RRULE:FREQ=WEEKLY;COUNT=4
        """, uid: "s")

    static func starts(_ entries: [RosterEntry]) -> [String] {
        entries.map { F.berlin.local($0.shift.interval.start).description }.sorted()
    }

    @Test func anOverrideMakingAnInstanceAllDayRemovesThatShift() {
        // Thunderbird and Outlook mark a day off by turning that instance into an all-day event.
        let text = F.calendar(Self.weekly + "\n" + """
            BEGIN:VEVENT
            UID:s
            RECURRENCE-ID;TZID=Europe/Berlin:20260112T070000
            SUMMARY:Annual leave
            DTSTART;VALUE=DATE:20260112
            DTEND;VALUE=DATE:20260113
            END:VEVENT
            """)
        let (entries, diagnostics) = F.parse(text)
        #expect(Self.starts(entries) == ["2026-01-05T07:00:00", "2026-01-19T07:00:00", "2026-01-26T07:00:00"])
        #expect(diagnostics.count == 1)
        #expect(diagnostics.first?.severity == .warning && diagnostics.first?.line == 17)
        #expect(diagnostics.first?.message.contains("all-day") == true)
    }

    @Test func anAllDayOverrideForThisAndFutureEndsTheSeriesThere() {
        let text = F.calendar(Self.weekly + "\n" + """
            BEGIN:VEVENT
            UID:s
            RECURRENCE-ID;RANGE=THISANDFUTURE;TZID=Europe/Berlin:20260119T070000
            DTSTART;VALUE=DATE:20260119
            END:VEVENT
            """)
        let (entries, diagnostics) = F.parse(text)
        #expect(Self.starts(entries) == ["2026-01-05T07:00:00", "2026-01-12T07:00:00"])
        #expect(diagnostics.map(\.severity) == [.warning])
    }

    @Test func cancelledAllDayAndMovedOverridesTogether() {
        // One series as a scheduler's calendar leaves it after a month of changes; the override
        // of the 12th is cancelled, the 19th is a day off, the 26th starts two hours later.
        let text = F.calendar(Self.weekly + "\n" + """
            BEGIN:VEVENT
            UID:s
            RECURRENCE-ID;TZID=Europe/Berlin:20260112T070000
            STATUS:CANCELLED
            DTSTART;TZID=Europe/Berlin:20260112T070000
            DTEND;TZID=Europe/Berlin:20260112T190000
            END:VEVENT
            BEGIN:VEVENT
            UID:s
            RECURRENCE-ID:20260119T060000Z
            DTSTART;VALUE=DATE:20260119
            END:VEVENT
            BEGIN:VEVENT
            UID:s
            RECURRENCE-ID;TZID=Europe/Berlin:20260126T070000
            DTSTART;TZID=Europe/Berlin:20260126T090000
            DTEND;TZID=Europe/Berlin:20260126T190000
            END:VEVENT
            """)
        let (entries, diagnostics) = F.parse(text)
        #expect(Self.starts(entries) == ["2026-01-05T07:00:00", "2026-01-26T09:00:00"])
        #expect(diagnostics.map(\.severity) == [.warning])
    }

    @Test func anEventWithNeitherEndNorDurationIsSkippedWithAWarning() {
        // RFC 5545 §3.6.1: a DATE-TIME DTSTART without DTEND or DURATION ends when it starts.
        let text = F.calendar(F.event("SUMMARY:Handover huddle\nDTSTART;TZID=Europe/Berlin:20260105T063000", uid: "huddle",
                                      who: "ORGANIZER:mailto:charge@x.org")
            + "\n" + F.event("DTSTART;TZID=Europe/Berlin:20260105T070000\nDTEND;TZID=Europe/Berlin:20260105T190000", uid: "shift"))
        var sink = DiagnosticSink(file: "roster.ics")
        let entries = ICalendarRosterParser.parse(text: text, file: "roster.ics", context: F.context(), sink: &sink)
        #expect(entries.map(\.shift.interval) == [Interval(start: F.utc(2026, 1, 5, 6), end: F.utc(2026, 1, 5, 18))])
        #expect(!sink.hasErrors)
        #expect(sink.items.map(\.line) == [8])
        #expect(sink.items.first?.severity == .warning)
        #expect(sink.items.first?.message.contains("neither DTEND nor DURATION") == true)
        #expect(sink.items.first.map(\.description)?.hasPrefix("roster.ics:8: warning: ") == true)
    }

    @Test func aRecurringEventOrAnOverrideWithoutAnEndIsSkippedToo() {
        let recurring = F.calendar(F.event("DTSTART:20260105T070000Z\nRRULE:FREQ=DAILY;COUNT=3", uid: "r"))
        let skipped = F.parse(recurring)
        #expect(skipped.entries.isEmpty && skipped.diagnostics.map(\.severity) == [.warning])
        // An override is a whole event (RFC 5545 §3.8.4.4): without an end it takes no time, so the instance goes.
        let override = F.calendar(Self.weekly + "\nBEGIN:VEVENT\nUID:s\nRECURRENCE-ID;TZID=Europe/Berlin:20260112T070000\n"
            + "DTSTART;TZID=Europe/Berlin:20260112T080000\nEND:VEVENT")
        let (entries, diagnostics) = F.parse(override)
        #expect(Self.starts(entries) == ["2026-01-05T07:00:00", "2026-01-19T07:00:00", "2026-01-26T07:00:00"])
        #expect(diagnostics.map(\.severity) == [.warning] && diagnostics.first?.line == 16)
    }

    @Test func anEventThatEndsWhenItStartsIsSkippedButOneEndingBeforeIsAnError() {
        // Google Calendar writes an event of no length with DTEND equal to DTSTART.
        let text = F.calendar(F.event("DTSTART;TZID=Europe/Berlin:20261126T213000\nDTEND;TZID=Europe/Berlin:20261126T213000\n"
                                      + "RRULE:FREQ=MONTHLY;BYDAY=-1FR", uid: "google")
            + "\n" + F.event("DTSTART:20261127T070000Z\nDURATION:PT0S", uid: "zero")
            + "\n" + F.event("DTSTART:20261128T070000Z\nDTEND:20261128T065900Z", uid: "backwards"))
        let (entries, diagnostics) = F.parse(text)
        #expect(entries.isEmpty)
        #expect(diagnostics.map(\.severity) == [.warning, .warning, .error])
        #expect(diagnostics.map(\.line) == [9, 18, 27])
        #expect(diagnostics[0].message.contains("DTEND equals its DTSTART") && diagnostics[1].message.contains("PT0S"))
        #expect(diagnostics[2].message.contains("not after DTSTART"))
    }

    @Test func aTZIDWithALeadingSlashNamesTheZoneAfterIt() {
        // Older programs mark zone ids as globally unique (RFC 5545 §3.2.19) with a leading slash.
        let text = F.calendar(F.event("""
            DTSTART;TZID=/Europe/Stockholm:20260105T070000
            DTEND;TZID=/Europe/Stockholm:20260105T190000
            RRULE:FREQ=WEEKLY;COUNT=2
            EXDATE;TZID=/Europe/Stockholm:20260112T070000
            RDATE;TZID=/America/New_York:20260113T070000
            """))
        let (entries, diagnostics) = F.parse(text)
        #expect(diagnostics.isEmpty, "\(diagnostics)")
        #expect(F.intervals(entries) == [Interval(start: F.utc(2026, 1, 5, 6), end: F.utc(2026, 1, 5, 18)),
                                         Interval(start: F.utc(2026, 1, 13, 12), end: F.utc(2026, 1, 14, 0))])
    }

    @Test func aSlashedTZIDThatNamesNoZoneIsStillAnError() {
        let (entries, diagnostics) = F.parse(F.calendar(F.event("DTSTART;TZID=/Mars/Olympus:20260105T070000\nDURATION:PT1H")))
        #expect(entries.isEmpty)
        #expect(diagnostics.count == 1 && diagnostics.first?.severity == .error && diagnostics.first?.line == 9)
    }

    @Test func brokenRFC5545StaysRefusedWithItsLine() {
        let both = F.calendar(F.event("DTSTART:20260105T070000Z\nDTEND:20260105T190000Z\nDURATION:PT12H"))
        let bothResult = F.parse(both)
        #expect(bothResult.entries.isEmpty)
        #expect(bothResult.diagnostics.map(\.line) == [10] && bothResult.diagnostics.first?.severity == .error)
        #expect(bothResult.diagnostics.first?.message.contains("both DTEND and DURATION") == true)
        // Events with no VCALENDAR around them, as some exports of a single event are.
        let bare = "BEGIN:VEVENT\r\nUID:x\r\nDTSTART:20260105T070000Z\r\nDTEND:20260105T190000Z\r\nEND:VEVENT\r\n"
        let bareResult = F.parse(bare)
        #expect(bareResult.entries.isEmpty)
        #expect(bareResult.diagnostics.map(\.line) == [1] && bareResult.diagnostics.first?.severity == .error)
        #expect(bareResult.diagnostics.first?.message.contains("VCALENDAR") == true)
        // A calendar inside a calendar, whose events would otherwise go unread.
        let nested = "BEGIN:VCALENDAR\r\nBEGIN:VCALENDAR\r\n" + String(F.calendar(F.event("DTSTART:20260105T070000Z\nDURATION:PT1H"))
            .dropFirst("BEGIN:VCALENDAR\r\n".count)) + "END:VCALENDAR\r\n"
        let nestedResult = F.parse(nested)
        #expect(nestedResult.diagnostics.map(\.line) == [2] && nestedResult.diagnostics.first?.severity == .error)
    }
}
