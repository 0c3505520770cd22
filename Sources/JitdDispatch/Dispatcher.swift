import Foundation
import JitdCore
import JitdStore
import Logging
import ServiceLifecycle

/// An endpoint of the outbox with what delivery needs: an integrator's webhook receiver, or a
/// learning record store. Both share the queue, the worker, retries, leases and the circuit
/// breaker; they differ in the request (``EndpointKind``) and in what some answers mean.
public struct DispatchEndpoint: Sendable {
    public var name: String
    /// The webhook URL, or the LRS's xAPI base (statements go to `…/statements`).
    public var url: String
    public var kind: EndpointKind
    public var allowNetworks: [CIDR]
    /// Requests in flight at once to this endpoint.
    public var concurrency: Int

    public init(name: String, url: String, kind: EndpointKind, allowNetworks: [CIDR], concurrency: Int = 8) {
        self.name = name
        self.url = url
        self.kind = kind
        self.allowNetworks = allowNetworks
        self.concurrency = concurrency
    }

    /// A Standard Webhooks receiver.
    public init(name: String, url: String, secrets: [WebhookSecret], allowNetworks: [CIDR], concurrency: Int = 8) {
        self.init(name: name, url: url, kind: .webhook(secrets: secrets), allowNetworks: allowNetworks, concurrency: concurrency)
    }

    /// The signing secrets of a webhook endpoint (none for an LRS).
    public var secrets: [WebhookSecret] {
        if case .webhook(let s) = kind { s } else { [] }
    }
}

/// The dispatcher's clocks, replaceable in tests: wall time for the queue (seconds), a
/// monotonic clock for pacing (seconds), and the jitter source.
public struct DispatchClock: Sendable {
    public var now: @Sendable () -> Instant
    public var ticks: @Sendable () -> Double
    public var random: @Sendable (Int64) -> Int64

    public init(now: @escaping @Sendable () -> Instant,
                ticks: @escaping @Sendable () -> Double = { Double(DispatchTime.now().uptimeNanoseconds) / 1e9 },
                random: @escaping @Sendable (Int64) -> Int64 = { Int64.random(in: 0...max(0, $0)) }) {
        self.now = now
        self.ticks = ticks
        self.random = random
    }
}

/// How the dispatcher behaves; the defaults are the production values.
public struct DispatchSettings: Sendable {
    public var requestTimeout: Int64 = 10
    public var retry = RetryPolicy()
    public var breaker = CircuitBreaker()
    public var recovery = RecoveryLimiter()
    /// Delivered, expired and cancelled messages are deleted this long after they settled.
    public var retentionSeconds: Int64 = 7 * 86_400
    public var enabledPollSeconds = 5.0
    public var disabledPollSeconds = 2.0
    public var expirySweepSeconds = 1.0
    public var maintenanceSeconds = 30.0
    /// How endpoint host names become addresses (getaddrinfo; tests give their own).
    public var resolve: NetworkGuard.Resolver = NetworkGuard.resolve

    /// A lease outlives a request (with time to wait for a free slot first), so only a crash or
    /// a hung process lets one run out.
    public var leaseSeconds: Int64 { requestTimeout * 3 + 10 }

    public init() {}
}

/// Delivers due outbox messages: signed webhooks, and xAPI statements to learning record stores.
///
/// One ``EndpointWorker`` per endpoint, so a slow or failing endpoint never delays the others;
/// one ``OutboxWriter`` for all of them, so claims and results commit in batches. A sweeper
/// expires assignment messages that can no longer arrive in time, returns leases that outlived
/// a hung request, gives up on messages past `max_age`, and prunes settled rows. At start-up
/// every lease is returned to the queue: the process that held it is gone, and its messages are
/// sent again with the same `webhook-id` (at-least-once).
public struct Dispatcher: Service {
    let store: Store
    let endpoints: [DispatchEndpoint]
    let wake: ChangeSignal
    let logger: Logger
    let clock: DispatchClock
    let settings: DispatchSettings
    let onChange: @Sendable () -> Void
    let onExpired: @Sendable (Int) -> Void

    public init(store: Store, endpoints: [DispatchEndpoint], wake: ChangeSignal, logger: Logger, clock: DispatchClock,
                settings: DispatchSettings = DispatchSettings(), onChange: @escaping @Sendable () -> Void = {},
                onExpired: @escaping @Sendable (Int) -> Void = { _ in }) {
        self.store = store
        self.endpoints = endpoints
        self.wake = wake
        self.logger = logger
        self.clock = clock
        self.settings = settings
        self.onChange = onChange
        self.onExpired = onExpired
    }

