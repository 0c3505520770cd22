import Foundation
import JitdCore

/// One `[[lrs]]`: a Learning Record Store that receives xAPI statements of what happened to
/// people's training, through the same outbox as webhooks.
public struct LRSEndpoint: Sendable, Hashable {
    /// Unique among webhooks and learning record stores (they share the outbox's endpoint names).
    public var name: String
    /// The LRS's xAPI base, e.g. `https://lrs.example.org/xAPI`; statements go to `…/statements`.
    public var endpoint: String
    /// A file holding `username:password` for HTTP Basic authentication.
    public var credentialsFile: String
    /// The hospital's home page: the `homePage` of every actor's account.
    public var homePage: String
    /// The IRI module activities hang from (`ACTIVITY_BASE/modules/ID`).
    public var activityBase: String
    public var kinds: Set<LearningEvent.Kind>
    public var units: [String]
    /// Whether every recorded completion becomes a statement, or only those that close a jitd
    /// session (the default: the others usually come from the LMS, which has its own records).
    public var allCompletions: Bool
    /// Whether actors carry the person's name (off by default: the account alone).
    public var includeNames: Bool
    public var language: String
    public var allowNetworks: [String]
    public var concurrency: Int

    public func wants(_ kind: LearningEvent.Kind, unit: String?) -> Bool {
        kinds.contains(kind) && (unit.map { u in units.contains("*") || units.contains(u) } ?? true)
    }

    /// The statement builder for this store.
    public var statements: XAPIStatementBuilder {
        XAPIStatementBuilder(homePage: homePage, activityBase: activityBase, language: language)
    }
}

extension ConfigLoader {
    /// The `[[lrs]]` tables; `taken` holds the webhook names, which an LRS may not reuse.
    static func readLRS(_ tables: [TOMLTableReader], taken: Set<String>, _ absolute: (String) -> String,
                        _ sink: inout DiagnosticSink) -> [LRSEndpoint] {
        var out: [LRSEndpoint] = []
        var names = taken
        let kindNames = LearningEvent.Kind.allCases.map(\.rawValue)
        for var t in tables {
            let name = t.string("name", required: true, &sink)
            let endpoint = t.string("endpoint", required: true, &sink)
            let credentials = t.string("credentials_file", required: true, &sink)
            let homePage = t.string("home_page", required: true, &sink)
            let activityBase = t.string("activity_base", &sink)
            let events = t.strings("events", &sink) ?? ["*"]
            let units = t.strings("units", &sink) ?? ["*"]
            let completions = t.string("completions", &sink) ?? "assignments"
            let includeNames = t.bool("include_names", &sink) ?? false
            let language = t.string("language", &sink) ?? "en-US"
            let nets = t.strings("allow_networks", &sink) ?? []
            let concurrency = t.int("concurrency", in: 1...256, &sink) ?? 4

            if let name, !names.insert(name).inserted {
                sink.error("endpoint name \(Brief.quoted(name)) is already used by another [[webhook]] or [[lrs]]; names must be unique",
                           line: t.line("name"))
            }
            if let endpoint {
                if !isHTTPURL(endpoint) {
                    sink.error("lrs endpoint \(Brief.quoted(endpoint)) must be the LRS's xAPI base as an http:// or https:// URL, e.g. https://lrs.example.org/xAPI",
                               line: t.line("endpoint"))
                } else if endpoint.split(separator: "/").last == "statements" {
                    sink.error("lrs endpoint \(Brief.quoted(endpoint)) names the statements resource; give the xAPI base without '/statements' (jitd adds it)",
                               line: t.line("endpoint"))
                }
            }
            for (key, value) in [("home_page", homePage), ("activity_base", activityBase)] {
                if let value, !isHTTPURL(value) {
                    sink.error("\(Brief.quoted(t.keyPath(key))) is \(Brief.quoted(value)); it must be an http:// or https:// URL, e.g. https://hospital.example.org",
                               line: t.line(key))
                }
            }
            var kinds: Set<LearningEvent.Kind> = []
            for e in events {
                if e == "*" { kinds.formUnion(LearningEvent.Kind.allCases) } else if let k = LearningEvent.Kind(rawValue: e) { kinds.insert(k) } else {
                    sink.error("unknown lrs event \(Brief.quoted(e)); use \(kindNames.joined(separator: ", ")) or \"*\"", line: t.line("events"))
                }
            }
            if !["assignments", "all"].contains(completions) {
                sink.error("'completions' is \(Brief.quoted(completions)); use \"assignments\" (completions of jitd sessions) or \"all\" (every completion recorded)",
                           line: t.line("completions"))
            }
            if language.isEmpty || !language.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "-") }) {
                sink.error("'language' is \(Brief.quoted(language)); use an RFC 5646 language tag such as en-US", line: t.line("language"))
            }
            for n in nets where CIDR(n) == nil {
                sink.error("\(Brief.quoted(n)) in allow_networks is not a CIDR; write e.g. 127.0.0.0/8 or ::1/128", line: t.line("allow_networks"))
            }
            t.finish(&sink)
            if let name, let endpoint, let credentials, let homePage {
                let home = homePage.hasSuffix("/") ? String(homePage.dropLast()) : homePage
                out.append(LRSEndpoint(name: name, endpoint: endpoint, credentialsFile: absolute(credentials), homePage: homePage,
                                       activityBase: activityBase ?? home + "/jitd", kinds: kinds, units: units,
                                       allCompletions: completions == "all", includeNames: includeNames, language: language,
                                       allowNetworks: nets, concurrency: concurrency))
            }
        }
        return out
    }

    static func isHTTPURL(_ s: String) -> Bool {
        guard let u = URL(string: s), let scheme = u.scheme?.lowercased(), let host = u.host, !host.isEmpty else { return false }
        return scheme == "https" || scheme == "http"
    }
}
