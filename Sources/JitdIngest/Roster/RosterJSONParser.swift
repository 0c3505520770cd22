import JitdCore

/// JSON rosters: `{"shifts": [{"staff_id", "role", "unit", "start", "end", "kind"?, "name"?}]}`.
public enum RosterJSONParser {
    static let keys: Set<String> = ["staff_id", "role", "unit", "start", "end", "kind", "name"]

    public static func parse(text: String, file: String, context: RosterContext, sink: inout DiagnosticSink) -> [RosterEntry] {
        let doc: LocatedJSON
        do { doc = try LocatedJSON.parse(text) } catch {
            sink.error("JSON syntax: \(error.message)", line: error.line, column: error.column)
            return []
        }
        guard case .array(let items, _)? = doc["shifts"] else {
            sink.error("a JSON roster is an object with a \"shifts\" array: {\"shifts\": [{\"staff_id\": …}]}", line: doc.line)
            return []
        }
        var out: [RosterEntry] = []
        for item in items {
            guard case .object(let members, let line) = item else {
                sink.error("each entry of \"shifts\" must be an object, not \(item.typeName)", line: item.line)
                continue
            }
            for m in members where !keys.contains(m.key) {
                sink.error("unknown key \"\(m.key)\"; known keys are \(keys.sorted().joined(separator: ", "))", line: m.value.line)
            }
            let before = sink.items.count
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
                do { return try RosterTime.instant(text, zone: zone) } catch {
                    sink.error("\"\(key)\": \(error.message)", line: item[key]!.line)
                    return nil
                }
            }
            let s = instant(start, "start"), e = instant(end, "end")
            if let s, let e, e <= s { sink.error("\"end\" is not after \"start\"; a shift must end after it starts", line: line) }
            guard sink.items[before...].allSatisfy({ $0.severity != .error }),
                  let staff, let role, let unit, let kind, let s, let e else { continue }
            out.append(RosterEntry(shift: Shift(staffID: staff, role: role, unit: unit, kind: kind,
                                                interval: Interval(start: s, end: e), name: name), line: line))
        }
        return out
    }
}
