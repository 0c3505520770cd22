import Foundation
import JitdCore

/// Catalogs of modules: TOML (`[[module]]`) or JSON (`{"modules": [...]}`), one file or a folder of them.
/// Every field is checked; a catalog with any error is refused whole.
public enum CatalogParser {
    /// Reads a catalog file, or every `*.toml` and `*.json` in a folder, in name order.
    public static func load(path: String, zone: Zone) throws(Diagnostics) -> Parsed<[Module]> {
        var isDir: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDir) else {
            throw Diagnostics([Diagnostic(file: path, message: "catalog does not exist; set [paths] catalog to a file or a folder of *.toml / *.json catalogs")])
        }
        let files: [String]
        if isDir.boolValue {
            let names = (try? FileManager.default.contentsOfDirectory(atPath: path)) ?? []
            files = names.filter { !$0.hasPrefix(".") && ($0.hasSuffix(".toml") || $0.hasSuffix(".json")) }
                .sorted().map { path + "/" + $0 }
        } else {
            files = [path]
        }
        var sources: [(String, String)] = []
        var problems: [Diagnostic] = []
        for f in files {
            if let problem = ConfigLoader.worldWritable(f) {
                problems.append(Diagnostic(file: f, message: problem))
                continue
            }
            guard let data = FileManager.default.contents(atPath: f), let text = String(data: data, encoding: .utf8) else {
                problems.append(Diagnostic(file: f, message: "cannot read the catalog file as UTF-8 text"))
                continue
            }
            sources.append((f, text))
        }
        if !problems.isEmpty { throw Diagnostics(problems) }
        return try parse(sources, zone: zone)
    }

    /// Parses several catalog texts together: ids are unique across them, prerequisites may cross files.
    public static func parse(_ sources: [(file: String, text: String)], zone: Zone) throws(Diagnostics) -> Parsed<[Module]> {
        var all: [(Module, file: String, line: Int?)] = []
        var items: [Diagnostic] = []
        for (file, text) in sources {
            var sink = DiagnosticSink(file: file)
            let (root, lines): ([String: TOMLNode], TOMLLineIndex)
            do {
                (root, lines) = try document(file: file, text: text)
            } catch {
                items += error.items
                continue
            }
            var reader = TOMLTableReader(lines: lines, path: "", table: root)
            let key = file.hasSuffix(".json") ? "modules" : "module"
            for t in reader.tables(key, &sink) {
                var module = ModuleReader(table: t, zone: zone)
                if let m = module.read(&sink) { all.append((m, file, t.tableLine)) }
            }
            reader.finish(&sink)
            items += sink.items
        }
        items += crossCheck(all)
        if items.contains(where: { $0.severity == .error }) { throw Diagnostics(items) }
        return Parsed(value: all.map(\.0).sorted { $0.id < $1.id }, warnings: items)
    }

    static func document(file: String, text: String) throws(Diagnostics) -> ([String: TOMLNode], TOMLLineIndex) {
        if file.hasSuffix(".json") {
            let json: LocatedJSON
            do { json = try LocatedJSON.parse(text) } catch {
                throw Diagnostics([Diagnostic(file: file, line: error.line, column: error.column, message: "JSON syntax: \(error.message)")])
            }
            var lines: [String: Int] = [:]
            guard case .table(let t) = json.asTOML(lines: &lines) else {
                throw Diagnostics([Diagnostic(file: file, line: json.line, message: "a JSON catalog is an object: {\"modules\": [...]}")])
            }
            return (t, TOMLLineIndex(lines: lines))
        }
        let doc = try TOMLDocument(file: file, text: text)
        return (doc.root, doc.lines)
    }

    /// Checks that need every module: unique ids, known prerequisites, no cycles.
    static func crossCheck(_ all: [(Module, file: String, line: Int?)]) -> [Diagnostic] {
        var out: [Diagnostic] = []
        var byID: [String: Module] = [:]
        for (m, file, line) in all {
            if byID[m.id] != nil {
                out.append(Diagnostic(file: file, line: line, message: "module id \(Brief.quoted(m.id)) is defined twice; ids must be unique across the catalog"))
            }
            byID[m.id] = m
        }
        for (m, file, line) in all {
            for p in m.prerequisites where byID[p] == nil {
                out.append(Diagnostic(file: file, line: line, message: "module \(Brief.quoted(m.id)) has prerequisite \(Brief.quoted(p)), which is not in the catalog; add that module or remove the prerequisite"))
            }
        }
        var state: [String: Int] = [:] // 1 visiting, 2 done
        func visit(_ id: String, _ chain: [String]) -> [String]? {
            if state[id] == 2 { return nil }
            if state[id] == 1 { return chain + [id] }
            state[id] = 1
            for p in byID[id]?.prerequisites ?? [] { if let c = visit(p, chain + [id]) { return c } }
            state[id] = 2
            return nil
        }
        for (m, file, line) in all where state[m.id] == nil {
            if let cycle = visit(m.id, []) {
                let from = cycle.firstIndex(of: cycle.last!)!
                out.append(Diagnostic(file: file, line: line, message: "prerequisites form a cycle: \(cycle[from...].joined(separator: " → ")); break it"))
            }
        }
        return out
    }
}

