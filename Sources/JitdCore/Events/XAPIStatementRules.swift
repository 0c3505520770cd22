/// The structural rules of xAPI 1.0.3 (part two, section 2) a statement must meet, checked
/// without a learning record store: the tests run every statement jitd builds through them, and
/// the statements an LRS returns.
///
/// It checks what jitd's statements use: the statement's properties and their types, an actor
/// that is an Agent with exactly one inverse functional identifier, IRIs where IRIs are
/// required, language maps, UUIDs and timestamps. It is not a whole conformance suite (it does
/// not check SubStatements, Groups or attachments, which jitd never sends).
public enum XAPIStatementRules {
    static let statementKeys: Set<String> = ["id", "actor", "verb", "object", "result", "context", "timestamp", "stored",
                                             "authority", "version", "attachments"]
    static let contextKeys: Set<String> = ["registration", "instructor", "team", "contextActivities", "revision", "platform",
                                           "language", "statement", "extensions"]
    static let resultKeys: Set<String> = ["score", "success", "completion", "response", "duration", "extensions"]
    static let definitionKeys: Set<String> = ["name", "description", "type", "moreInfo", "extensions", "interactionType",
                                              "correctResponsesPattern", "choices", "scale", "source", "target", "steps"]

    /// Every rule the statement breaks, as `path: what is wrong`; empty when it is valid.
    /// `sent` is true for a statement as a client sends it (no `stored`, `authority` or `version`,
    /// which the LRS sets).
    public static func problems(_ statement: JSONValue, sent: Bool = true) -> [String] {
        var out: [String] = []
        guard let s = statement.object else { return ["statement: must be a JSON object"] }
        for k in s.keys.sorted() where !statementKeys.contains(k) { out.append("\(k): not a statement property") }
        if sent { for k in ["stored", "authority", "version"] where s[k] != nil { out.append("\(k): set by the LRS, not by a client") } }
        if let id = s["id"] { uuid(id, "id", &out) } else if sent { out.append("id: jitd always sets the statement id") }
        agent(s["actor"], "actor", &out)
        if let v = s["verb"]?.object {
            for k in v.keys.sorted() where !["id", "display"].contains(k) { out.append("verb.\(k): not a verb property") }
            iri(v["id"], "verb.id", &out)
            if let d = v["display"] { languageMap(d, "verb.display", &out) }
        } else { out.append("verb: required, an object") }
        activity(s["object"], "object", &out)
        if let r = s["result"] {
            if let o = r.object {
                for k in o.keys.sorted() where !resultKeys.contains(k) { out.append("result.\(k): not a result property") }
                for k in ["success", "completion"] { if let b = o[k], !isBool(b) { out.append("result.\(k): must be true or false") } }
                if let e = o["extensions"] { extensions(e, "result.extensions", &out) }
            } else { out.append("result: must be an object") }
        }
        if let c = s["context"] {
            if let o = c.object {
                for k in o.keys.sorted() where !contextKeys.contains(k) { out.append("context.\(k): not a context property") }
                if let r = o["registration"] { uuid(r, "context.registration", &out) }
                if let p = o["platform"], p.string == nil { out.append("context.platform: must be a string") }
                if let l = o["language"] { if !isLanguageTag(l.string ?? "") { out.append("context.language: must be an RFC 5646 tag") } }
                if let ca = o["contextActivities"] {
                    if let m = ca.object {
                        for (k, v) in m.sorted(by: { $0.key < $1.key }) {
                            guard ["parent", "grouping", "category", "other"].contains(k) else {
                                out.append("context.contextActivities.\(k): not a context activity type"); continue
                            }
                            for (i, a) in (v.array ?? [v]).enumerated() { activity(a, "context.contextActivities.\(k)[\(i)]", &out) }
                        }
                    } else { out.append("context.contextActivities: must be an object") }
                }
                if let e = o["extensions"] { extensions(e, "context.extensions", &out) }
            } else { out.append("context: must be an object") }
        }
        if let t = s["timestamp"] {
            if t.string.flatMap(Instant.init(rfc3339:)) == nil { out.append("timestamp: must be an ISO 8601 date-time with a zone") }
        }
        return out
    }

