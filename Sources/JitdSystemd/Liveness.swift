import Foundation

/// Proof that a daemon's long-running loops still go round, for the systemd watchdog.
///
/// Each loop calls ``beat(_:)`` every time it comes back to its wait, and waits no longer than
/// the beat period between two beats, so a beat means "this loop took its turn recently". A loop
/// about to start long work (a big file, a plan) declares it with ``busy(_:for:)``: it may then
/// stay silent for that budget. The watchdog task asks ``silent(longerThan:)`` before every
/// `WATCHDOG=1` and withholds it while any loop is silent, so a wedged loop leads systemd to
/// restart the daemon, while a daemon that is merely idle keeps its watchdog fed.
///
/// Thread-safe; times are monotonic (`ContinuousClock`), so wall-clock jumps do not matter.
public final class Liveness: @unchecked Sendable {
    public typealias Instant = ContinuousClock.Instant

    private struct State {
        var lastBeat: Instant
        var busyUntil: Instant?
    }

    private let lock = NSLock()
    private var loops: [String: State] = [:]

    /// Starts watching `loops`, each counted as having just beaten.
    public init(loops: [String], now: Instant = .now) {
        for l in loops { self.loops[l] = State(lastBeat: now) }
    }

    /// The loops being watched.
    public var names: [String] { lock.withLock { loops.keys.sorted() } }

    /// `loop` took its turn. Ends any busy budget it declared.
    public func beat(_ loop: String, now: Instant = .now) {
        lock.withLock { loops[loop] = State(lastBeat: now, busyUntil: nil) }
    }

    /// Every loop took its turn: the baseline when the loops start (start-up work before them,
    /// however long, is not silence).
    public func beatAll(now: Instant = .now) {
        lock.withLock { for name in loops.keys { loops[name] = State(lastBeat: now, busyUntil: nil) } }
    }

    /// `loop` starts work that may keep it away for up to `budget`; counts as a beat.
    public func busy(_ loop: String, for budget: Duration, now: Instant = .now) {
        lock.withLock { loops[loop] = State(lastBeat: now, busyUntil: now + budget) }
    }

    /// Loops that have not beaten for longer than `allowed`, outside a declared busy budget,
    /// with how long each has been silent.
    public func silent(longerThan allowed: Duration, now: Instant = .now) -> [(loop: String, silence: Duration)] {
        lock.withLock {
            loops.compactMap { name, s -> (String, Duration)? in
                let silence = s.lastBeat.duration(to: now)
                if silence <= allowed { return nil }
                if let until = s.busyUntil, now <= until { return nil }
                return (name, silence)
            }.sorted { $0.0 < $1.0 }
        }
    }
}
