import Synchronization

/// Slows down guessing: after ``perAccount`` failed sign-ins for one account, or ``perAddress``
/// from one address, within ``window`` seconds, further tries are refused (429) until the oldest
/// of those failures is older than the window. A success clears the account's count.
final class SignInThrottle: Sendable {
    let perAccount: Int
    let perAddress: Int
    let window: Int64
    private let failures = Mutex<[String: [Int64]]>([:])

    init(perAccount: Int = 5, perAddress: Int = 20, window: Int64 = 15 * 60) {
        self.perAccount = perAccount
        self.perAddress = perAddress
        self.window = window
    }

    static func accountKey(_ user: String) -> String { "user:" + user.lowercased() }
    static func addressKey(_ address: String) -> String { "addr:" + address }

    /// Seconds to wait before trying again, or `nil` when a try is allowed now.
    func retryAfter(account: String, address: String, now: Int64) -> Int64? {
        failures.withLock { f in
            var wait: Int64? = nil
            for (key, limit) in [(Self.accountKey(account), perAccount), (Self.addressKey(address), perAddress)] {
                let recent = (f[key] ?? []).filter { $0 > now - window }
                f[key] = recent.isEmpty ? nil : recent
                if recent.count >= limit {
                    let until = recent[recent.count - limit] + window
                    wait = max(wait ?? 0, until - now)
                }
            }
            return wait
        }
    }

    func failed(account: String, address: String, now: Int64) {
        failures.withLock { f in
            for key in [Self.accountKey(account), Self.addressKey(address)] {
                f[key, default: []].append(now)
                if f[key]!.count > 100 { f[key]!.removeFirst(f[key]!.count - 100) }
            }
            if f.count > 100_000 { f.removeAll() } // a flood of names: forget rather than grow
        }
    }

    func succeeded(account: String) {
        _ = failures.withLock { $0.removeValue(forKey: Self.accountKey(account)) }
    }
}
