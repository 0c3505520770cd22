import JitdCore

/// Checks across the rows of one roster file, whatever its format.
public enum RosterChecks {
    /// A file with nothing in it but blank lines (or nothing at all) is refused before any
    /// parser sees it, with what a roster of its kind should hold. Returns false then.
    public static func hasContent(_ text: String, ext: String, sink: inout DiagnosticSink) -> Bool {
        guard text.allSatisfy({ $0.isWhitespace || $0 == "\u{FEFF}" }) else { return true }
        let what = text.isEmpty ? "the file is empty" : "the file holds only blank lines"
        let hint = switch ext {
        case "json": #"a JSON roster is {"shifts": [{"staff_id": …, "role": …, "unit": …, "start": …, "end": …}]}"#
        case "ics": "an .ics roster is a VCALENDAR holding one VEVENT per shift"
        default: "a roster needs a header row (staff_id,role,unit,start,end) and one row per shift"
        }
        sink.error("\(what); \(hint)", line: 1)
        return false
    }

    /// Two shifts of the same person in one file must not overlap: one person cannot work two
    /// shifts at once. The later row (by line) is reported, naming the earlier one.
    public static func overlappingShifts(_ entries: [RosterEntry], zones: UnitZones, sink: inout DiagnosticSink) {
        var overlaps = ShiftOverlaps()
        for e in entries { overlaps.add(e) }
        overlaps.report(zones: zones, sink: &sink)
    }
}
