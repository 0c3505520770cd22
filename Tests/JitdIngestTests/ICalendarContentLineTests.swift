import Testing
import JitdCore
@testable import JitdIngest

@Suite("iCalendar content lines and values")
struct ICalendarContentLineTests {
    private func lines(_ text: String) -> ([ICalContentLine], [Diagnostic]) {
        var sink = DiagnosticSink(file: "t.ics")
        let result = ICalContentLines.parse(text, sink: &sink)
        return (result, sink.items)
    }

    @Test func unfoldsCRLFAndLFWithSpaceOrTabAndKeepsStartLines() {
        let text = "\u{FEFF}BEGIN:VCALENDAR\r\nDESCRIPTION:one\r\n  two\r\n\tthree\nSUMMARY:x\n\nLOCATION:y\r\n"
        let (result, diagnostics) = lines(text)
        #expect(diagnostics.isEmpty)
        #expect(result.map(\.name) == ["BEGIN", "DESCRIPTION", "SUMMARY", "LOCATION"])
        #expect(result[1].value == "one twothree")
        #expect(result.map(\.line) == [1, 2, 5, 7])
    }

    @Test func parametersWithQuotesListsAndCaretEscapes() throws {
        let line = try ICalContentLines.parseLine(Array(#"attendee;cn="Doe; Jane: MD";member="a,b","c";x-note=say ^'hi^'^n:mailto:j@x.org"#.utf8), line: 3)
        #expect(line.name == "ATTENDEE")
        #expect(line.parameter("CN") == "Doe; Jane: MD")
        #expect(line.parameters["MEMBER"] == ["a,b", "c"])
        #expect(line.parameter("X-NOTE") == "say \"hi\"\n")
        #expect(line.value == "mailto:j@x.org")
        #expect(line.line == 3)
    }

    @Test func malformedLinesAreErrorsWithTheirLineNumber() {
        let (result, diagnostics) = lines("BEGIN:VCALENDAR\nSUMMARY;CN=\"open:x\n no colon here\nLOCATION\n:value\n")
        #expect(result.map(\.name) == ["BEGIN"])
        #expect(diagnostics.map(\.line) == [2, 4, 5])
        #expect(diagnostics[0].message.contains("quote"))
        #expect(diagnostics[1].message.contains("':'"))
    }

    @Test func textUnescaping() {
        #expect(ICalText.unescape(#"a\,b\;c\nd\Ne\\f\x"#) == "a,b;c\nd\ne\\f\\x")
        #expect(ICalText.list(#"RN\, senior, ICU ,\\"#) == ["RN, senior", "ICU", "\\"])
        #expect(ICalContentLine(name: "LOCATION", value: #" Ward 3\, east "#, line: 1).text == "Ward 3, east")
    }

    @Test func durations() throws {
        #expect(try ICalDuration.parse("PT12H") == ICalDuration(days: 0, seconds: 43_200))
        #expect(try ICalDuration.parse("P1W") == ICalDuration(days: 7, seconds: 0))
        #expect(try ICalDuration.parse("+P1DT2H30M15S") == ICalDuration(days: 1, seconds: 9015))
        #expect(try ICalDuration.parse("-PT15M") == ICalDuration(days: 0, seconds: -900))
        for bad in ["P", "PT", "12H", "PT1D", "P1H", "PTH", "P1DT"] {
            #expect(throws: ICalValueError.self, "\(bad)") { try ICalDuration.parse(bad) }
        }
    }

    @Test func dateAndDateTimeValues() throws {
        let utc = try ICalTimeParser.value(of: ICalContentLine(name: "DTSTART", value: "20260105T070000Z", line: 1))
        #expect(utc == .dateTime(LocalDateTime(year: 2026, month: 1, day: 5, hour: 7), .utc))
        let zoned = try ICalTimeParser.value(of: ICalContentLine(name: "DTSTART", parameters: ["TZID": ["Europe/Berlin"]],
                                                                 value: "20260105T070000", line: 1))
        #expect(zoned == .dateTime(LocalDateTime(year: 2026, month: 1, day: 5, hour: 7), .tzid("Europe/Berlin")))
        let date = try ICalTimeParser.value(of: ICalContentLine(name: "DTSTART", parameters: ["VALUE": ["DATE"]], value: "20260105", line: 1))
        #expect(date.isDate)
        let list = try ICalTimeParser.values(of: ICalContentLine(name: "EXDATE", value: "20260105T070000Z,20260106T070000Z", line: 1))
        #expect(list.count == 2)
        for bad in ["20260230T070000", "20260105T250000", "2026-01-05T07:00:00", "20260105 070000"] {
            #expect(throws: ICalValueError.self, "\(bad)") {
                try ICalTimeParser.value(of: ICalContentLine(name: "DTSTART", value: bad, line: 1))
            }
        }
        #expect(try ICalTimeParser.utcOffset("-0430", property: "TZOFFSETTO") == -16_200)
        #expect(try ICalTimeParser.utcOffset("+053015", property: "TZOFFSETTO") == 19_815)
    }

    @Test func componentTreeKeepsNestingAndInheritsOnlyNamedProperties() {
        var sink = DiagnosticSink(file: "t.ics")
        let lines = ICalContentLines.parse("BEGIN:VCALENDAR\nBEGIN:VEVENT\nLOCATION:a\nBEGIN:VALARM\nACTION:DISPLAY\nEND:VALARM\nEND:VEVENT\nEND:VCALENDAR", sink: &sink)
        let roots = ICalComponentReader.read(lines, sink: &sink)
        #expect(sink.items.isEmpty)
        let event = roots[0].children("VEVENT")[0]
        #expect(event.line == 2 && event.properties.map(\.name) == ["LOCATION"] && event.children("VALARM").count == 1)
        let child = ICalComponent(name: "VEVENT", line: 9, properties: [ICalContentLine(name: "DTSTART", value: "x", line: 10)])
        let merged = child.inheriting(["LOCATION", "DTSTART"], from: event)
        #expect(merged.properties.map(\.name) == ["DTSTART", "LOCATION"] && merged.first("DTSTART")?.value == "x")
    }
}
