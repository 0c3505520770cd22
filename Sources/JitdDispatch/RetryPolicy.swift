import Foundation
import JitdCore

/// When to try a failed message again.
///
/// Non-assignment events follow the Standard Webhooks example schedule (5 s, 5 min, 30 min,
/// 2 h, 5 h, 10 h, 10 h, …) with full jitter, up to `maxAge`. Assignment messages must arrive
/// before their start, so they retry quickly (exponential from 1 s, capped at 60 s); they
/// expire at the start rather than arrive late.
public struct RetryPolicy: Sendable {
    public var maxAge: Int64 = 3 * 86_400
    public var retryAfterCap: Int64 = 10 * 3600
    static let schedule: [Int64] = [5, 300, 1800, 7200, 18_000, 36_000]

    public init() {}

    /// The delay before attempt `attempt + 1`, given the server's `Retry-After` (seconds) if any.
    public func delay(afterAttempt attempt: Int, type: String, retryAfter: Int64?, random: (Int64) -> Int64) -> Int64 {
        if let retryAfter { return max(1, min(retryAfter, retryAfterCap)) }
        if type.hasPrefix("assignment.") {
            let cap = min(Int64(60), Int64(1) << Int64(min(attempt, 6)))
            return 1 + random(cap)
        }
        let base = Self.schedule[min(attempt - 1, Self.schedule.count - 1)]
        return base / 2 + random(base - base / 2)
    }

    /// Parses `Retry-After`: delay seconds or an HTTP date.
    public static func parseRetryAfter(_ value: String?, now: Instant) -> Int64? {
        guard let v = value?.trimmingCharacters(in: .whitespaces), !v.isEmpty else { return nil }
        if let s = Int64(v) { return max(0, s) }
        let f = DateFormatter()
        f.locale = Locale(identifier: "en_US_POSIX")
        f.timeZone = TimeZone(identifier: "GMT")
        f.dateFormat = "EEE, dd MMM yyyy HH:mm:ss zzz"
        guard let d = f.date(from: v) else { return nil }
        return max(0, Int64(d.timeIntervalSince1970) - now.seconds)
    }
}
