import AsyncHTTPClient
import Foundation
import JitdCore
import JitdStore
import NIOCore
import NIOHTTP1
import NIOPosix

/// What one HTTP attempt got back.
struct SendResult: Sendable {
    var status: Int?
    var error: String?
    /// Seconds, from `Retry-After` (a delay or an HTTP date).
    var retryAfter: Int64?
    var durationMs: Int
    /// The address the request went to (`nil`: the URL names one, or none was tried).
    var address: String? = nil
    /// No connection could be made (refused, unreachable, timed out connecting).
    var connectFailed = false
    /// What the receiver said when it refused (an LRS's reason), briefly.
    var detail: String? = nil
}

/// The HTTP client of one endpoint: its own connection pool (so a slow endpoint cannot take
/// another's connections), no redirects, connect and total timeouts, TLS with the system trust
/// store, and connections pinned to an address ``NetworkGuard`` checked. The name is resolved
/// and checked again every `recheckSeconds`, keeping the address in use while it is still among
/// the checked ones; when it refuses connections, the next checked address gets a new pool.
final class EndpointClient {
    /// A pool pinned to one checked address (`nil` when the URL names an address itself).
    struct Pinned {
        var client: HTTPClient
        var address: String?
    }

    let endpoint: DispatchEndpoint
    let requestTimeout: Int64
    let recheckSeconds: Double
    let resolve: NetworkGuard.Resolver
    private var pinned: Pinned?
    private var target: NetworkGuard.Target?
    private var checkedAt = -Double.infinity
    static let maxResponseBytes = 64 * 1024

    init(endpoint: DispatchEndpoint, requestTimeout: Int64, recheckSeconds: Double = 60,
         resolve: @escaping NetworkGuard.Resolver = NetworkGuard.resolve) {
        self.endpoint = endpoint
        self.requestTimeout = requestTimeout
        self.recheckSeconds = recheckSeconds
        self.resolve = resolve
    }

    /// A pool whose connections go only to a checked address of the endpoint's host.
    func current(at t: Double) async -> Result<Pinned, NetworkGuard.Problem> {
        if let pinned, t - checkedAt < recheckSeconds { return .success(pinned) }
        switch await NetworkGuard.targetAsync(url: endpoint.url, allowed: endpoint.allowNetworks, resolve: resolve) {
        case .failure(let problem):
            return .failure(problem)
        case .success(let new):
            checkedAt = t
            target = new
            if let pinned, pinned.address.map(new.addresses.contains) ?? new.addresses.isEmpty { return .success(pinned) }
            return .success(pin(new.addresses.first, host: new.host))
        }
    }

    /// `address` could not be connected to: moves on to the next checked address, if there is
    /// another, and returns it. A failure on an address already left behind changes nothing.
    func unreachable(_ address: String) -> String? {
        guard let target, pinned?.address == address, target.addresses.count > 1,
              let i = target.addresses.firstIndex(of: address) else { return nil }
        let next = target.addresses[(i + 1) % target.addresses.count]
        pin(next, host: target.host)
        return next
    }

    @discardableResult
    private func pin(_ address: String?, host: String) -> Pinned {
        if let old = pinned?.client { retire(old) }
        let fresh = Pinned(client: HTTPClient(eventLoopGroupProvider: .singleton, configuration: configuration(address, host: host)),
                           address: address)
        pinned = fresh
        return fresh
    }

    private func configuration(_ address: String?, host: String) -> HTTPClient.Configuration {
        var c = HTTPClient.Configuration(
            redirectConfiguration: .disallow,
            timeout: .init(connect: .seconds(5), read: .seconds(requestTimeout)),
            connectionPool: .init(idleTimeout: .seconds(60), concurrentHTTP1ConnectionsPerHostSoftLimit: max(1, endpoint.concurrency)))
        if let address { c.dnsOverride = [host: address] }
        return c
    }

    /// Posts one message as its endpoint's kind wants it (a signed webhook, or a statement to an
    /// LRS) and reads at most 64 KiB of the answer.
    static func send(_ m: OutboxMessage, endpoint: DispatchEndpoint, client pinned: Pinned, timestamp: Int64,
                     timeout: Int64) async -> SendResult {
        let started = DispatchTime.now()
        var request = HTTPClientRequest(url: endpoint.kind.requestURL(endpoint.url))
        request.method = .POST
        for (k, v) in endpoint.kind.headers(id: m.eventID, timestamp: timestamp, body: m.body) {
            request.headers.add(name: k, value: v)
        }
        request.body = .bytes(ByteBuffer(bytes: m.body))
        var result = SendResult(status: nil, error: nil, retryAfter: nil, durationMs: 0, address: pinned.address)
        do {
            let response = try await pinned.client.execute(request, timeout: .seconds(timeout))
            result.status = Int(response.status.code)
            result.retryAfter = RetryPolicy.parseRetryAfter(response.headers.first(name: "retry-after"), now: Instant(seconds: timestamp))
            let answer = try? await response.body.collect(upTo: maxResponseBytes)
            if case .lrs = endpoint.kind, !(200..<300).contains(response.status.code) {
                result.detail = XAPIRequest.reason(answer.map { Data($0.readableBytesView) })
            }
        } catch {
            result.error = describe(error)
            result.connectFailed = isConnectFailure(error)
        }
        result.durationMs = Int((DispatchTime.now().uptimeNanoseconds - started.uptimeNanoseconds) / 1_000_000)
        return result
    }

    /// Whether no connection could be made at all (so another address may do better): refused,
    /// unreachable, or no answer to the connect within its timeout.
    static func isConnectFailure(_ error: Error) -> Bool {
        switch error {
        case let e as HTTPClientError: return e == .connectTimeout
        case let e as ChannelError: if case .connectTimeout = e { return true } else { return false }
        case is NIOConnectionError: return true
        case let e as IOError: return [ECONNREFUSED, EHOSTUNREACH, ENETUNREACH, ETIMEDOUT].contains(e.errnoCode)
        default: return false
        }
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
        try? await pinned?.client.shutdown()
        pinned = nil
    }
}
