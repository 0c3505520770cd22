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
    /// shifts at once. The later row (by line) is reported, naming the earlier one. Busy blocks
    /// are left out, since they lie inside shifts by design.
    public static func overlappingShifts(_ entries: [RosterEntry], zones: UnitZones, sink: inout DiagnosticSink) {
        let shifts = entries.filter { $0.shift.kind == .shift }.sorted {
            ($0.shift.staffID, $0.shift.interval.start.seconds, $0.line) < ($1.shift.staffID, $1.shift.interval.start.seconds, $1.line)
        }
        var found: [(line: Int, message: String)] = []
        var latest: RosterEntry? = nil // the entry of the current person that ends last so far
        for e in shifts {
            if let l = latest, l.shift.staffID == e.shift.staffID {
                if e.shift.interval.start < l.shift.interval.end {
                    let (earlier, later) = l.line <= e.line ? (l, e) : (e, l)
                    found.append((later.line, message(later, earlier, zones)))
                }
                if e.shift.interval.end > l.shift.interval.end { latest = e }
            } else {
                latest = e
            }
        }
        for f in found.sorted(by: { $0.line < $1.line }) { sink.error(f.message, line: f.line) }
    }

    static func message(_ later: RosterEntry, _ earlier: RosterEntry, _ zones: UnitZones) -> String {
        let who = later.shift.staffID
        let place = earlier.line == later.line ? "another occurrence of the event on line \(earlier.line)" : "their shift on line \(earlier.line)"
        return "staff '\(who)' is on two shifts at once: \(span(later.shift, zones)) overlaps \(place) "
            + "(\(span(earlier.shift, zones))); fix the times or remove one of the rows"
    }

    static func span(_ s: Shift, _ zones: UnitZones) -> String {
        let zone = zones.zone(of: s.unit)
        return "\(s.unit) \(zone.local(s.interval.start).description) to \(zone.local(s.interval.end).description) \(zone.identifier)"
    }
}
