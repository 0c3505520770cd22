import JitdCore

/// CSV rosters per SPEC: `staff_id, role, unit`, then `start, end` or `date, start_time, end_time`,
/// optional `kind` and `name`, with the aliases schedulers' exports use.
public enum RosterCSVParser {
    static let aliases: [String: String] = [
        "staffid": "staff_id", "employeeid": "staff_id", "personid": "staff_id", "empid": "staff_id",
        "role": "role", "job": "role", "jobcode": "role",
        "unit": "unit", "department": "unit", "location": "unit",
        "start": "start", "end": "end",
        "date": "date", "starttime": "start_time", "endtime": "end_time",
        "kind": "kind", "type": "kind",
        "name": "name", "staffname": "name",
    ]

    /// A whole CSV roster held in memory (tests, completions-like inputs): the same path as the
    /// inbox's streaming read, fed in one piece, overlaps included. Entries after the first
    /// error are left out.
    public static func parse(text: String, file: String, context: RosterContext, sink: inout DiagnosticSink) -> [RosterEntry] {
        var out: [RosterEntry] = []
        var stream = RosterCSVStream(context: context)
        let bytes = Array(text.utf8)
        bytes.withUnsafeBufferPointer { b in
            try? stream.feed(b, sink: &sink) { out.append($0) }
            try? stream.finish(sink: &sink) { out.append($0) }
        }
        return out
    }

    static func checkHeader(_ h: CSVHeader, line: Int, _ sink: inout DiagnosticSink) -> Bool {
        let before = sink.errorCount
        for name in ["staff_id", "role", "unit"] where !h.has(name) {
            sink.error("header has no '\(name)' column (aliases: \(aliases.filter { $0.value == name }.keys.sorted().joined(separator: ", "))); add it", line: line)
        }
        let startEnd = h.has("start") && h.has("end")
        let split = h.has("date") && h.has("start_time") && h.has("end_time")
        if !startEnd && !split {
            sink.error("header needs 'start' and 'end' columns, or 'date', 'start_time' and 'end_time'", line: line)
        }
        for d in h.duplicates { sink.error("column '\(d)' appears twice in the header; keep one", line: line) }
        for u in h.unknown { sink.warning("unknown column '\(u)' is ignored", line: line) }
        return sink.errorCount == before
    }

    static func entry(_ r: CSVReader.Record, _ h: CSVHeader, _ width: Int, _ ctx: RosterContext,
                      _ sink: inout DiagnosticSink) -> RosterEntry? {
        if r.fields.count != width {
            sink.error("row has \(r.fields.count) fields but the header has \(width); check for a stray or missing delimiter", line: r.line)
            return nil
        }
        let before = sink.errorCount
        func required(_ name: String) -> String? {
            if let v = h.value(name, in: r.fields) { return v }
            sink.error("'\(name)' is empty; every row needs one", line: r.line, column: (h.index[name] ?? 0) + 1)
            return nil
        }
        let staff = required("staff_id"), role = required("role"), unit = required("unit")
        var kind = ShiftKind.shift
        if let k = h.value("kind", in: r.fields) {
            if let parsed = ShiftKind(rawValue: k.lowercased()) { kind = parsed } else {
                sink.error("kind '\(k)' is neither 'shift' nor 'busy'", line: r.line, column: h.index["kind"]! + 1)
            }
        }
        let zone = ctx.zones.zone(of: unit ?? "")
        let interval = h.has("start") && h.has("end")
            ? startEnd(r, h, zone, &sink) : dateAndTimes(r, h, zone, &sink)
        guard sink.errorCount == before, let staff, let role, let unit, let interval else { return nil }
        return RosterEntry(shift: Shift(staffID: staff, role: role, unit: unit, kind: kind, interval: interval,
                                        name: h.value("name", in: r.fields)),
                           line: r.line)
    }

    static func startEnd(_ r: CSVReader.Record, _ h: CSVHeader, _ zone: Zone, _ sink: inout DiagnosticSink) -> Interval? {
        func time(_ name: String) -> Instant? {
            let col = h.index[name]! + 1
            guard let v = h.value(name, in: r.fields) else {
                sink.error("'\(name)' is empty; write a date-time such as 2026-11-24T07:00", line: r.line, column: col)
                return nil
            }
            do { return try RosterTime.instant(v, zone: zone) } catch {
                sink.error("'\(name)': \(error.message)", line: r.line, column: col)
                return nil
            }
        }
        guard let s = time("start"), let e = time("end") else { return nil }
        guard s < e else {
            sink.error("end \(e.rfc3339) is not after start \(s.rfc3339); a shift must end after it starts", line: r.line)
            return nil
        }
        return Interval(start: s, end: e)
    }

    /// `date` + `start_time` + `end_time`, local; an end not after the start ends the next day.
    static func dateAndTimes(_ r: CSVReader.Record, _ h: CSVHeader, _ zone: Zone, _ sink: inout DiagnosticSink) -> Interval? {
        guard let d = h.value("date", in: r.fields), let date = RosterTime.parseDate(d) else {
            sink.error("'date' must be a date such as 2026-11-24", line: r.line, column: h.index["date"]! + 1)
            return nil
        }
        func clock(_ name: String) -> (Int, Int, Int)? {
            guard let v = h.value(name, in: r.fields), let c = RosterTime.parseClock(v) else {
                sink.error("'\(name)' must be a time such as 07:00", line: r.line, column: h.index[name]! + 1)
                return nil
            }
            return c
        }
        guard let a = clock("start_time"), let b = clock("end_time") else { return nil }
        let startLocal = LocalDateTime(year: date.0, month: date.1, day: date.2, hour: a.0, minute: a.1, second: a.2)
        var endLocal = LocalDateTime(year: date.0, month: date.1, day: date.2, hour: b.0, minute: b.1, second: b.2)
        if endLocal <= startLocal { endLocal = LocalDateTime(naiveSeconds: endLocal.naiveSeconds + 86_400) }
        do {
            let s = try RosterTime.inZone(startLocal, zone)
            let e = try RosterTime.inZone(endLocal, zone)
            return Interval(start: s, end: e)
        } catch {
            sink.error(error.message, line: r.line)
            return nil
        }
    }
}