/// Reads one module table.
struct ModuleReader {
    var table: TOMLTableReader
    let zone: Zone

    init(table: TOMLTableReader, zone: Zone) {
        self.table = table
        self.zone = zone
    }

    mutating func read(_ sink: inout DiagnosticSink) -> Module? {
        let before = sink.items.count
        let id = table.string("id", required: true, &sink)
        let title = table.string("title", required: true, &sink)
        let minutes = table.int("minutes", required: true, in: 1...240, &sink)
        let kind = enumValue("kind", ModuleKind.self, default: .online, &sink)
        let roles = table.strings("roles", required: true, &sink)
        let units = table.strings("units", &sink) ?? ["*"]
        let priority = enumValue("priority", Priority.self, default: .normal, &sink)
        let published = instant("published", &sink) ?? Instant(seconds: 0)
        let dueDays = table.int("due_days", in: 1...3650, &sink)
        let recurDays = table.int("recur_days", in: 1...3650, &sink)
        let prerequisites = table.strings("prerequisites", &sink) ?? []
        let url = table.string("url", &sink)
        let groupMin = table.int("group_min", in: 1...100, &sink)
        let groupMax = table.int("group_max", in: 1...100, &sink)
        let sessions = readSessions(&sink)
        let reinforceDays = table.ints("reinforce_days", in: 1...3650, &sink) ?? []
        let reinforceMinutes = table.int("reinforce_minutes", in: 1...240, &sink)
        let priorityGiven = table.string("reinforce_priority", &sink)
        let reinforcePriority = priorityGiven.map { given in
            Priority(rawValue: given) ?? {
                sink.error("'reinforce_priority' is \(Brief.quoted(given)); use one of \(Priority.allCases.map { "\"\($0.rawValue)\"" }.joined(separator: ", "))",
                           line: table.line("reinforce_priority"))
                return .low
            }()
        } ?? .low
        let renewWindowDays = table.int("renew_window_days", in: 0...3650, &sink)
        if let id, id.contains("#") {
            sink.error("module id \(Brief.quoted(id)) holds '#', which jitd keeps for boosters (MODULE#booster-N); use letters, digits, '-', '_' or '.'",
                       line: table.line("id"))
        }
        if reinforceDays != reinforceDays.sorted() || Set(reinforceDays).count != reinforceDays.count {
            sink.error("'reinforce_days' must rise day by day, each once, e.g. [8, 16]", line: table.line("reinforce_days"))
        }
        if !reinforceDays.isEmpty && kind != .online {
            sink.error("boosters ('reinforce_days') are short online sessions; a \(kind.rawValue) module cannot have them", line: table.line("reinforce_days"))
        }
        if reinforceDays.isEmpty && (reinforceMinutes != nil || priorityGiven != nil) {
            sink.warning("'reinforce_minutes' and 'reinforce_priority' apply only with 'reinforce_days'; ignored",
                         line: table.line("reinforce_minutes") ?? table.line("reinforce_priority"))
        }
        if let renewWindowDays {
            if recurDays == nil {
                sink.warning("'renew_window_days' applies only with 'recur_days'; ignored", line: table.line("renew_window_days"))
            } else if let recurDays, renewWindowDays >= recurDays {
                sink.error("'renew_window_days' (\(renewWindowDays)) must be shorter than 'recur_days' (\(recurDays))", line: table.line("renew_window_days"))
            }
        }
        if let roles, roles.isEmpty { sink.error("'roles' is empty; list the roles that take it, or \"*\" for all", line: table.line("roles")) }
        if let url, URL(string: url)?.scheme == nil { sink.error("'url' \(Brief.quoted(url)) is not a URL", line: table.line("url")) }
        if let id, prerequisites.contains(id) { sink.error("module \(Brief.quoted(id)) lists itself as a prerequisite", line: table.line("prerequisites")) }
        switch kind {
        case .drill:
            if groupMin == nil || groupMax == nil {
                sink.error("a drill needs 'group_min' and 'group_max' (team size bounds)", line: table.tableLine)
            } else if groupMin! > groupMax! {
                sink.error("'group_min' (\(groupMin!)) is larger than 'group_max' (\(groupMax!))", line: table.line("group_min"))
            }
        case .classroom:
            if sessions.isEmpty { sink.error("a classroom module needs at least one [[module.session]] with start, location and capacity", line: table.tableLine) }
        case .online:
            if groupMin != nil || groupMax != nil { sink.warning("'group_min'/'group_max' only apply to drills; ignored", line: table.line("group_min") ?? table.line("group_max")) }
        }
        if kind != .classroom && !sessions.isEmpty { sink.error("sessions only apply to classroom modules; set kind = \"classroom\" or remove them", line: table.line("session")) }
        table.finish(&sink)
        guard sink.items[before...].allSatisfy({ $0.severity != .error }),
              let id, let title, let minutes, let roles else { return nil }
        var module = Module(id: id, title: title, minutes: minutes, kind: kind, roles: roles, units: units, priority: priority,
                            published: published, dueDays: dueDays, recurDays: recurDays, prerequisites: prerequisites, url: url,
                            groupMin: groupMin, groupMax: groupMax, sessions: sessions)
        module.reinforceDays = reinforceDays
        module.reinforceMinutes = reinforceMinutes ?? 3
        module.reinforcePriority = reinforcePriority
        // Default: 30 days, or less for a module renewed more often than monthly.
        module.renewWindowDays = renewWindowDays ?? min(30, max(0, (recurDays ?? 31) - 1))
        return module
    }

    mutating func enumValue<E: RawRepresentable & CaseIterable>(_ key: String, _: E.Type, default d: E,
                                                                 _ sink: inout DiagnosticSink) -> E where E.RawValue == String {
        guard let s = table.string(key, &sink) else { return d }
        if let v = E(rawValue: s) { return v }
        sink.error("\(Brief.quoted(key)) is \(Brief.quoted(s)); use one of \(E.allCases.map { "\"\($0.rawValue)\"" }.joined(separator: ", "))", line: table.line(key))
        return d
    }

    /// A date (midnight in the site's zone), a local date-time, or one with an offset.
    mutating func instant(_ key: String, _ sink: inout DiagnosticSink) -> Instant? {
        guard let node = table.node(key, required: false, &sink) else { return nil }
        return Self.instant(node, zone: zone) { sink.error("\(Brief.quoted(key)): \($0)", line: table.line(key)) }
    }

    static func instant(_ node: TOMLNode, zone: Zone, fail: (String) -> Void) -> Instant? {
        switch node {
        case .dateTime(let local, let hasDate, _, let offset):
            guard hasDate else { fail("a time alone is not enough; give a date such as 2026-11-20"); return nil }
            if let offset { return Instant(seconds: local.naiveSeconds - Int64(offset) * 60) }
            do { return try RosterTime.inZone(local, zone) } catch { fail(error.message); return nil }
        case .string(let s):
            do {
                return s.count == 10 ? try RosterTime.instant(s + "T00:00", zone: zone) : try RosterTime.instant(s, zone: zone)
            } catch { fail(error.message); return nil }
        default:
            fail("must be a date or date-time such as 2026-11-20 or 2026-11-26T14:00")
            return nil
        }
    }

    mutating func readSessions(_ sink: inout DiagnosticSink) -> [ClassSession] {
        var out: [ClassSession] = []
        for var s in table.tables("session", &sink) {
            let startNode = s.node("start", required: true, &sink)
            let start = startNode.flatMap { n in Self.instant(n, zone: zone) { sink.error("session 'start': \($0)", line: s.line("start")) } }
            let location = s.string("location", required: true, &sink)
            let capacity = s.int("capacity", required: true, in: 1...10_000, &sink)
            s.finish(&sink)
            if let start, let location, let capacity {
                if out.contains(where: { $0.start == start && $0.location == location }) {
                    sink.error("two sessions at \(start.rfc3339) in \(Brief.quoted(location)); merge them into one with the total capacity", line: s.tableLine)
                }
                out.append(ClassSession(start: start, location: location, capacity: capacity))
            }
        }
        return out
    }
}
