import AsyncHTTPClient
import Foundation
import JitdCore
import JitdStore
import Logging
import NIOCore
import NIOHTTP1
import ServiceLifecycle

/// An integrator's endpoint with what delivery needs.
public struct DispatchEndpoint: Sendable {
    public var name: String
    public var url: String
    public var secrets: [WebhookSecret]
    public var allowNetworks: [CIDR]
    /// Requests in flight at once to this endpoint.
    public var concurrency: Int

    public init(name: String, url: String, secrets: [WebhookSecret], allowNetworks: [CIDR], concurrency: Int = 4) {
        self.name = name
        self.url = url
        self.secrets = secrets
        self.allowNetworks = allowNetworks
        self.concurrency = concurrency
    }
}

/// Delivers due outbox messages as signed webhooks.
///
/// One loop per endpoint, so a slow or failing endpoint never delays the others. Each loop
/// leases due messages, posts them, and records the outcome; the lease outlives the request
/// timeout, so a crash mid-request returns the message to the queue and it is sent again
/// with the same `webhook-id` (at-least-once).
public struct Dispatcher: Service {
    let store: Store
    let endpoints: [DispatchEndpoint]
    let wake: ChangeSignal
    let logger: Logger
    let now: @Sendable () -> Instant
    let retry: RetryPolicy
    let requestTimeout: Int64
    let onChange: @Sendable () -> Void

    public init(store: Store, endpoints: [DispatchEndpoint], wake: ChangeSignal, logger: Logger,
                now: @escaping @Sendable () -> Instant, retry: RetryPolicy = RetryPolicy(), requestTimeout: Int64 = 10,
                onChange: @escaping @Sendable () -> Void = {}) {
        self.store = store
        self.endpoints = endpoints
        self.wake = wake
        self.logger = logger
        self.now = now
        self.retry = retry
        self.requestTimeout = requestTimeout
        self.onChange = onChange
    }

    public func run() async throws {
        let recovered = try store.recoverLeases(now: now())
        if recovered > 0 { logger.notice("returned \(recovered) interrupted deliveries to the queue") }
        let client = HTTPClient(eventLoopGroupProvider: .singleton, configuration: .init(
            redirectConfiguration: .disallow,
            timeout: .init(connect: .seconds(5), read: .seconds(requestTimeout))))
        let signals = endpoints.map { _ in ChangeSignal() }
        await withGracefulShutdownHandler {
            await withTaskGroup(of: Void.self) { group in
                group.addTask {
                    while !Task.isCancelled && !Task.isShuttingDownGracefully {
                        await wake.wait(seconds: 3600)
                        signals.forEach { $0.notify() }
                    }
                }
                for (endpoint, signal) in zip(endpoints, signals) {
                    group.addTask { await endpointLoop(endpoint, signal, client) }
                }
                await group.next()
                group.cancelAll()
            }
        } onGracefulShutdown: {
            wake.notify()
            signals.forEach { $0.notify() }
        }
        try? await client.shutdown()
    }

    func endpointLoop(_ endpoint: DispatchEndpoint, _ signal: ChangeSignal, _ client: HTTPClient) async {
        let log = logger.with("jitd_endpoint", endpoint.name)
        while !Task.isCancelled && !Task.isShuttingDownGracefully {
            let batch: [OutboxMessage]
            do {
                batch = try store.claimDue(now: now(), limit: endpoint.concurrency, leaseSeconds: requestTimeout * 2 + 10,
                                           endpoint: endpoint.name)
            } catch {
                log.error("cannot read the outbox: \(error)")
                await signal.wait(seconds: 5)
                continue
            }
            if batch.isEmpty {
                let next = (try? store.nextDue(endpoint: endpoint.name)).flatMap { $0 }
                let seconds = next.map { Double(max(0, $0.seconds - now().seconds)) } ?? 60
                await signal.wait(seconds: min(max(seconds, 0.05), 60))
                continue
            }
            await withTaskGroup(of: Void.self) { group in
                for m in batch { group.addTask { await deliver(m, to: endpoint, client, log) } }
            }
            onChange()
        }
    }

    func deliver(_ m: OutboxMessage, to endpoint: DispatchEndpoint, _ client: HTTPClient, _ log: Logger) async {
        let started = DispatchTime.now()
        let attemptTime = now()
        var status: Int? = nil
        var errorText: String? = nil
        var retryAfter: Int64? = nil
        if let refusal = NetworkGuard.refusal(url: endpoint.url, allowed: endpoint.allowNetworks) {
            finish(m, DeliveryResult(outcome: .dead, status: nil, error: refusal, durationMs: 0), log)
            return
        }
        var request = HTTPClientRequest(url: endpoint.url)
        request.method = .POST
        for (k, v) in WebhookSigner.headers(id: m.eventID, timestamp: attemptTime.seconds, body: m.body, secrets: endpoint.secrets) {
            request.headers.add(name: k, value: v)
        }
        request.body = .bytes(ByteBuffer(bytes: m.body))
        do {
            let response = try await client.execute(request, timeout: .seconds(requestTimeout))
            status = Int(response.status.code)
            retryAfter = RetryPolicy.parseRetryAfter(response.headers.first(name: "retry-after"), now: attemptTime)
            _ = try? await response.body.collect(upTo: 64 * 1024)
        } catch {
            errorText = String(describing: error)
        }
        let ms = Int((DispatchTime.now().uptimeNanoseconds - started.uptimeNanoseconds) / 1_000_000)
        finish(m, outcome(m, status: status, error: errorText, retryAfter: retryAfter, durationMs: ms, at: attemptTime), log)
    }

    func outcome(_ m: OutboxMessage, status: Int?, error: String?, retryAfter: Int64?, durationMs: Int, at t: Instant) -> DeliveryResult {
        if let s = status, (200..<300).contains(s) {
            return DeliveryResult(outcome: .delivered, status: s, error: nil, durationMs: durationMs)
        }
        let why = error ?? "HTTP \(status ?? 0)"
        if status == 410 {
            return DeliveryResult(outcome: .dead, status: status, error: "410 Gone: the endpoint asked not to be called again", durationMs: durationMs)
        }
        let honour = (status == 429 || status == 503) ? retryAfter : nil
        let delay = retry.delay(afterAttempt: m.attempts, type: m.type, retryAfter: honour) { Int64.random(in: 0...max(0, $0)) }
        let next = t.adding(seconds: delay)
        if m.createdAt.adding(seconds: retry.maxAge) < next {
            return DeliveryResult(outcome: .dead, status: status, error: "gave up after \(m.attempts) attempts: \(why)", durationMs: durationMs)
        }
        return DeliveryResult(outcome: .retry(at: next), status: status, error: why, durationMs: durationMs)
    }

    func finish(_ m: OutboxMessage, _ r: DeliveryResult, _ log: Logger) {
        do { try store.finish(m, r, now: now()) } catch { log.error("cannot record a delivery result: \(error)") }
        var meta: Logger.Metadata = ["jitd_message": "\(m.eventID)", "jitd_type": "\(m.type)", "jitd_attempt": "\(m.attempts)"]
        if let s = r.status { meta["jitd_status"] = "\(s)" }
        switch r.outcome {
        case .delivered: log.info("delivered", metadata: meta)
        case .retry(let at): log.warning("delivery failed, retrying at \(at.rfc3339): \(r.error ?? "")", metadata: meta)
        case .dead: log.error("delivery dead: \(r.error ?? "")", metadata: meta)
        }
    }
}

extension Logger {
    func with(_ key: String, _ value: String) -> Logger {
        var l = self
        l[metadataKey: key] = "\(value)"
        return l
    }
}