    public func run() async throws {
        let recovered = try store.recoverLeases(now: clock.now(), all: true)
        if recovered > 0 { logger.notice("returned \(recovered) interrupted deliveries to the queue") }
        let writer = OutboxWriter(store: store, now: clock.now, onExpired: onExpired)
        let signals = endpoints.map { _ in ChangeSignal() }
        let stop = ChangeSignal()
        let changed = Throttled(seconds: 0.25, ticks: clock.ticks, onChange)
        await withGracefulShutdownHandler {
            await withTaskGroup(of: Void.self) { group in
                group.addTask { await forwardWakeUps(to: signals) }
                group.addTask { await sweep(until: stop, alive: changed) }
                for (endpoint, signal) in zip(endpoints, signals) {
                    let worker = EndpointWorker(endpoint: endpoint, settings: settings, writer: writer, store: store, signal: signal,
                                                clock: clock, log: logger.with("jitd_endpoint", endpoint.name), onChange: changed.callAsFunction)
                    group.addTask { await worker.run() }
                }
                await group.waitForAll()
            }
        } onGracefulShutdown: {
            wake.notify()
            stop.notify()
            signals.forEach { $0.notify() }
        }
    }

    private func forwardWakeUps(to signals: [ChangeSignal]) async {
        while !Task.isCancelled && !Task.isShuttingDownGracefully {
            await wake.wait(seconds: 3600)
            signals.forEach { $0.notify() }
        }
    }

    /// Expiry every second; lease recovery, giving up and pruning every `maintenanceSeconds`.
    /// Each turn also tells the daemon the dispatcher is alive (an endpoint whose circuit is
    /// open leaves messages overdue, and that alone must not look like a wedged daemon).
    private func sweep(until stop: ChangeSignal, alive: Throttled) async {
        var lastMaintenance = -Double.infinity
        while !Task.isCancelled && !Task.isShuttingDownGracefully {
            alive()
            do {
                let now = clock.now()
                let expired = try store.expireLate(now: now)
                if expired > 0 {
                    logger.warning("\(expired) assignment messages could not be delivered before their start and expired; the planner places those needs again")
                    onExpired(expired)
                }
                if clock.ticks() - lastMaintenance >= settings.maintenanceSeconds {
                    lastMaintenance = clock.ticks()
                    try maintain(now: now)
                }
            } catch {
                logger.error("queue sweep failed: \(error)")
            }
            await stop.wait(seconds: settings.expirySweepSeconds)
        }
    }

    private func maintain(now: Instant) throws {
        let recovered = try store.recoverLeases(now: now)
        if recovered > 0 { logger.warning("\(recovered) deliveries outlived their lease and went back to the queue") }
        let stale = try store.giveUpStale(createdBefore: now.adding(seconds: -settings.retry.maxAge), now: now)
        if stale > 0 { logger.error("\(stale) messages waited longer than the queue's max age and went to dead") }
        var pruned = 0, batch = 0
        repeat {
            batch = try store.pruneSettled(before: now.adding(seconds: -settings.retentionSeconds))
            pruned += batch
        } while batch > 0 && !Task.isCancelled
        if pruned > 0 { logger.info("pruned \(pruned) settled messages past the retention") }
    }
}

/// Calls `action` at most once per `seconds` (per-delivery notifications at thousands a second
/// would otherwise keep the status line busy).
final class Throttled: @unchecked Sendable {
    private let lock = NSLock()
    private var last = -Double.infinity
    private let seconds: Double
    private let ticks: @Sendable () -> Double
    private let action: @Sendable () -> Void

    init(seconds: Double, ticks: @escaping @Sendable () -> Double, _ action: @escaping @Sendable () -> Void) {
        self.seconds = seconds
        self.ticks = ticks
        self.action = action
    }

    func callAsFunction() {
        let t = ticks()
        let due = lock.withLock {
            guard t - last >= seconds else { return false }
            last = t
            return true
        }
        if due { action() }
    }
}

extension Logger {
    func with(_ key: String, _ value: String) -> Logger {
        var l = self
        l[metadataKey: key] = "\(value)"
        return l
    }
}
