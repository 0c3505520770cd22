import Foundation

/// Drains an endpoint's backlog at a bounded, rising rate after an outage, so a receiver that
/// just came back is not flattened by everything that queued up while it was down.
///
/// Recovery starts at `startRate` messages per second and doubles every `doublingSeconds`;
/// it ends when the backlog is drained or the rate passes `ceiling`. Outside recovery there
/// is no limit beyond the endpoint's concurrency. A token bucket holding at most one
/// second's worth of tokens does the pacing. Times are seconds on a monotonic clock.
public struct RecoveryLimiter: Sendable, Equatable {
    public let startRate: Double
    public let doublingSeconds: Double
    public let ceiling: Double
    private var since: Double?
    private var tokens = 0.0
    private var last = 0.0

    public init(startRate: Double = 20, doublingSeconds: Double = 5, ceiling: Double = 20_000) {
        self.startRate = startRate
        self.doublingSeconds = doublingSeconds
        self.ceiling = ceiling
    }

    public var isRecovering: Bool { since != nil }

    /// Messages per second allowed at `t`; `nil` outside recovery.
    public func rate(at t: Double) -> Double? {
        since.map { startRate * pow(2, max(0, t - $0) / doublingSeconds) }
    }

    public mutating func begin(at t: Double) {
        since = t
        tokens = 1
        last = t
    }

    public mutating func end() { since = nil }

    /// How many of `wanted` sends may start at `t`.
    public mutating func take(_ wanted: Int, at t: Double) -> Int {
        guard let r = rate(at: t) else { return wanted }
        if r >= ceiling {
            end()
            return wanted
        }
        tokens = min(max(r, 1), tokens + (t - last) * r)
        last = t
        let n = min(wanted, Int(tokens))
        tokens -= Double(n)
        return n
    }

    /// Seconds until the next send may start (0 outside recovery).
    public func wait(at t: Double) -> Double {
        guard let r = rate(at: t), tokens < 1 else { return 0 }
        return (1 - tokens) / r
    }
}
