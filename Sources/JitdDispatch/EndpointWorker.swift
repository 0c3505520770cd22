import AsyncHTTPClient
import CoreMetrics
import Foundation
import JitdCore
import JitdStore
import Logging

/// Delivers one endpoint's messages: its own loop, connection pool, circuit breaker and
/// recovery pace, so a slow, failing or retired endpoint never holds up another.
///
/// The loop is a pipeline of child tasks it never blocks on: one claim at a time (a batch of
/// due messages, leased through the shared ``OutboxWriter`` so that claims and results of all
/// endpoints commit together), up to `concurrency` sends in flight (a sliding window, not
/// batches that wait for their slowest member), and the recording of each answer. It stops
/// claiming while the circuit is open or the endpoint is disabled.
struct EndpointWorker {
    let endpoint: DispatchEndpoint
    let settings: DispatchSettings
    let writer: OutboxWriter
    let store: Store
    let signal: ChangeSignal
    let clock: DispatchClock
    let log: Logger
    let onChange: @Sendable () -> Void

    /// What one send got, and what it means for the message.
    struct Outcome: Sendable {
        var message: OutboxMessage
        var sent: SendResult
        var result: DeliveryResult
    }

    /// What a child task of the loop reports.
    enum Event: Sendable {
        case claimed([OutboxMessage], asked: Int)
        case answered(Outcome)
        case recorded
    }

    /// The loop's state between iterations.
    struct State {
        /// The endpoint's pool, pinned to one checked address of its host.
        let http: EndpointClient
        var breaker: CircuitBreaker
        var limiter: RecoveryLimiter
        /// Leased, not yet sent (at most two windows: a lease covers the wait for a slot).
        var buffer: [OutboxMessage] = []
        var inflight = 0
        var recording = 0
        var claiming = false
        /// The last claim came back short: nothing more is due until something changes.
        var dry = false
        var disabled = false
        var disabledCheckedAt = -Double.infinity

        var busy: Bool { inflight > 0 || claiming || recording > 0 }
    }

    func run() async {
        let http = EndpointClient(endpoint: endpoint, requestTimeout: settings.requestTimeout, resolve: settings.resolve)
        var s = State(http: http, breaker: settings.breaker, limiter: settings.recovery)
        await withTaskGroup(of: Event.self) { group in
            while !Task.isCancelled && !Task.isShuttingDownGracefully {
                await step(&s, &group, http)
            }
            while s.busy, let e = await group.next() { handle(e, &s, &group) }
        }
        try? await writer.release(s.buffer)
        await http.shutdown()
    }

    /// One turn of the loop: start what may start, else wait for a child task, a due time or a wake-up.
    private func step(_ s: inout State, _ group: inout TaskGroup<Event>, _ http: EndpointClient) async {
        let t = clock.ticks()
        if await isDisabled(&s, at: t) {
            await settle(&s, &group)
            await signal.wait(seconds: settings.disabledPollSeconds)
            return
        }
        let window = s.breaker.window(at: t, concurrency: endpoint.concurrency)
        if window == 0 {
            await settle(&s, &group)
            await signal.wait(seconds: s.breaker.reopensIn(at: t) ?? 1)
            return
        }
        if !s.claiming && !s.dry && s.buffer.count <= window / 2 {
            claim(2 * window - s.buffer.count, &s, &group)
        }
        let n = s.limiter.take(min(max(0, window - s.inflight), s.buffer.count), at: t)
        if n > 0 {
            await start(Array(s.buffer.prefix(n)), &group, http, at: t)
            s.buffer.removeFirst(n)
            s.inflight += n
            return
        }
        if s.busy, let e = await group.next() {
            handle(e, &s, &group)
            return
        }
        if !s.buffer.isEmpty {
            try? await Task.sleep(nanoseconds: UInt64(max(0.001, s.limiter.wait(at: t)) * 1e9))
            return
        }
        if s.limiter.isRecovering {
            log.notice("backlog drained; recovery pacing ends")
            s.limiter.end()
        }
        await signal.wait(seconds: await idleSeconds())
        s.dry = false
    }

    private func claim(_ limit: Int, _ s: inout State, _ group: inout TaskGroup<Event>) {
        s.claiming = true
        group.addTask { [writer, endpoint, settings, log] in
            do {
                return .claimed(try await writer.claim(endpoint: endpoint.name, limit: limit, leaseSeconds: settings.leaseSeconds),
                                asked: limit)
            } catch {
                log.error("cannot read the outbox: \(error)")
                try? await Task.sleep(nanoseconds: 1_000_000_000)
                return .claimed([], asked: limit)
            }
        }
    }

    private func handle(_ e: Event, _ s: inout State, _ group: inout TaskGroup<Event>) {
        switch e {
        case .claimed(let ms, let asked):
            s.claiming = false
            s.buffer += ms
            s.dry = ms.count < asked
        case .answered(let o):
            s.inflight -= 1
            s.dry = false
            absorb(o, &s)
            s.recording += 1
            group.addTask { [writer, log] in
                do { try await writer.finish(o.message, o.result) } catch { log.error("cannot record a delivery result: \(error)") }
                return .recorded
            }
        case .recorded:
            s.recording -= 1
            onChange()
        }
    }

    /// Starts sends; an endpoint whose host is refused or does not resolve fails them at once.
    private func start(_ batch: [OutboxMessage], _ group: inout TaskGroup<Event>, _ http: EndpointClient, at t: Double) async {
        let client = await http.current(at: t)
        for m in batch {
            group.addTask { [self] in .answered(await attempt(m, client)) }
        }
    }

