import Foundation
import JitdCore

/// Reads `jitd.toml` as the contract has it (docs/configuration.md): defaults for every key but the required ones, unknown keys and
/// wrong types reported with their line, all problems of the file at once.
public enum ConfigLoader {
    public static func load(path: String) throws(Diagnostics) -> Parsed<Config> {
        guard let data = FileManager.default.contents(atPath: path) else {
            let why = FileManager.default.fileExists(atPath: path) ? "cannot be read (check its permissions)"
                : "does not exist; pass --config PATH or create it (see config/jitd.example.toml)"
            throw Diagnostics([Diagnostic(file: path, message: "config file \(why)")])
        }
        guard let text = String(data: data, encoding: .utf8) else {
            throw Diagnostics([Diagnostic(file: path, line: 1, message: "config is not UTF-8 text; save it as UTF-8")])
        }
        if let problem = worldWritable(path) { throw Diagnostics([Diagnostic(file: path, message: problem)]) }
        return try parse(text: text, file: path)
    }

    /// Why a file that decides what jitd does (the config, a catalog) must not be used: every
    /// user of the machine may write it, and so decide where jitd sends staff data. `nil` when
    /// only its owner and group may.
    public static func worldWritable(_ path: String) -> String? {
        var st = stat()
        guard stat(path, &st) == 0, st.st_mode & 0o002 != 0 else { return nil }
        let mode = String(st.st_mode & 0o7777, radix: 8)
        return "every user of this machine may write this file (mode 0\(mode)); whoever can write it decides what jitd does and where it sends staff data: chmod o-w \(path)"
    }

    public static func parse(text: String, file: String) throws(Diagnostics) -> Parsed<Config> {
        let doc = try TOMLDocument(file: file, text: text)
        var sink = DiagnosticSink(file: file)
        var root = TOMLTableReader(lines: doc.lines, path: "", table: doc.root)
        let base = URL(fileURLWithPath: file).deletingLastPathComponent().path
        func absolute(_ p: String) -> String {
            p.hasPrefix("/") ? p : URL(fileURLWithPath: p, relativeTo: URL(fileURLWithPath: base, isDirectory: true)).standardizedFileURL.path
        }

        var site = root.table("site", &sink)
        var zone = Zone.utc
        if let name = site.string("timezone", &sink) {
            if let z = Zone(name) { zone = z } else {
                sink.error("unknown time zone \(Brief.quoted(name)); use an IANA name such as 'America/New_York'", line: site.line("timezone"))
            }
        }
        site.finish(&sink)

        var paths = root.table("paths", &sink)
        let state = absolute(paths.string("state", &sink) ?? "/var/lib/jitd")
        let inbox = absolute(paths.string("inbox", &sink) ?? state + "/inbox")
        let catalog = absolute(paths.string("catalog", &sink) ?? "/etc/jitd/catalog.d")
        paths.finish(&sink)

        let policy = readPolicy(root.table("policy", &sink), &sink)
        let units = readUnits(root.tables("unit", &sink), site: zone, policy: policy, &sink)
        let coverage = readCoverage(root.tables("coverage", &sink), &sink)
        let webhooks = readWebhooks(root.tables("webhook", &sink), absolute, &sink)
        let lrs = readLRS(root.tables("lrs", &sink), taken: Set(webhooks.map(\.name)), absolute, &sink)

        var apiTable = root.table("api", &sink)
        let listen = apiTable.string("listen", &sink) ?? "127.0.0.1:8787"
        let (host, port) = splitListen(listen) ?? {
            sink.error("[api] listen \(Brief.quoted(listen)) must be HOST:PORT, e.g. 127.0.0.1:8787", line: apiTable.line("listen"))
            return ("127.0.0.1", 8787)
        }()
        let api = APIConfig(host: host, port: port,
                            tokenFile: apiTable.string("token_file", &sink).map(absolute),
                            readTokenFile: apiTable.string("read_token_file", &sink).map(absolute))
        apiTable.finish(&sink)

        var limitsTable = root.table("limits", &sink)
        var limits = Limits()
        if let mib = limitsTable.int("max_inbox_file_mib", in: 1...65_536, &sink) { limits.maxInboxFileBytes = mib << 20 }
        if let mib = limitsTable.int("max_whole_file_mib", in: 1...65_536, &sink) { limits.maxWholeFileBytes = mib << 20 }
        limitsTable.finish(&sink)

        let queue = readQueue(root.table("queue", &sink), &sink)
        let console = readConsole(root.table("console", &sink), absolute, &sink)
        root.finish(&sink)
        try sink.check()
        var config = Config(file: file, siteZone: zone, statePath: state, inboxPath: inbox, catalogPath: catalog,
                            policy: policy, units: units, coverage: coverage, webhooks: webhooks, api: api,
                            limits: limits, queue: queue)
        config.console = console
        config.lrs = lrs
        return Parsed(value: config, warnings: sink.items)
    }

