import Testing
@testable import JitdCore
@testable import JitdIngest

@Suite struct RosterCSVTests {
    let ny = UnitZones(site: Zone("America/New_York")!)
    var context: RosterContext {
        RosterContext(zones: ny, window: Interval(start: Instant(seconds: 0), end: Instant(seconds: 4_000_000_000)))
    }

    func parse(_ text: String) -> ([RosterEntry], [Diagnostic]) {
        var sink = DiagnosticSink(file: "r.csv")
        let out = RosterCSVParser.parse(text: text, file: "r.csv", context: context, sink: &sink)
        return (out, sink.items)
    }

    @Test func readsAliasesSemicolonsBOMAndCRLF() {
        let text = "\u{FEFF}Employee ID;Job Code;Department;Start;End\r\n42;RN;MICU;2026-11-24T07:00;2026-11-24T19:00\r\n"
        let (rows, problems) = parse(text)
        #expect(problems.isEmpty)
        #expect(rows.count == 1)
        #expect(rows[0].shift.staffID == "42")
        #expect(rows[0].shift.interval.start.rfc3339 == "2026-11-24T12:00:00Z")
        #expect(rows[0].line == 2)
    }

    @Test func quotedFieldsMayHoldDelimitersQuotesAndNewlines() {
        let text = "staff_id,role,unit,start,end,name\n7,RN,\"5-West, annex\",2026-11-24T07:00Z,2026-11-24T19:00Z,\"Lee \"\"Ace\"\"\nJr\"\n8,RN,MICU,2026-11-24T07:00Z,2026-11-24T19:00Z,x\n"
        let (rows, problems) = parse(text)
        #expect(problems.isEmpty)
        #expect(rows.map(\.shift.unit) == ["5-West, annex", "MICU"])
        #expect(rows[0].shift.name == "Lee \"Ace\"\nJr")
        #expect(rows[1].line == 4)
    }

    @Test func overnightShiftsAcrossDSTChanges() {
        let text = "staff_id\trole\tunit\tdate\tstart_time\tend_time\n1\tRN\tMICU\t2026-10-31\t19:00\t07:00\n2\tRN\tMICU\t2026-03-07\t19:00\t07:00\n"
        let (rows, problems) = parse(text)
        #expect(problems.isEmpty)
        #expect(rows.map { $0.shift.interval.seconds / 3600 } == [13, 11])
    }

    @Test func everyBadRowIsReportedWithLineAndColumn() {
        let text = """
        staff_id,role,unit,start,end,kind
        1,RN,MICU,2026-03-08T02:30,2026-03-08T08:00,shift
        ,RN,MICU,2026-11-24T07:00,2026-11-24T19:00,shift
        3,RN,MICU,2026-11-24T19:00,2026-11-24T07:00,shift
        4,RN,MICU,24/11/2026,2026-11-24T19:00,nap
        5,RN,MICU
        """
        let (_, problems) = parse(text)
        let d = problems.map(\.description)
        #expect(d.contains { $0.hasPrefix("r.csv:2:4: error: 'start': 2026-03-08T02:30:00 does not exist in America/New_York") })
        #expect(d.contains { $0.hasPrefix("r.csv:3:1: error: 'staff_id' is empty") })
        #expect(d.contains { $0.hasPrefix("r.csv:4: error: end") })
        #expect(d.contains { $0.hasPrefix("r.csv:5:6: error: kind 'nap'") })
        #expect(d.contains { $0.hasPrefix("r.csv:5:4: error: 'start': '24/11/2026' is not a date-time") })
        #expect(d.contains { $0.hasPrefix("r.csv:6: error: row has 3 fields") })
    }

    @Test func missingColumnsAreNamed() {
        let (_, problems) = parse("staff,role,start,end\n")
        #expect(problems.contains { $0.description.contains("header has no 'staff_id' column") })
        #expect(problems.contains { $0.description.contains("header has no 'unit' column") })
    }

    @Test func completionsAreToldFromRostersByTheirHeader() {
        let text = "staff_id,module_id,completed_at\n1,sepsis,2026-11-01\n2,sepsis,2026-11-02T10:00Z\n"
        #expect(CompletionsCSVParser.looksLikeCompletions(text))
        var sink = DiagnosticSink(file: "c.csv")
        guard case .completions(let list)? = InputFileReader.parse(name: "c.csv", text: text, context: context, sink: &sink) else {
            Issue.record("not read as completions"); return
        }
        #expect(list.count == 2)
        #expect(list[1].completedAt.rfc3339 == "2026-11-02T10:00:00Z")
    }

    @Test func jsonRostersReportProblemsAtTheirLines() {
        let text = """
        {"shifts": [
          {"staff_id": "1", "role": "RN", "unit": "MICU", "start": "2026-11-24T07:00", "end": "2026-11-24T19:00"},
          {"staff_id": "2", "role": "RN", "start": "2026-11-24T07:00", "end": "2026-11-24T19:00", "colour": "red"}
        ]}
        """
        var sink = DiagnosticSink(file: "r.json")
        let rows = RosterJSONParser.parse(text: text, file: "r.json", context: context, sink: &sink)
        #expect(rows.count == 1)
        #expect(sink.items.map(\.description).contains { $0.hasPrefix("r.json:3: error: unknown key \"colour\"") })
        #expect(sink.items.map(\.description).contains { $0.hasPrefix("r.json:3: error: missing \"unit\"") })
    }

    @Test func rosterMergeReplacesUnitDays() {
        let z = UnitZones()
        func s(_ id: String, _ unit: String, _ day: Int) -> Shift {
            let start = Instant(rfc3339: String(format: "2026-11-%02dT07:00:00Z", day))!
            return Shift(staffID: id, role: "RN", unit: unit, interval: Interval(start: start, end: start.adding(minutes: 720)))
        }
        let merged = RosterMerge.apply([s("new", "MICU", 24)], to: [s("old", "MICU", 24), s("keep", "MICU", 25), s("other", "5W", 24)], zones: z)
        #expect(Set(merged.map(\.staffID)) == ["new", "keep", "other"])
    }
}
