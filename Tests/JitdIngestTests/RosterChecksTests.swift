import Testing
@testable import JitdCore
@testable import JitdIngest

/// Checks across the rows of one roster file (`RosterChecks`), through `InputFileReader` so
/// that every roster format is covered.
@Suite struct RosterChecksTests {
    let context = RosterContext(zones: UnitZones(site: Zone("America/New_York")!),
                                window: Interval(start: Instant(seconds: 0), end: Instant(seconds: 4_000_000_000)))

    func problems(_ name: String, _ text: String) -> [String] {
        var sink = DiagnosticSink(file: name)
        _ = InputFileReader.parse(name: name, text: text, context: context, sink: &sink)
        return sink.items.map(\.description)
    }

    @Test func overlappingShiftsOfOnePersonAreAnErrorOnTheLaterRow() {
        let text = """
        staff_id,role,unit,start,end
        7,RN,MICU,2026-11-24T07:00,2026-11-24T19:00
        8,RN,MICU,2026-11-24T07:00,2026-11-24T19:00
        7,RN,5-West,2026-11-24T17:00,2026-11-25T05:00
        """
        #expect(problems("r.csv", text) == [
            "r.csv:4: error: staff '7' is on two shifts at once: 5-West 2026-11-24T17:00:00 to 2026-11-25T05:00:00 America/New_York "
                + "overlaps their shift on line 2 (MICU 2026-11-24T07:00:00 to 2026-11-24T19:00:00 America/New_York); "
                + "fix the times or remove one of the rows",
        ])
    }

    @Test func theLaterLineIsReportedEvenWhenItStartsFirst() {
        let text = """
        staff_id,role,unit,start,end
        7,RN,MICU,2026-11-24T07:00,2026-11-24T19:00
        7,RN,MICU,2026-11-24T05:00,2026-11-24T08:00
        7,RN,MICU,2026-11-24T05:00,2026-11-24T08:00
        """
        let p = problems("r.csv", text)
        #expect(p.count == 2)
        #expect(p[0].hasPrefix("r.csv:3: error: staff '7' is on two shifts at once"))
        #expect(p[0].contains("on line 2 "))
        #expect(p[1].hasPrefix("r.csv:4: error: staff '7' is on two shifts at once"))
    }

    @Test func backToBackShiftsBusyBlocksAndOtherPeopleAreFine() {
        let text = """
        staff_id,role,unit,start,end,kind
        7,RN,MICU,2026-11-24T07:00,2026-11-24T19:00,shift
        7,RN,MICU,2026-11-24T19:00,2026-11-25T07:00,shift
        7,RN,MICU,2026-11-24T10:00,2026-11-24T11:00,busy
        8,RN,MICU,2026-11-24T07:00,2026-11-24T19:00,shift
        """
        #expect(problems("r.csv", text).isEmpty)
    }

    @Test func jsonAndICalendarRostersAreCheckedToo() {
        let json = """
        {"shifts": [
          {"staff_id": "1", "role": "RN", "unit": "MICU", "start": "2026-11-24T07:00Z", "end": "2026-11-24T19:00Z"},
          {"staff_id": "1", "role": "RN", "unit": "MICU", "start": "2026-11-24T18:00Z", "end": "2026-11-25T06:00Z"}
        ]}
        """
        let j = problems("r.json", json)
        #expect(j.count == 1)
        #expect(j.first?.hasPrefix("r.json:3: error: staff '1' is on two shifts at once") == true)
        #expect(j.first?.contains("on line 2 ") == true)
        let ics = [
            "BEGIN:VCALENDAR", "VERSION:2.0", "PRODID:-//t//EN",
            "BEGIN:VEVENT", "UID:a", "DTSTART:20261124T070000Z", "DTEND:20261124T190000Z",
            "X-JITD-STAFF-ID:1", "X-JITD-ROLE:RN", "X-JITD-UNIT:MICU", "END:VEVENT",
            "BEGIN:VEVENT", "UID:b", "DTSTART:20261124T120000Z", "DTEND:20261124T200000Z",
            "X-JITD-STAFF-ID:1", "X-JITD-ROLE:RN", "X-JITD-UNIT:MICU", "END:VEVENT",
            "END:VCALENDAR", "",
        ].joined(separator: "\r\n")
        let i = problems("r.ics", ics)
        #expect(i.count == 1)
        #expect(i.first?.contains("is on two shifts at once") == true)
    }

    @Test func emptyAndBlankFilesSayWhatARosterHolds() {
        #expect(problems("r.csv", "") == ["r.csv:1: error: the file is empty; a roster needs a header row (staff_id,role,unit,start,end) and one row per shift"])
        #expect(problems("r.csv", "\u{FEFF}\r\n \n") == ["r.csv:1: error: the file holds only blank lines; a roster needs a header row (staff_id,role,unit,start,end) and one row per shift"])
        #expect(problems("r.ics", "\n").first?.contains("an .ics roster is a VCALENDAR") == true)
        #expect(problems("r.json", "").first?.hasPrefix("r.json:1: error: the file is empty; a JSON roster is {\"shifts\"") == true)
    }
}