    private func attempt(_ m: OutboxMessage, _ client: Result<EndpointClient.Pinned, NetworkGuard.Problem>) async -> Outcome {
        let at = clock.now()
        let sent: SendResult
        let result: DeliveryResult
        switch client {
        case .failure(.refused(let why)):
            sent = SendResult(status: nil, error: why, retryAfter: nil, durationMs: 0)
            result = DeliveryResult(outcome: .dead, status: nil, error: why, durationMs: 0)
        case .failure(.unresolved(let why)):
            sent = SendResult(status: nil, error: why, retryAfter: nil, durationMs: 0)
            result = settings.retry.result(of: sent, for: m, to: endpoint, at: at, random: clock.random)
        case .success(let http):
            sent = await EndpointClient.send(m, endpoint: endpoint, client: http, timestamp: at.seconds, timeout: settings.requestTimeout)
            result = settings.retry.result(of: sent, for: m, to: endpoint, at: at, random: clock.random)
        }
        logResult(m, result)
        return Outcome(message: m, sent: sent, result: result)
    }

    /// Feeds an answer to the circuit breaker and notices a retirement (410).
    private func absorb(_ o: Outcome, _ s: inout State) {
        if o.sent.connectFailed, let address = o.sent.address, let next = s.http.unreachable(address) {
            log.warning("cannot connect to \(address) (\(o.sent.error ?? "")); trying \(next), another checked address of the host")
        }
        let t = clock.ticks()
        if o.result.outcome == .endpointGone {
            s.disabled = true
            s.disabledCheckedAt = t
            log.error("the receiver answered 410 Gone: endpoint disabled until `jitd queue enable \(endpoint.name)`")
            return
        }
        if RetryPolicy.isEndpointFailure(o.sent, kind: endpoint.kind) {
            if s.breaker.recordFailure(at: t, retryAfter: o.sent.retryAfter.map(Double.init)) {
                log.warning("circuit open after \(s.breaker.consecutiveFailures) failures in a row; next probe in \(Int(s.breaker.reopensIn(at: t) ?? 0)) s")
                circuitGauge.record(1)
            }
        } else if s.breaker.recordSuccess() {
            log.notice("circuit closed: the endpoint answers again; draining the backlog at a bounded rate")
            circuitGauge.record(0)
            s.limiter.begin(at: t)
        }
    }

    /// While the endpoint cannot be called: answers in flight are taken in and recorded (so the
    /// store holds a 410's verdict before the endpoint's state is read from it again), then
    /// unsent claims go back.
    private func settle(_ s: inout State, _ group: inout TaskGroup<Event>) async {
        while s.busy, let e = await group.next() { handle(e, &s, &group) }
        guard !s.buffer.isEmpty else { return }
        do { try await writer.release(s.buffer) } catch { log.error("cannot return messages to the queue: \(error)") }
        s.buffer = []
    }

    /// Reads the endpoint's state from the store now and then (an operator may enable or
    /// disable it with `jitd queue` while the daemon runs).
    private func isDisabled(_ s: inout State, at t: Double) async -> Bool {
        let period = s.disabled ? settings.disabledPollSeconds : settings.enabledPollSeconds
        guard t - s.disabledCheckedAt >= period else { return s.disabled }
        s.disabledCheckedAt = t
        let was = s.disabled
        s.disabled = ((try? store.disabledEndpoints()) ?? [:])[endpoint.name] != nil
        disabledGauge.record(s.disabled ? 1 : 0)
        if was && !s.disabled {
            log.notice("endpoint enabled again; draining its queue at a bounded rate")
            s.limiter.begin(at: t)
        }
        return s.disabled
    }

    private func idleSeconds() async -> Double {
        let next = (try? store.nextDue(endpoint: endpoint.name)).flatMap { $0 }
        let seconds = next.map { Double($0.seconds - clock.now().seconds) } ?? 60
        return min(max(seconds, 0.05), settings.enabledPollSeconds)
    }

    private var circuitGauge: Gauge { Gauge(label: DispatchMetric.circuitOpen, dimensions: [("endpoint", endpoint.name)]) }
    private var disabledGauge: Gauge { Gauge(label: DispatchMetric.endpointDisabled, dimensions: [("endpoint", endpoint.name)]) }

    private func logResult(_ m: OutboxMessage, _ r: DeliveryResult) {
        if r.outcome == .delivered && log.logLevel > .debug { return }
        var meta: Logger.Metadata = ["jitd_message": "\(m.eventID)", "jitd_type": "\(m.type)", "jitd_attempt": "\(m.attempts)"]
        if let s = r.status { meta["jitd_status"] = "\(s)" }
        switch r.outcome {
        case .delivered: log.debug("delivered", metadata: meta)
        case .retry(let at): log.warning("delivery failed, retrying at \(at.rfc3339): \(r.error ?? "")", metadata: meta)
        case .dead: log.error("delivery dead: \(r.error ?? "")", metadata: meta)
        case .endpointGone: log.error("delivery refused with 410 Gone", metadata: meta)
        }
    }
}

/// Metric names the dispatcher records (help texts live with the Prometheus exporter).
public enum DispatchMetric {
    public static let circuitOpen = "jitd_endpoint_circuit_open"
    public static let endpointDisabled = "jitd_endpoint_disabled"
}
