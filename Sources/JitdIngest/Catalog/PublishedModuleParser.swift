import Foundation
import JitdCore

/// A problem with one field of the console's module form (`field` is `nil` for the form as a whole).
public struct FormProblem: Sendable, Hashable {
    public var field: String?
    public var message: String
    public var isError: Bool
}

/// Why a module form was not accepted.
public struct FormProblems: Error, Sendable {
    public var items: [FormProblem]
}

/// Modules published in the console go through the catalog's own reader: the form is written
/// out as one `[[module]]` table of a TOML catalog and read by ``ModuleReader``, then checked
/// against the rest of the catalog in force like a catalog folder is (unique ids, known
/// prerequisites, no cycles). So a module published in the console meets the same rules, and an
/// educator reads the same messages, as one written in a file.
public enum PublishedModuleParser {
    public enum FieldKind: Sendable { case text, integer, list }

    /// The form's fields in the order a catalog file lists them, with how each is written as TOML.
    public static let fields: [(key: String, kind: FieldKind)] = [
        ("id", .text), ("title", .text), ("minutes", .integer), ("kind", .text), ("roles", .list), ("units", .list),
        ("priority", .text), ("published", .text), ("due_days", .integer), ("recur_days", .integer),
        ("prerequisites", .list), ("url", .text), ("group_min", .integer), ("group_max", .integer),
    ]

    /// The classroom sessions field: one session a line, `START | LOCATION | CAPACITY`.
    public static let sessionsField = "sessions"

    /// The file name messages carry for a published module.
    public static let file = "console"

    /// Reads a module from the form. `catalog` is the rest of the catalog in force (the file
    /// catalog's modules and the other published ones); `fileCatalogIDs` are the ids the file
    /// catalog defines, which a published module may not take over.
    public static func parse(_ form: [String: String], zone: Zone, catalog: [Module],
                             fileCatalogIDs: Set<String>) -> Result<(Module, warnings: [FormProblem]), FormProblems> {
        let (text, lineFields) = toml(form)
        var sink = DiagnosticSink(file: file)
        var module: Module?
        do {
            let (root, lines) = try CatalogParser.document(file: file + ".toml", text: text)
            var reader = TOMLTableReader(lines: lines, path: "", table: root)
            for t in reader.tables("module", &sink) {
                var m = ModuleReader(table: t, zone: zone)
                module = m.read(&sink)
            }
            reader.finish(&sink)
        } catch {
            return .failure(FormProblems(items: error.items.map { problem($0, lineFields) }))
        }
        var items = sink.items
        if let m = module {
            if fileCatalogIDs.contains(m.id) {
                items.append(Diagnostic(file: file, line: 2, severity: .error,
                                        message: "module id \(Brief.quoted(m.id)) belongs to the file catalog; a module published in the console cannot take it over: choose another id"))
            } else {
                let others = catalog.filter { $0.id != m.id }.map { ($0, file: "catalog", line: Int?.none) }
                items += CatalogParser.crossCheck(others + [(m, file: file, line: 1)]).filter { $0.file == file }
            }
        }
        let problems = items.map { problem($0, lineFields) }
        guard let module, !problems.contains(where: \.isError) else { return .failure(FormProblems(items: problems)) }
        return .success((module, problems))
    }

    /// The form as a TOML catalog of one module, and which field each line came from. Empty
    /// fields are left out (a required one is then reported missing, as in a file); an integer
    /// field that is not an integer is written as a string, so the reader says it must be one.
    public static func toml(_ form: [String: String]) -> (String, [Int: String]) {
        var lines = ["[[module]]"]
        var lineFields: [Int: String] = [:]
        for (key, kind) in fields {
            let raw = (form[key] ?? "").trimmingCharacters(in: .whitespacesAndNewlines)
            guard !raw.isEmpty else { continue }
            let value: String
            switch kind {
            case .text: value = quoted(raw)
            case .integer: value = isInteger(raw) ? raw : quoted(raw)
            case .list:
                let items = raw.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
                value = "[" + items.map(quoted).joined(separator: ", ") + "]"
            }
            lines.append("\(key) = \(value)")
            lineFields[lines.count] = key
        }
        let sessions = (form[sessionsField] ?? "").split(whereSeparator: \.isNewline)
            .map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
        for s in sessions {
            let parts = s.split(separator: "|", omittingEmptySubsequences: false).map { $0.trimmingCharacters(in: .whitespaces) }
            lines.append("[[module.session]]")
            lineFields[lines.count] = sessionsField
            for (i, key) in ["start", "location", "capacity"].enumerated() where i < parts.count && !parts[i].isEmpty {
                lines.append("\(key) = \(key == "capacity" && isInteger(parts[i]) ? parts[i] : quoted(parts[i]))")
                lineFields[lines.count] = sessionsField
            }
        }
        return (lines.joined(separator: "\n") + "\n", lineFields)
    }

    /// The form of a module, for editing it again.
    public static func form(of m: Module, zone: Zone) -> [String: String] {
        func local(_ t: Instant) -> String {
            let l = zone.local(t)
            return l.hour == 0 && l.minute == 0 ? String(l.description.prefix(10)) : String(l.description.prefix(16))
        }
        var f: [String: String] = [
            "id": m.id, "title": m.title, "minutes": String(m.minutes), "kind": m.kind.rawValue, "roles": m.roles.joined(separator: ", "),
            "units": m.units.joined(separator: ", "), "priority": m.priority.rawValue, "published": local(m.published),
            "prerequisites": m.prerequisites.joined(separator: ", "), "url": m.url ?? "",
        ]
        f["due_days"] = m.dueDays.map(String.init) ?? ""
        f["recur_days"] = m.recurDays.map(String.init) ?? ""
        f["group_min"] = m.groupMin.map(String.init) ?? ""
        f["group_max"] = m.groupMax.map(String.init) ?? ""
        f[sessionsField] = m.sessions.map { "\(local($0.start)) | \($0.location) | \($0.capacity)" }.joined(separator: "\n")
        return f
    }

    static func problem(_ d: Diagnostic, _ lineFields: [Int: String]) -> FormProblem {
        var field = d.line.flatMap { lineFields[$0] }
        if field == nil || d.message.hasPrefix("missing required key") {
            // A missing key has the table's line: find the key the message names.
            field = fields.map(\.key).first { d.message.contains("'module[0].\($0)'") } ?? field
        }
        return FormProblem(field: field, message: d.message, isError: d.severity == .error)
    }

    static func isInteger(_ s: String) -> Bool {
        let digits = s.hasPrefix("-") ? s.dropFirst() : Substring(s)
        return !digits.isEmpty && digits.count <= 12 && digits.allSatisfy { $0.isASCII && $0.isNumber }
    }

    /// A TOML basic string.
    static func quoted(_ s: String) -> String {
        var out = "\""
        for u in s.unicodeScalars {
            switch u {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\t": out += "\\t"
            case "\r": out += "\\r"
            case _ where u.value < 0x20 || u.value == 0x7F: out += String(format: "\\u%04X", u.value)
            default: out.unicodeScalars.append(u)
            }
        }
        return out + "\""
    }
}
