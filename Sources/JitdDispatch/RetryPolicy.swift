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
    /// endpoint retired (410), or given up (past `maxAge`, or an LRS refused the statement).
    func result(of sent: SendResult, for m: OutboxMessage, to endpoint: DispatchEndpoint, at t: Instant,
                random: (Int64) -> Int64) -> DeliveryResult {
        let status = sent.status
        if let s = status, (200..<300).contains(s) {
            return DeliveryResult(outcome: .delivered, status: s, error: nil, durationMs: sent.durationMs)
        }
        if status == 410 {
            return DeliveryResult(outcome: .endpointGone, status: 410, error: "410 Gone: the receiver asked not to be called again",
                                  durationMs: sent.durationMs)
        }
        if case .lrs = endpoint.kind, let answer = LRSAnswer(status: status, detail: sent.detail, endpoint: endpoint.name) {
            switch answer {
            case .alreadyStored(let note):
                return DeliveryResult(outcome: .delivered, status: status, error: note, durationMs: sent.durationMs)
            case .refused(let why):
                return DeliveryResult(outcome: .dead, status: status, error: why, durationMs: sent.durationMs)
            case .endpointProblem(let why):
                return retry(sent, m, at: t, why: why, random: random)
            }
        }
        return retry(sent, m, at: t, why: sent.error ?? "HTTP \(status ?? 0)" + (sent.detail.map { ": \($0)" } ?? ""), random: random)
    }

    /// Tries again after the backoff, or gives up when the next try would be past `maxAge`.
    private func retry(_ sent: SendResult, _ m: OutboxMessage, at t: Instant, why: String, random: (Int64) -> Int64) -> DeliveryResult {
        let status = sent.status
        let honour = (status == 429 || status == 503) ? sent.retryAfter : nil
        let next = t.adding(seconds: delay(afterAttempt: m.attempts, type: m.type, retryAfter: honour, random: random))
        if m.createdAt.adding(seconds: maxAge) < next {
            return DeliveryResult(outcome: .dead, status: status, error: "gave up after \(m.attempts) attempts: \(why)", durationMs: sent.durationMs)
        }
        return DeliveryResult(outcome: .retry(at: next), status: status, error: why, durationMs: sent.durationMs)
    }

    /// Whether an answer says the endpoint as a whole is unwell (it counts towards opening its
    /// circuit): no answer, 5xx, 429, or a redirect; for an LRS also 401, 403 and 404 (wrong
    /// credentials or base URL fail every statement alike). Other 4xx are about the one message.
    static func isEndpointFailure(_ sent: SendResult, kind: EndpointKind) -> Bool {
        guard let s = sent.status else { return true }
        if case .lrs = kind, [401, 403, 404].contains(s) { return true }
        return s >= 500 || s == 429 || (300..<400).contains(s)
    }
}

/// What an LRS's answer means beyond the webhook rules (xAPI 1.0.3, part three, 2.1.2 and 7.1).
enum LRSAnswer: Equatable {
    /// 409: the LRS holds a statement with this id. jitd derives ids from the event, so the event
    /// is recorded there (an identical statement is usually answered 204 instead): delivered.
    case alreadyStored(String)
    /// 400 (xAPI) or 422 (what FastAPI-based stores such as Ralph answer for a statement that
    /// fails validation): the LRS refused the statement itself; sending it again cannot help.
    /// Dead, with the LRS's reason, for an operator to read and redeliver once the cause is fixed.
    case refused(String)
    /// 401, 403 or 404: the credentials or the base URL are wrong, for every statement alike.
    /// Retried like a server error, and counted against the endpoint's circuit.
    case endpointProblem(String)

    init?(status: Int?, detail: String?, endpoint name: String) {
        let said = detail.map { ": \($0)" } ?? ""
        switch status {
        case 409?:
            self = .alreadyStored("409 Conflict: the LRS already holds a statement with this id (the same event, sent before)\(said)")
        case let s? where s == 400 || s == 422:
            self = .refused("the LRS refused the statement (HTTP \(s))\(said)")
        case let s? where s == 401 || s == 403:
            self = .endpointProblem("HTTP \(s): the LRS refused jitd's credentials\(said). Check that credentials_file of [[lrs]] \(Brief.quoted(name)) holds the username:password the LRS issued (with permission to write statements), then run jitd reload")
        case 404?:
            self = .endpointProblem("HTTP 404: no xAPI statements resource there\(said). Set endpoint of [[lrs]] \(Brief.quoted(name)) to the LRS's xAPI base (the URL before /statements, e.g. https://lrs.example.org/xAPI), then run jitd reload")
        default:
            return nil
        }
    }
}
