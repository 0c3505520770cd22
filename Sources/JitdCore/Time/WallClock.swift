import Foundation

/// Where the daemon's use cases read the time of day: the system's clock in production, a
/// virtual one in tests and simulations, which move it by hand through weeks of operation in
/// seconds. Nothing that decides what people are told reads the wall clock any other way.
public protocol WallClock: Sendable {
    func now() -> Instant
}

/// The system's clock, to the second.
public struct SystemClock: WallClock {
    public init() {}
    public func now() -> Instant { Instant(seconds: Int64(Date().timeIntervalSince1970)) }
}

/// A clock that stands still until told to move: for tests and simulations.
public final class ManualClock: WallClock, @unchecked Sendable {
    private let lock = NSLock()
    private var current: Instant

    public init(_ start: Instant) { current = start }

    public func now() -> Instant { lock.withLock { current } }

    /// Moves the clock to `t` (never backwards).
    public func set(_ t: Instant) { lock.withLock { current = max(current, t) } }

    public func advance(seconds: Int64) { lock.withLock { current = current.adding(seconds: seconds) } }
}
