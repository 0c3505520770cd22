import JitdCore

/// Completions CSV: `staff_id, module_id, completed_at`. The inbox tells it from a roster by its header.
public enum CompletionsCSVParser {
    static let aliases: [String: String] = [
        "staffid": "staff_id", "employeeid": "staff_id", "personid": "staff_id", "empid": "staff_id",
        "moduleid": "module_id", "module": "module_id",
        "completedat": "completed_at", "completed": "completed_at", "completiondate": "completed_at",
    ]

    /// Whether a header row names a completions file rather than a roster.
    public static func looksLikeCompletions(_ text: String) -> Bool {
        guard let first = try? CSVReader(text: String(text.prefix(4096))).records().first else { return false }
        let h = CSVHeader(first.fields, aliases: aliases)
        return h.has("module_id") && h.has("completed_at")
    }

    public static func parse(text: String, file: String, zone: Zone, sink: inout DiagnosticSink) -> [Completion] {
        guard let records = try? CSVReader(text: text).records(), let head = records.first else {
            sink.error("cannot read the file as CSV; it needs a header staff_id,module_id,completed_at", line: 1)
            return []
        }
        let h = CSVHeader(head.fields, aliases: aliases)
        for name in ["staff_id", "module_id", "completed_at"] where !h.has(name) {
            sink.error("header has no '\(name)' column; completions need staff_id,module_id,completed_at", line: head.line)
        }
        if sink.hasErrors { return [] }
        var out: [Completion] = []
        for r in records.dropFirst() {
            guard r.fields.count == head.fields.count else {
                sink.error("row has \(r.fields.count) fields but the header has \(head.fields.count)", line: r.line)
                continue
            }
            guard let staff = h.value("staff_id", in: r.fields), let module = h.value("module_id", in: r.fields),
                  let at = h.value("completed_at", in: r.fields) else {
                sink.error("staff_id, module_id and completed_at must all be filled in", line: r.line)
                continue
            }
            do {
                let t = at.count == 10 ? try RosterTime.instant(at + "T00:00", zone: zone) : try RosterTime.instant(at, zone: zone)
                out.append(Completion(staffID: staff, moduleID: module, completedAt: t))
            } catch {
                sink.error("'completed_at': \(error.message)", line: r.line, column: h.index["completed_at"]! + 1)
            }
        }
        return out
    }
}