    static func agent(_ value: JSONValue?, _ path: String, _ out: inout [String]) {
        guard let a = value?.object else { out.append("\(path): required, an object"); return }
        if let t = a["objectType"], t.string != "Agent" { out.append("\(path).objectType: jitd's actors are Agents") }
        let ifis = ["mbox", "mbox_sha1sum", "openid", "account"].filter { a[$0] != nil }
        if ifis.count != 1 { out.append("\(path): must have exactly one inverse functional identifier, has \(ifis.count)") }
        if let acc = a["account"] {
            if let o = acc.object {
                iri(o["homePage"], "\(path).account.homePage", &out)
                if (o["name"]?.string ?? "").isEmpty { out.append("\(path).account.name: required, a string") }
                for k in o.keys.sorted() where !["homePage", "name"].contains(k) { out.append("\(path).account.\(k): not an account property") }
            } else { out.append("\(path).account: must be an object") }
        }
        if let n = a["name"], n.string == nil { out.append("\(path).name: must be a string") }
    }

    static func activity(_ value: JSONValue?, _ path: String, _ out: inout [String]) {
        guard let a = value?.object else { out.append("\(path): required, an object"); return }
        if let t = a["objectType"], t.string != "Activity" { out.append("\(path).objectType: jitd's objects are Activities") }
        iri(a["id"], "\(path).id", &out)
        for k in a.keys.sorted() where !["objectType", "id", "definition"].contains(k) { out.append("\(path).\(k): not an activity property") }
        guard let d = a["definition"] else { return }
        guard let o = d.object else { out.append("\(path).definition: must be an object"); return }
        for k in o.keys.sorted() where !definitionKeys.contains(k) { out.append("\(path).definition.\(k): not a definition property") }
        for k in ["name", "description"] { if let m = o[k] { languageMap(m, "\(path).definition.\(k)", &out) } }
        if let t = o["type"] { iri(t, "\(path).definition.type", &out) }
        if let m = o["moreInfo"] { iri(m, "\(path).definition.moreInfo", &out) }
        if let e = o["extensions"] { extensions(e, "\(path).definition.extensions", &out) }
    }

    static func extensions(_ value: JSONValue, _ path: String, _ out: inout [String]) {
        guard let o = value.object else { out.append("\(path): must be an object"); return }
        for k in o.keys.sorted() where !isIRI(k) { out.append("\(path): key \(Brief.quoted(k)) must be an IRI") }
    }

    static func languageMap(_ value: JSONValue, _ path: String, _ out: inout [String]) {
        guard let o = value.object else { out.append("\(path): must be a language map"); return }
        for (k, v) in o.sorted(by: { $0.key < $1.key }) {
            if !isLanguageTag(k) { out.append("\(path): \(Brief.quoted(k)) is not an RFC 5646 language tag") }
            if v.string == nil { out.append("\(path).\(k): must be a string") }
        }
    }

    static func iri(_ value: JSONValue?, _ path: String, _ out: inout [String]) {
        guard let s = value?.string else { out.append("\(path): required, an IRI"); return }
        if !isIRI(s) { out.append("\(path): \(Brief.quoted(s)) is not an absolute IRI") }
    }

    static func uuid(_ value: JSONValue, _ path: String, _ out: inout [String]) {
        guard let s = value.string, let b = NameBasedUUID.bytes(s), s == s.lowercased() || s == s.uppercased() else {
            out.append("\(path): must be a UUID"); return
        }
        if b[8] & 0xC0 != 0x80 { out.append("\(path): must be an RFC 4122 UUID (variant bits 10)") }
    }

    /// An absolute IRI: a scheme (a letter, then letters, digits, `+`, `-`, `.`), a colon, and
    /// no spaces or control characters.
    static func isIRI(_ s: String) -> Bool {
        guard let colon = s.firstIndex(of: ":"), colon != s.startIndex, s.index(after: colon) != s.endIndex else { return false }
        let scheme = s[..<colon]
        guard let first = scheme.first, first.isASCII && first.isLetter,
              scheme.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || "+-.".contains($0)) }) else { return false }
        return !s.unicodeScalars.contains { $0.value <= 0x20 || $0.value == 0x7F || "<>\"{}|\\^`".unicodeScalars.contains($0) }
    }

    /// An RFC 5646 tag in its common shape: subtags of 1 to 8 letters or digits joined by `-`,
    /// the first of letters.
    static func isLanguageTag(_ s: String) -> Bool {
        let parts = s.split(separator: "-", omittingEmptySubsequences: false)
        guard let first = parts.first, (2...8).contains(first.count), first.allSatisfy({ $0.isASCII && $0.isLetter }) else { return false }
        return parts.dropFirst().allSatisfy { (1...8).contains($0.count) && $0.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber) } }
    }

    static func isBool(_ v: JSONValue) -> Bool { if case .bool = v { true } else { false } }
}
