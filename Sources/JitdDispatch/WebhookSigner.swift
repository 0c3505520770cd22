import Crypto
import Foundation

/// A Standard Webhooks signing secret: symmetric, `whsec_` + standard base64 of 24 to 64 random
/// bytes (signatures `v1,`: HMAC-SHA256); or asymmetric, `whsk_` + base64 of a 32-byte Ed25519
/// seed (signatures `v1a,`; receivers verify with the `whpk_` public key, which
/// `jitd queue public-key` prints).
public struct WebhookSecret: Sendable, Hashable {
    public let key: Data
    /// An Ed25519 signing key rather than an HMAC secret.
    public let isAsymmetric: Bool

    public init(key: Data, asymmetric: Bool = false) {
        self.key = key
        self.isAsymmetric = asymmetric
    }

    /// Parses the text of a secret; a trailing newline is ignored.
    public init?(text: String) {
        let t = text.trimmingCharacters(in: .whitespacesAndNewlines)
        if t.hasPrefix("whsk_") {
            guard let raw = Data(base64Encoded: String(t.dropFirst(5))), raw.count == 32 || raw.count == 64 else { return nil }
            self.init(key: raw.prefix(32), asymmetric: true)
            return
        }
        guard t.hasPrefix("whsec_"), let key = Data(base64Encoded: String(t.dropFirst(6))), (24...64).contains(key.count) else { return nil }
        self.init(key: key)
    }

    /// `whpk_` + base64 of the Ed25519 public key, for receivers; `nil` for a symmetric secret.
    public var publicKey: String? {
        guard isAsymmetric, let k = try? Curve25519.Signing.PrivateKey(rawRepresentation: key) else { return nil }
        return "whpk_" + k.publicKey.rawRepresentation.base64EncodedString()
    }

    /// Reads a secret file (``SecretFile``: a systemd credential first, and refused when others
    /// may write it); `warn` hears about one others may read.
    public static func load(file: String, environment: [String: String] = ProcessInfo.processInfo.environment,
                            warn: (String) -> Void = { _ in }) throws(SecretFile.Problem) -> WebhookSecret {
        try SecretFile.value(file, what: "webhook secret",
                             expected: "'whsec_' followed by base64 of 24 to 64 bytes (generate one with: printf 'whsec_%s\\n' \"$(head -c 32 /dev/urandom | base64)\"), or 'whsk_' followed by base64 of a 32-byte Ed25519 seed",
                             environment: environment, warn: warn, parse: WebhookSecret.init(text:))
    }
}

/// Signs messages the Standard Webhooks way.
public enum WebhookSigner {
    /// `v1,<base64 HMAC-SHA256 of "id.timestamp.body">` per symmetric secret and
    /// `v1a,<base64 Ed25519 signature of the same>` per asymmetric one, space separated.
    public static func signature(id: String, timestamp: Int64, body: Data, secrets: [WebhookSecret]) -> String {
        var content = Data("\(id).\(timestamp).".utf8)
        content.append(body)
        return secrets.compactMap { secret in
            if secret.isAsymmetric {
                guard let k = try? Curve25519.Signing.PrivateKey(rawRepresentation: secret.key),
                      let sig = try? k.signature(for: content) else { return nil }
                return "v1a," + sig.base64EncodedString()
            }
            let mac = HMAC<SHA256>.authenticationCode(for: content, using: SymmetricKey(data: secret.key))
            return "v1," + Data(mac).base64EncodedString()
        }.joined(separator: " ")
    }

    /// The headers of one attempt.
    public static func headers(id: String, timestamp: Int64, body: Data, secrets: [WebhookSecret]) -> [(String, String)] {
        [("webhook-id", id),
         ("webhook-timestamp", String(timestamp)),
         ("webhook-signature", signature(id: id, timestamp: timestamp, body: body, secrets: secrets)),
         ("content-type", "application/json"),
         ("user-agent", "jitd")]
    }
}
