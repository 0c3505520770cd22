import _CryptoExtras
import Crypto
import Foundation

/// Console passwords, hashed with scrypt (memory-hard; swift-crypto's `KDF.Scrypt` over
/// BoringSSL) and stored as `scrypt$LOG2N$R$P$SALT$HASH` (base64), so the cost can be raised
/// later without breaking the hashes already stored.
public enum PasswordHash {
    /// N = 2^15, r = 8, p = 3: 32 MiB of memory a hash, OWASP's scrypt figures.
    public static let logN = 15, r = 8, p = 3

    public enum Problem: Error, CustomStringConvertible {
        case tooShort(Int)
        case tooLong
        public var description: String {
            switch self {
            case .tooShort(let n): "the password has \(n) characters; use at least 12 (a passphrase of a few words is easy to remember)"
            case .tooLong: "the password is longer than 1,024 bytes; use a shorter one"
            }
        }
    }

    /// Refuses passwords too short to stand a guessing attack, or absurdly long.
    public static func check(_ password: String) throws(Problem) {
        if password.count < 12 { throw .tooShort(password.count) }
        if password.utf8.count > 1024 { throw .tooLong }
    }

    /// A new hash of `password` with a random salt (the cost parameters are for tests to lower).
    public static func make(_ password: String, logN: Int = logN, r: Int = r, p: Int = p) throws -> String {
        var g = SystemRandomNumberGenerator()
        let salt = (0..<16).map { _ in UInt8.random(in: .min ... .max, using: &g) }
        let key = try derive(password, salt: salt, logN: logN, r: r, p: p)
        return "scrypt$\(logN)$\(r)$\(p)$\(Data(salt).base64EncodedString())$\(Data(key).base64EncodedString())"
    }

    /// Whether `password` matches `stored`; `false` for a malformed hash.
    public static func verify(_ password: String, against stored: String) -> Bool {
        let parts = stored.split(separator: "$").map(String.init)
        guard parts.count == 6, parts[0] == "scrypt", let logN = Int(parts[1]), let r = Int(parts[2]), let p = Int(parts[3]),
              (10...20).contains(logN), (1...32).contains(r), (1...16).contains(p),
              let salt = Data(base64Encoded: parts[4]), let expected = Data(base64Encoded: parts[5]),
              let key = try? derive(password, salt: Array(salt), logN: logN, r: r, p: p), key.count == expected.count else { return false }
        var diff: UInt8 = 0
        for (a, b) in zip(key, expected) { diff |= a ^ b }
        return diff == 0
    }

    /// Spends the time a verification takes, for a user that does not exist (so the answer's
    /// time does not tell which names are accounts).
    public static func waste(_ password: String) {
        _ = try? derive(password, salt: Array(repeating: 0, count: 16), logN: logN, r: r, p: p)
    }

    static func derive(_ password: String, salt: [UInt8], logN: Int, r: Int, p: Int) throws -> [UInt8] {
        let key = try KDF.Scrypt.deriveKey(from: Array(password.utf8), salt: salt, outputByteCount: 32, rounds: 1 << logN,
                                           blockSize: r, parallelism: p)
        return key.withUnsafeBytes { Array($0) }
    }
}
