import Crypto
import Foundation
import Hummingbird
import JitdStore

/// Who a console request comes from, as ``ConsoleGate`` found them.
struct ConsoleIdentity: Sendable, Hashable {
    enum Source: Sendable, Hashable {
        /// A session cookie; its id's hash.
        case session(idHash: String)
        /// The user header of a trusted reverse proxy.
        case proxy
    }

    var user: String
    var role: ConsoleRole
    /// The token every form of this identity must carry.
    var csrf: String
    var source: Source

    func may(_ needed: ConsoleRole) -> Bool { role >= needed }
}

/// Random tokens and their digests.
enum Secrets {
    /// `bytes` random bytes as unpadded base64url (cookie- and URL-safe).
    static func token(bytes: Int = 32) -> String {
        var g = SystemRandomNumberGenerator()
        return base64url((0..<bytes).map { _ in UInt8.random(in: .min ... .max, using: &g) })
    }

    static func base64url(_ bytes: some Sequence<UInt8>) -> String {
        Data(bytes).base64EncodedString().replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_")
            .replacingOccurrences(of: "=", with: "")
    }

    /// Hex SHA-256: how session ids are stored.
    static func digest(_ s: String) -> String {
        SHA256.hash(data: Data(s.utf8)).map { String(format: "%02x", $0) }.joined()
    }

    /// Compares without an early exit.
    static func same(_ a: String, _ b: String) -> Bool {
        let x = Array(a.utf8), y = Array(b.utf8)
        guard x.count == y.count else { return false }
        var diff: UInt8 = 0
        for i in 0..<x.count { diff |= x[i] ^ y[i] }
        return diff == 0
    }

    static func hmac(key: [UInt8], _ message: String) -> String {
        base64url(HMAC<SHA256>.authenticationCode(for: Data(message.utf8), using: SymmetricKey(data: key)))
    }
}

/// The request's cookies, by name (the first of a name wins).
struct Cookies {
    var values: [String: String] = [:]

    init(_ request: Request) {
        for header in request.headers[values: .cookie] {
            for pair in header.split(separator: ";") {
                let kv = pair.split(separator: "=", maxSplits: 1)
                guard kv.count == 2 else { continue }
                let name = kv[0].trimmingCharacters(in: .whitespaces)
                if values[name] == nil { values[name] = kv[1].trimmingCharacters(in: .whitespaces) }
            }
        }
    }

    subscript(_ name: String) -> String? { values[name] }
}

/// A `Set-Cookie` value: always `HttpOnly`, `SameSite=Strict`, `Path=/`; `Secure` when the
/// browser reached jitd over TLS.
struct SetCookie {
    static func make(_ name: String, _ value: String, maxAge: Int64?, secure: Bool) -> String {
        var c = "\(name)=\(value); Path=/; HttpOnly; SameSite=Strict"
        if let maxAge { c += "; Max-Age=\(maxAge)" }
        if secure { c += "; Secure" }
        return c
    }

    static func clear(_ name: String, secure: Bool) -> String { make(name, "", maxAge: 0, secure: secure) }
}

/// The url-encoded body of a console form.
struct FormInput: Sendable {
    private(set) var values: [String: [String]] = [:]

    init(_ body: String) {
        for pair in body.split(separator: "&") {
            let kv = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            func decode(_ s: Substring) -> String {
                s.replacingOccurrences(of: "+", with: " ").removingPercentEncoding ?? ""
            }
            let key = decode(kv[0])
            values[key, default: []].append(kv.count > 1 ? decode(kv[1]) : "")
        }
    }

    subscript(_ key: String) -> String? { values[key]?.first }

    /// Every field given once, as text.
    var fields: [String: String] { values.compactMapValues(\.first) }
}
