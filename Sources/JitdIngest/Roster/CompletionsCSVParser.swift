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

    /// Parses a whole completions file held as text: the stream the inbox reads files with,
    /// fed at once.
    public static func parse(text: String, file: String, zone: Zone, sink: inout DiagnosticSink) -> [Completion] {
        let bytes = Array(text.utf8)
        let context = RosterContext(zones: UnitZones(site: zone), window: Interval(start: Instant(seconds: 0), end: Instant(seconds: 0)))
        return bytes.withUnsafeBufferPointer { CompletionsCSVStream.items(of: $0, context: context, sink: &sink) }
    }
}
