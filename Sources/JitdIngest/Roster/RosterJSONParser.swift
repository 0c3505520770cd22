import JitdCore

/// JSON rosters: `{"shifts": [{"staff_id", "role", "unit", "start", "end", "kind"?, "name"?}]}`.
/// Files are read by ``RosterJSONStream``; this checks one entry of `"shifts"`.
public enum RosterJSONParser {
    static let keys: Set<String> = ["staff_id", "role", "unit", "start", "end", "kind", "name"]

    /// Parses a whole JSON roster held as text (`jitd validate`, tests): the same stream the
    /// inbox reads files with, fed at once.
    public static func parse(text: String, file: String, context: RosterContext, sink: inout DiagnosticSink) -> [RosterEntry] {
        let bytes = Array(text.utf8)
        return bytes.withUnsafeBufferPointer { RosterJSONStream.items(of: $0, context: context, sink: &sink) }
    }

    /// One entry of `"shifts"` as a shift or busy block, or nil after reporting what is wrong.
    static func entry(_ item: LocatedJSON, _ context: RosterContext, _ memo: inout LocalTimeMemo,
                      _ sink: inout DiagnosticSink) -> RosterEntry? {
        guard case .object(let members, let line) = item else {
            sink.error("each entry of \"shifts\" must be an object, not \(item.typeName)", line: item.line)
            return nil
        }
        for m in members where !keys.contains(m.key) {
            sink.error("unknown key \"\(m.key)\"; known keys are \(keys.sorted().joined(separator: ", "))", line: m.value.line)
        }
        let errorsBefore = sink.errorCount
        func field(_ k: String, required: Bool = true) -> String? {
            guard let v = item[k] else {
                if required { sink.error("missing \"\(k)\"; every shift needs it", line: line) }
                return nil
            }
            guard let s = v.string, !s.isEmpty else {
                sink.error("\"\(k)\" must be a non-empty string", line: v.line)
                return nil
            }
            return s
        }
        let staff = field("staff_id"), role = field("role"), unit = field("unit")
        let start = field("start"), end = field("end"), kindText = field("kind", required: false)
        let name = field("name", required: false)
        let kind = kindText.map { ShiftKind(rawValue: $0.lowercased()) } ?? .shift
        if kind == nil { sink.error("\"kind\" must be \"shift\" or \"busy\"", line: item["kind"]!.line) }
        let zone = context.zones.zone(of: unit ?? "")
        func instant(_ text: String?, _ key: String) -> Instant? {
            guard let text else { return nil }
            do { return try RosterTime.instant(text, zone: zone, memo: &memo) } catch {
                sink.error("\"\(key)\": \(error.message)", line: item[key]!.line)
                return nil
            }
        }
        let s = instant(start, "start"), e = instant(end, "end")
        if let s, let e, e <= s { sink.error("\"end\" is not after \"start\"; a shift must end after it starts", line: line) }
        guard sink.errorCount == errorsBefore, let staff, let role, let unit, let kind, let s, let e else { return nil }
        return RosterEntry(shift: Shift(staffID: staff, role: role, unit: unit, kind: kind,
                                        interval: Interval(start: s, end: e), name: name), line: line)
    }
}
