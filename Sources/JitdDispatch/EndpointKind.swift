import Foundation
import JitdCore

/// What an endpoint is, and so how a message is sent to it and what its answers mean.
public enum EndpointKind: Sendable, Hashable {
    /// A Standard Webhooks receiver: `POST url`, signed with these secrets.
    case webhook(secrets: [WebhookSecret])
    /// An xAPI Learning Record Store: `POST base/statements` with HTTP Basic authentication and
    /// `X-Experience-API-Version`; the body is one statement.
    case lrs(LRSCredentials)

    /// What the endpoint is, for logs and `jitd queue endpoints`.
    public var label: String {
        switch self {
        case .webhook: "webhook"
        case .lrs: "lrs"
        }
    }

    /// Where one message goes.
    func requestURL(_ url: String) -> String {
        switch self {
        case .webhook: url
        case .lrs: XAPIRequest.statementsURL(url)
        }
    }

    /// The headers of one attempt at `timestamp` (Unix seconds).
    func headers(id: String, timestamp: Int64, body: Data) -> [(String, String)] {
        switch self {
        case .webhook(let secrets): WebhookSigner.headers(id: id, timestamp: timestamp, body: body, secrets: secrets)
        case .lrs(let credentials): XAPIRequest.headers(credentials)
        }
    }
}

/// The username and password jitd presents to an LRS, read from a file of one line
/// `username:password` (as `curl -u` takes them). Never logged: ``description`` hides the password.
public struct LRSCredentials: Sendable, Hashable, CustomStringConvertible {
    public let username: String
    let password: String

    public init?(text: String) {
        let line = text.trimmingCharacters(in: .newlines)
        guard !line.contains("\n"), let colon = line.firstIndex(of: ":"), colon != line.startIndex else { return nil }
        username = String(line[..<colon])
        password = String(line[line.index(after: colon)...])
    }

    /// Reads a credentials file through ``SecretFile`` (a systemd credential first; refused when
    /// others may write it); `warn` hears about one others may read.
    public static func load(file: String, environment: [String: String] = ProcessInfo.processInfo.environment,
                            warn: (String) -> Void = { _ in }) throws(SecretFile.Problem) -> LRSCredentials {
        try SecretFile.value(file, what: "LRS credentials",
                             expected: "one line 'username:password' (the key and secret the LRS issued to jitd)",
                             environment: environment, warn: warn, parse: LRSCredentials.init(text:))
    }

    /// `Basic base64(username:password)`.
    var authorization: String { "Basic " + Data("\(username):\(password)".utf8).base64EncodedString() }

    public var description: String { "\(username):***" }
}

/// The xAPI side of a request: the statements resource, its headers, and reading an LRS's answer.
public enum XAPIRequest {
    /// The xAPI version jitd speaks (its statements are valid 1.0.3 statements).
    public static let version = "1.0.3"

    /// `base/statements`, whether or not the base ends with a slash.
    public static func statementsURL(_ base: String) -> String {
        (base.hasSuffix("/") ? String(base.dropLast()) : base) + "/statements"
    }

    static func headers(_ c: LRSCredentials) -> [(String, String)] {
        [("authorization", c.authorization),
         ("x-experience-api-version", version),
         ("content-type", "application/json"),
         ("user-agent", "jitd")]
    }

    /// The reason an LRS gave for refusing a request, briefly: the `detail`, `message` or
    /// `error` of a JSON answer (Ralph, Learning Locker, SQL LRS and others say it there), else
    /// the text. A list of validation errors (`[{"loc": [...], "msg": ...}]`, as FastAPI gives)
    /// shows its first error and how many follow.
    static func reason(_ body: Data?) -> String? {
        guard let body, !body.isEmpty else { return nil }
        var text = String(decoding: body, as: UTF8.self)
        if let json = try? JSONDecoder().decode(JSONValue.self, from: body), let o = json.object {
            for key in ["detail", "message", "error", "errorMessage"] {
                if let s = o[key]?.string { text = s; break }
                if let inner = o[key]?.object, let s = inner["message"]?.string { text = s; break }
                if let list = o[key]?.array, let first = list.first?.object, let msg = first["msg"]?.string {
                    let loc = (first["loc"]?.array ?? []).map { $0.string ?? String(decoding: $0.encoded(), as: UTF8.self) }
                    text = (loc.isEmpty ? "" : loc.joined(separator: ".") + ": ") + msg
                    if list.count > 1 { text += " (and \(list.count - 1) more)" }
                    break
                }
                if let v = o[key], v != .null { text = String(decoding: v.encoded(), as: UTF8.self); break }
            }
        }
        let line = text.split(whereSeparator: \.isNewline).joined(separator: " ").trimmingCharacters(in: .whitespaces)
        return line.isEmpty ? nil : Brief.bounded(line, limit: 300)
    }
}
