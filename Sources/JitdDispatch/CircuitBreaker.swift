/// Stops calling an endpoint that keeps failing, and probes it again later.
///
/// Closed: requests flow up to the endpoint's concurrency. After `threshold` failures in a row
/// (network errors, timeouts, 5xx, 429, 3xx) it opens: nothing is sent until the cooldown
/// (at least the receiver's `Retry-After`) has passed. Then one probe goes out (half open):
/// success closes the circuit, failure opens it again for twice as long, up to `maxCooldown`.
/// Times are seconds on a monotonic clock, passed in, so tests need not wait.
public struct CircuitBreaker: Sendable, Equatable {
    public enum State: Sendable, Equatable {
        case closed
        case open(until: Double)
        case halfOpen
    }

    public private(set) var state: State = .closed
    public private(set) var consecutiveFailures = 0
    public let threshold: Int
    public let baseCooldown: Double
    public let maxCooldown: Double
    private var cooldown: Double

    public init(threshold: Int = 5, baseCooldown: Double = 5, maxCooldown: Double = 300) {
        self.threshold = threshold
        self.baseCooldown = baseCooldown
        self.maxCooldown = maxCooldown
        self.cooldown = baseCooldown
    }

    /// How many requests may be in flight at `t` (0 while open, 1 to probe).
    public mutating func window(at t: Double, concurrency: Int) -> Int {
        switch state {
        case .closed: return concurrency
        case .halfOpen: return 1
        case .open(let until):
            guard t >= until else { return 0 }
            state = .halfOpen
            return 1
        }
    }

    /// Seconds until an open circuit lets a probe through; `nil` when not open.
    public func reopensIn(at t: Double) -> Double? {
        if case .open(let until) = state { return max(0, until - t) }
        return nil
    }

    /// Records a success; returns whether it closed a circuit that had been open (recovery begins).
    public mutating func recordSuccess() -> Bool {
        consecutiveFailures = 0
        cooldown = baseCooldown
        guard state == .halfOpen else { return false }
        state = .closed
        return true
    }

    /// Records a failure; returns whether it opened the circuit.
    public mutating func recordFailure(at t: Double, retryAfter: Double? = nil) -> Bool {
        consecutiveFailures += 1
        switch state {
        case .halfOpen:
            cooldown = min(cooldown * 2, maxCooldown)
        case .closed where consecutiveFailures >= threshold:
            break
        default:
            return false
        }
        state = .open(until: t + max(cooldown, min(retryAfter ?? 0, maxCooldown)))
        return true
    }
}