    /// The `[policy]` keys a table may set, with their ranges and where each goes in a `Policy`.
    static let policyKeys: [(key: String, range: ClosedRange<Int>, field: WritableKeyPath<Policy, Int> & Sendable)] = [
        ("slot_minutes", 1...60, \.slotMinutes),
        ("horizon_hours", 1...24 * 31, \.horizonHours),
        ("handover_buffer_minutes", 0...240, \.handoverBufferMinutes),
        ("max_training_minutes_per_shift", 0...24 * 60, \.maxTrainingMinutesPerShift),
        ("max_sessions_per_shift", 0...100, \.maxSessionsPerShift),
        ("min_minutes_between_sessions", 0...24 * 60, \.minMinutesBetweenSessions),
        ("notify_lead_minutes", 0...24 * 60, \.notifyLeadMinutes),
        ("replan_interval_minutes", 1...24 * 60, \.replanIntervalMinutes),
        ("missed_after_minutes", 0...7 * 24 * 60, \.missedAfterMinutes),
    ]

    /// Reads those of `keys` that the table sets into `policy`, with the checks of `[policy]`;
    /// whether any was set.
    static func readPolicyKeys(_ keys: [String], from t: inout TOMLTableReader, into policy: inout Policy,
                               _ sink: inout DiagnosticSink) -> Bool {
        var any = false
        for (key, range, field) in policyKeys where keys.contains(key) {
            if let v = t.int(key, in: range, &sink) {
                policy[keyPath: field] = v
                any = true
            }
        }
        return any
    }

    static func readPolicy(_ t: TOMLTableReader, _ sink: inout DiagnosticSink) -> Policy {
        var t = t
        var p = Policy()
        _ = readPolicyKeys(policyKeys.map(\.key), from: &t, into: &p, &sink)
        if 60 % p.slotMinutes != 0 {
            sink.error("'policy.slot_minutes' is \(p.slotMinutes); it must divide 60 (1, 2, 3, 5, 10, 15, 20, 30 or 60) so the grid aligns to the hour",
                       line: t.line("slot_minutes"))
        }
        t.finish(&sink)
        return p
    }

    /// `[[unit]]` tables: a name, an optional zone (the site's by default) and any of
    /// `Policy.unitKeys`, which override `[policy]` for that unit alone.
    static func readUnits(_ tables: [TOMLTableReader], site: Zone, policy: Policy, _ sink: inout DiagnosticSink) -> [CareUnit] {
        var out: [CareUnit] = []
        var names: Set<String> = []
        for var t in tables {
            let name = t.string("name", required: true, &sink)
            let zoneName = t.string("timezone", &sink)
            var zone: Zone? = site
            if let zoneName {
                zone = Zone(zoneName)
                if zone == nil { sink.error("unknown time zone \(Brief.quoted(zoneName)); use an IANA name such as 'Europe/Berlin'", line: t.line("timezone")) }
            }
            var own = policy
            let overrides = readPolicyKeys(Policy.unitKeys, from: &t, into: &own, &sink)
            if let name, !names.insert(name).inserted {
                sink.error("unit \(Brief.quoted(name)) is configured twice; give each [[unit]] a different name", line: t.line("name"))
            }
            t.finish(&sink)
            if let name, let zone { out.append(CareUnit(name: name, zone: zone, policy: overrides ? own : nil)) }
        }
        return out
    }

    static let weekdays = ["mon": 1, "tue": 2, "wed": 3, "thu": 4, "fri": 5, "sat": 6, "sun": 7]

