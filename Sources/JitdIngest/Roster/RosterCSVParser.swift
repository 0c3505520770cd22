import JitdCore

/// CSV rosters as the contract has it (docs/configuration.md): `staff_id, role, unit`, then `start, end` or `date, start_time, end_time`,
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
            sink.error("header has no \(Brief.quoted(name)) column (aliases: \(aliases.filter { $0.value == name }.keys.sorted().joined(separator: ", "))); add it", line: line)
        }
        let startEnd = h.has("start") && h.has("end")
        let split = h.has("date") && h.has("start_time") && h.has("end_time")
        if !startEnd && !split {
            sink.error("header needs 'start' and 'end' columns, or 'date', 'start_time' and 'end_time'", line: line)
        }
        for d in h.duplicates { sink.error("column \(Brief.quoted(d)) appears twice in the header; keep one", line: line) }
        for u in h.unknown { sink.warning("unknown column \(Brief.quoted(u)) is ignored", line: line) }
        return sink.errorCount == before
    }

    /// The columns of a roster's header, looked up once a file rather than once a row.
    struct Columns {
        let staff: Int, role: Int, unit: Int
        let start: Int?, end: Int?, date: Int?, startTime: Int?, endTime: Int?, kind: Int?, name: Int?
        /// Whether rows give `start` and `end` (else `date`, `start_time` and `end_time`).
        var startEnd: Bool { start != nil && end != nil }

        /// `nil` unless the header has the three required columns (``checkHeader`` says why).
        init?(_ h: CSVHeader) {
            guard let staff = h.index["staff_id"], let role = h.index["role"], let unit = h.index["unit"] else { return nil }
            (self.staff, self.role, self.unit) = (staff, role, unit)
            (start, end, date) = (h.index["start"], h.index["end"], h.index["date"])
            (startTime, endTime, kind, name) = (h.index["start_time"], h.index["end_time"], h.index["kind"], h.index["name"])
        }
    }

    /// Field `i` of the row, trimmed; `nil` when the column is absent or the field is blank.
    static func value(_ i: Int?, _ fields: [String]) -> String? {
        guard let i, i < fields.count else { return nil }
        let v = CSVHeader.trimmed(fields[i])
        return v.isEmpty ? nil : v
    }

    static func entry(_ r: CSVReader.Record, _ c: Columns, _ width: Int, _ ctx: RosterContext,
                      _ memo: inout LocalTimeMemo, _ sink: inout DiagnosticSink) -> RosterEntry? {
        if r.fields.count != width {
            sink.error("row has \(r.fields.count) fields but the header has \(width); check for a stray or missing delimiter", line: r.line)
            return nil
        }
        let before = sink.errorCount
        func required(_ i: Int, _ name: String) -> String? {
            if let v = value(i, r.fields) { return v }
            sink.error("\(Brief.quoted(name)) is empty; every row needs one", line: r.line, column: i + 1)
            return nil
        }
        let staff = required(c.staff, "staff_id"), role = required(c.role, "role"), unit = required(c.unit, "unit")
        var kind = ShiftKind.shift
        if let k = value(c.kind, r.fields) {
            if let parsed = ShiftKind(rawValue: k) ?? ShiftKind(rawValue: k.lowercased()) { kind = parsed } else {
                sink.error("kind \(Brief.quoted(k)) is neither 'shift' nor 'busy'", line: r.line, column: c.kind! + 1)
            }
        }
        let zone = ctx.zones.zone(of: unit ?? "")
        let interval = c.startEnd ? startEnd(r, c, zone, &memo, &sink) : dateAndTimes(r, c, zone, &memo, &sink)
        guard sink.errorCount == before, let staff, let role, let unit, let interval else { return nil }
        return RosterEntry(shift: Shift(staffID: staff, role: role, unit: unit, kind: kind, interval: interval,
                                        name: value(c.name, r.fields)),
                           line: r.line)
    }

    static func startEnd(_ r: CSVReader.Record, _ c: Columns, _ zone: Zone, _ memo: inout LocalTimeMemo,
                         _ sink: inout DiagnosticSink) -> Interval? {
        func time(_ i: Int, _ name: String) -> Instant? {
            guard let v = value(i, r.fields) else {
                sink.error("\(Brief.quoted(name)) is empty; write a date-time such as 2026-11-24T07:00", line: r.line, column: i + 1)
                return nil
            }
            do { return try RosterTime.instant(v, zone: zone, memo: &memo) } catch {
                sink.error("\(Brief.quoted(name)): \(error.message)", line: r.line, column: i + 1)
                return nil
            }
        }
        guard let s = time(c.start!, "start"), let e = time(c.end!, "end") else { return nil }
        guard s < e else {
            sink.error("end \(e.rfc3339) is not after start \(s.rfc3339); a shift must end after it starts", line: r.line)
            return nil
        }
        return Interval(start: s, end: e)
    }

    /// `date` + `start_time` + `end_time`, local; an end not after the start ends the next day.
    static func dateAndTimes(_ r: CSVReader.Record, _ c: Columns, _ zone: Zone, _ memo: inout LocalTimeMemo,
                             _ sink: inout DiagnosticSink) -> Interval? {
        guard let d = value(c.date, r.fields), let date = RosterTime.parseDate(d) else {
            sink.error("'date' must be a date such as 2026-11-24", line: r.line, column: c.date! + 1)
            return nil
        }
        func clock(_ i: Int, _ name: String) -> (Int, Int, Int)? {
            guard let v = value(i, r.fields), let c = RosterTime.parseClock(v) else {
                sink.error("\(Brief.quoted(name)) must be a time such as 07:00", line: r.line, column: i + 1)
                return nil
            }
            return c
        }
        guard let a = clock(c.startTime!, "start_time"), let b = clock(c.endTime!, "end_time") else { return nil }
        let startLocal = LocalDateTime(year: date.0, month: date.1, day: date.2, hour: a.0, minute: a.1, second: a.2)
        var endLocal = LocalDateTime(year: date.0, month: date.1, day: date.2, hour: b.0, minute: b.1, second: b.2)
        if endLocal <= startLocal { endLocal = LocalDateTime(naiveSeconds: endLocal.naiveSeconds + 86_400) }
        do {
            let s = try RosterTime.inZone(startLocal, zone, memo: &memo)
            let e = try RosterTime.inZone(endLocal, zone, memo: &memo)
            return Interval(start: s, end: e)
        } catch {
            sink.error(error.message, line: r.line)
            return nil
        }
    }
}
