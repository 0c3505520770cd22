import Foundation
import JitdCore
import JitdStore

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

extension RetryPolicy {
    /// What an attempt's answer means for the message: delivered, tried again later, the
    /// endpoint retired (410), or given up (past `maxAge`).
    func result(of sent: SendResult, for m: OutboxMessage, at t: Instant, random: (Int64) -> Int64) -> DeliveryResult {
        let status = sent.status
        if let s = status, (200..<300).contains(s) {
            return DeliveryResult(outcome: .delivered, status: s, error: nil, durationMs: sent.durationMs)
        }
        if status == 410 {
            return DeliveryResult(outcome: .endpointGone, status: 410, error: "410 Gone: the receiver asked not to be called again",
                                  durationMs: sent.durationMs)
        }
        let why = sent.error ?? "HTTP \(status ?? 0)"
        let honour = (status == 429 || status == 503) ? sent.retryAfter : nil
        let next = t.adding(seconds: delay(afterAttempt: m.attempts, type: m.type, retryAfter: honour, random: random))
        if m.createdAt.adding(seconds: maxAge) < next {
            return DeliveryResult(outcome: .dead, status: status, error: "gave up after \(m.attempts) attempts: \(why)", durationMs: sent.durationMs)
        }
        return DeliveryResult(outcome: .retry(at: next), status: status, error: why, durationMs: sent.durationMs)
    }

    /// Whether an answer says the endpoint as a whole is unwell (it counts towards opening its
    /// circuit): no answer, 5xx, 429, or a redirect. Other 4xx are about the one message.
    static func isEndpointFailure(_ sent: SendResult) -> Bool {
        guard let s = sent.status else { return true }
        return s >= 500 || s == 429 || (300..<400).contains(s)
    }
}