    static func readCoverage(_ tables: [TOMLTableReader], _ sink: inout DiagnosticSink) -> [CoverageRule] {
        var out: [CoverageRule] = []
        for var t in tables {
            let unit = t.string("unit", required: true, &sink)
            let role = t.string("role", required: true, &sink)
            let min = t.int("min", required: true, in: 0...10_000, &sink)
            let from = t.string("from", &sink), to = t.string("to", &sink)
            var window: (Int, Int)? = nil
            if from != nil || to != nil {
                let f = from.flatMap(parseClock), e = to.flatMap(parseClock)
                if from == nil || to == nil {
                    sink.error("coverage window needs both 'from' and 'to' (HH:MM)", line: t.tableLine)
                } else if f == nil {
                    sink.error("'from' is \(Brief.quoted(from!)); write a local time as HH:MM, e.g. 07:00", line: t.line("from"))
                } else if e == nil {
                    sink.error("'to' is \(Brief.quoted(to!)); write a local time as HH:MM, e.g. 19:00", line: t.line("to"))
                } else { window = (f!, e!) }
            }
            var days: Set<Int>? = nil
            if let names = t.strings("days", &sink) {
                days = []
                for n in names {
                    if let d = weekdays[n.lowercased()] { days!.insert(d) } else {
                        sink.error("unknown day \(Brief.quoted(n)) in 'days'; use mon, tue, wed, thu, fri, sat, sun", line: t.line("days"))
                    }
                }
            }
            t.finish(&sink)
            if let unit, let role, let min {
                out.append(CoverageRule(unit: unit, role: role, min: min, window: window, days: days))
            }
        }
        return out
    }

    static func readWebhooks(_ tables: [TOMLTableReader], _ absolute: (String) -> String,
                             _ sink: inout DiagnosticSink) -> [WebhookEndpoint] {
        var out: [WebhookEndpoint] = []
        var names: Set<String> = []
        for var t in tables {
            let name = t.string("name", required: true, &sink)
            let url = t.string("url", required: true, &sink)
            let secrets = t.strings("secret_file", required: true, &sink)
            let events = t.strings("events", &sink) ?? ["*"]
            let units = t.strings("units", &sink) ?? ["*"]
            let nets = t.strings("allow_networks", &sink) ?? []
            let includeNames = t.bool("include_names", &sink) ?? false
            let concurrency = t.int("concurrency", in: 1...256, &sink) ?? 8
            if let name, !names.insert(name).inserted {
                sink.error("webhook name \(Brief.quoted(name)) is used twice; names must be unique", line: t.line("name"))
            }
            if let url, let u = URL(string: url), let scheme = u.scheme?.lowercased() {
                if scheme != "https" && scheme != "http" || u.host == nil {
                    sink.error("webhook url \(Brief.quoted(url)) must be an http:// or https:// URL with a host", line: t.line("url"))
                }
            } else if let url {
                sink.error("webhook url \(Brief.quoted(url)) is not a URL; write e.g. https://paging.example.org/jitd", line: t.line("url"))
            }
            if let s = secrets, s.isEmpty || s.count > 2 {
                sink.error("'secret_file' takes one file, or two while rotating a secret", line: t.line("secret_file"))
            }
            for n in nets where CIDR(n) == nil {
                sink.error("\(Brief.quoted(n)) in allow_networks is not a CIDR; write e.g. 127.0.0.0/8 or ::1/128", line: t.line("allow_networks"))
            }
            t.finish(&sink)
            if let name, let url, let secrets {
                out.append(WebhookEndpoint(name: name, url: url, secretFiles: secrets.map(absolute), events: events,
                                           units: units, allowNetworks: nets, includeNames: includeNames, concurrency: concurrency))
            }
        }
        return out
    }

    static func readQueue(_ table: TOMLTableReader, _ sink: inout DiagnosticSink) -> QueueConfig {
        var t = table
        var q = QueueConfig()
        if let v = t.int("request_timeout_seconds", in: 1...300, &sink) { q.requestTimeoutSeconds = v }
        if let v = t.int("max_age_hours", in: 1...24 * 90, &sink) { q.maxAgeHours = v }
        if let v = t.int("retention_days", in: 1...3650, &sink) { q.retentionDays = v }
        if let v = t.int("recovery_rate", in: 1...100_000, &sink) { q.recoveryRate = v }
        t.finish(&sink)
        return q
    }

    static func parseClock(_ s: String) -> Int? {
        let parts = s.split(separator: ":")
        guard parts.count == 2, parts[0].count == 2, parts[1].count == 2,
              let h = Int(parts[0]), let m = Int(parts[1]), (0...24).contains(h), (0...59).contains(m),
              h * 60 + m <= 1440 else { return nil }
        return h * 60 + m
    }

    static func splitListen(_ s: String) -> (String, Int)? {
        guard let colon = s.lastIndex(of: ":"), let port = Int(s[s.index(after: colon)...]), (0...65535).contains(port) else { return nil }
        var host = String(s[..<colon])
        if host.hasPrefix("[") && host.hasSuffix("]") { host = String(host.dropFirst().dropLast()) }
        return host.isEmpty ? nil : (host, port)
    }
}
