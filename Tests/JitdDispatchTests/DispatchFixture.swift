import Foundation
import JitdCore
import JitdStore
import Logging
@testable import JitdDispatch

/// Wall time the test moves by hand, so retry schedules can be checked without waiting.
final class FakeClock: @unchecked Sendable {
    private let lock = NSLock()
    private var t: Instant

    init(_ start: Instant = Instant(seconds: 1_800_000_000)) { t = start }

    func now() -> Instant { lock.withLock { t } }
    func advance(_ seconds: Int64) { lock.withLock { t = t.adding(seconds: seconds) } }
}

/// A store in a temporary folder, a fake wall clock, and a dispatcher to run against it.
struct DispatchFixture {
    let dir: URL
    let store: Store
    let clock = FakeClock()
    let wake = ChangeSignal()
    let secret = WebhookSecret(key: Data((0..<32).map { UInt8($0) }))

    init() throws {
        dir = FileManager.default.temporaryDirectory.appendingPathComponent("jitd-dispatch-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        store = try Store(path: dir.appendingPathComponent("jitd.sqlite").path)
    }

    func cleanUp() { try? FileManager.default.removeItem(at: dir) }

    /// Queues `n` events due now for the endpoints; returns their webhook ids.
    @discardableResult
    func enqueue(_ n: Int, to endpoints: [String], type: String = "roster.accepted", expiresIn: Int64? = nil,
                 tag: String = "m") throws -> [String] {
        let now = clock.now()
        let events = (0..<n).map { i in
            WebhookEvent(id: WebhookEvent.makeID(tag, String(i)), type: type, timestamp: now, unit: "MICU",
                         assignmentID: type.hasPrefix("assignment.") ? "a_\(tag)_\(i)" : nil,
                         expiresAt: expiresIn.map { now.adding(seconds: $0) }, data: ["n": .int(i)])
        }
        try store.enqueue(events.map { ($0, endpoints) }, runAt: now)
        wake.notify()
        return events.map(\.id)
    }

    func endpoint(_ name: String, _ receiver: FaultReceiver, concurrency: Int = 4) -> DispatchEndpoint {
        DispatchEndpoint(name: name, url: receiver.url, secrets: [secret], allowNetworks: [CIDR("127.0.0.0/8")!],
                         concurrency: concurrency)
    }

    static func settings(timeout: Int64 = 2, threshold: Int = 5, cooldown: Double = 5, recoveryRate: Double = 20) -> DispatchSettings {
        var s = DispatchSettings()
        s.requestTimeout = timeout
        s.breaker = CircuitBreaker(threshold: threshold, baseCooldown: cooldown, maxCooldown: 60)
        s.recovery = RecoveryLimiter(startRate: recoveryRate)
        s.enabledPollSeconds = 0.5
        s.disabledPollSeconds = 0.2
        return s
    }

    /// Starts a dispatcher (jitter off: every delay is its upper bound); cancel the task to stop it.
    func start(_ endpoints: [DispatchEndpoint], settings: DispatchSettings = settings(),
               onExpired: @escaping @Sendable (Int) -> Void = { _ in }) -> Task<Void, Never> {
        var logger = Logger(label: "test")
        logger.logLevel = ProcessInfo.processInfo.environment["JITD_TEST_LOG"].flatMap(Logger.Level.init(rawValue:)) ?? .critical
        let clock = self.clock
        let d = Dispatcher(store: store, endpoints: endpoints, wake: wake, logger: logger,
                           clock: DispatchClock(now: { clock.now() }, random: { $0 }), settings: settings, onExpired: onExpired)
        return Task { try? await d.run() }
    }

    /// Polls `condition` until it holds or `seconds` pass.
    /// Generous by default: the full suite runs dozens of suites at once on two cores.
    func eventually(_ seconds: Double = 60, _ condition: () throws -> Bool) async rethrows -> Bool {
        let deadline = Date().addingTimeInterval(seconds)
        while Date() < deadline {
            if try condition() { return true }
            try? await Task.sleep(nanoseconds: 20_000_000)
        }
        return try condition()
    }

    func state(_ webhookID: String, _ endpoint: String) throws -> (state: String, runAt: Int64, attempts: Int, error: String?)? {
        try store.pool.read { db in
            try Row.fetchOne(db, sql: "SELECT state, run_at, attempts, last_error FROM outbox WHERE event_id = ? AND endpoint = ?",
                             arguments: [webhookID, endpoint]).map { ($0[0], $0[1], $0[2], $0[3]) }
        }
    }
}

import GRDB
