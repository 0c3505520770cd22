import AsyncHTTPClient
import Foundation
import JitdCore
import JitdStore
import NIOCore
import NIOHTTP1

/// What one HTTP attempt got back.
struct SendResult: Sendable {
    var status: Int?
    var error: String?
    /// Seconds, from `Retry-After` (a delay or an HTTP date).
    var retryAfter: Int64?
    var durationMs: Int
}

/// The HTTP client of one endpoint: its own connection pool (so a slow endpoint cannot take
/// another's connections), no redirects, connect and total timeouts, TLS with the system trust
/// store, and connections pinned to an address ``NetworkGuard`` checked. The name is resolved
/// and checked again every `recheckSeconds`; a new address gets a new pool.
final class EndpointClient {
    let endpoint: DispatchEndpoint
    let requestTimeout: Int64
    let recheckSeconds: Double
    private var client: HTTPClient?
    private var target: NetworkGuard.Target?
    private var checkedAt = -Double.infinity
    static let maxResponseBytes = 64 * 1024

    init(endpoint: DispatchEndpoint, requestTimeout: Int64, recheckSeconds: Double = 60) {
        self.endpoint = endpoint
        self.requestTimeout = requestTimeout
        self.recheckSeconds = recheckSeconds
    }

    /// A client whose connections go only to a checked address of the endpoint's host.
    func current(at t: Double) async -> Result<HTTPClient, NetworkGuard.Problem> {
        if let client, t - checkedAt < recheckSeconds { return .success(client) }
        switch await NetworkGuard.targetAsync(url: endpoint.url, allowed: endpoint.allowNetworks) {
        case .failure(let problem):
            return .failure(problem)
        case .success(let new):
            checkedAt = t
            if let client, new == target { return .success(client) }
            if let old = client { retire(old) }
            let fresh = HTTPClient(eventLoopGroupProvider: .singleton, configuration: configuration(new))
            client = fresh
            target = new
            return .success(fresh)
        }
    }

    private func configuration(_ target: NetworkGuard.Target) -> HTTPClient.Configuration {
        var c = HTTPClient.Configuration(
            redirectConfiguration: .disallow,
            timeout: .init(connect: .seconds(5), read: .seconds(requestTimeout)),
            connectionPool: .init(idleTimeout: .seconds(60), concurrentHTTP1ConnectionsPerHostSoftLimit: max(1, endpoint.concurrency)))
        if let ip = target.pinned { c.dnsOverride = [target.host: ip] }
        return c
    }

    /// Posts one signed message and reads at most 64 KiB of the answer.
    static func send(_ m: OutboxMessage, endpoint: DispatchEndpoint, client: HTTPClient, timestamp: Int64,
                     timeout: Int64) async -> SendResult {
        let started = DispatchTime.now()
        var request = HTTPClientRequest(url: endpoint.url)
        request.method = .POST
        for (k, v) in WebhookSigner.headers(id: m.eventID, timestamp: timestamp, body: m.body, secrets: endpoint.secrets) {
            request.headers.add(name: k, value: v)
        }
        request.body = .bytes(ByteBuffer(bytes: m.body))
        var result = SendResult(status: nil, error: nil, retryAfter: nil, durationMs: 0)
        do {
            let response = try await client.execute(request, timeout: .seconds(timeout))
            result.status = Int(response.status.code)
            result.retryAfter = RetryPolicy.parseRetryAfter(response.headers.first(name: "retry-after"), now: Instant(seconds: timestamp))
            _ = try? await response.body.collect(upTo: maxResponseBytes)
        } catch {
            result.error = describe(error)
        }
        result.durationMs = Int((DispatchTime.now().uptimeNanoseconds - started.uptimeNanoseconds) / 1_000_000)
        return result
    }

    /// A short, stable description of a transport error for the attempt log.
    static func describe(_ error: Error) -> String {
        if let e = error as? HTTPClientError {
            switch e {
            case .deadlineExceeded, .readTimeout: return "timed out"
            case .connectTimeout: return "connect timed out"
            case .remoteConnectionClosed: return "connection closed by the receiver"
            default: return "HTTP client error: \(e)"
            }
        }
        return "network error: \(error)"
    }

    /// Shuts a replaced pool down once its last requests can have finished.
    private func retire(_ old: HTTPClient) {
        let grace = UInt64(requestTimeout + 5) * 1_000_000_000
        Task {
            try? await Task.sleep(nanoseconds: grace)
            try? await old.shutdown()
        }
    }

    /// Shuts every pool of this endpoint down (in-flight requests finish or fail first).
    func shutdown() async {
        try? await client?.shutdown()
        client = nil
    }
}
