import Foundation
import JitdCore
#if canImport(Glibc)
import Glibc
#endif

/// Refuses webhook URLs that point into the hospital's own networks (loopback, private,
/// link-local, CGNAT, and their IPv4-mapped IPv6 forms) unless the endpoint's `allow_networks`
/// covers them, so a config typo or a hostile DNS answer cannot turn jitd into a probe of
/// internal services or the cloud metadata address.
///
/// Every address the name resolves to is checked, and the connection is then pinned to a
/// checked address (``EndpointClient``), so a second DNS answer cannot slip past the check; when
/// that address refuses connections the client moves on to the next checked one.
public enum NetworkGuard {
    /// Where to connect: the host as in the URL and the checked addresses to dial.
    public struct Target: Sendable, Equatable {
        public var host: String
        /// The addresses to connect to (text), IPv4 first, in the resolver's order; empty when
        /// the URL's host is itself an address.
        public var addresses: [String]

        /// The address tried first.
        public var pinned: String? { addresses.first }

        public init(host: String, addresses: [String]) {
            self.host = host
            self.addresses = addresses
        }
    }

    /// Turns a host name into addresses (4 or 16 bytes each); `resolve` (getaddrinfo) unless a
    /// test gives another.
    public typealias Resolver = @Sendable (String) -> [[UInt8]]

    public enum Problem: Error, Equatable, CustomStringConvertible {
        /// The URL or an address of its host is not allowed: never deliverable as configured.
        case refused(String)
        /// The name does not resolve now: worth retrying.
        case unresolved(String)

        public var description: String {
            switch self {
            case .refused(let s), .unresolved(let s): s
            }
        }
    }

    /// Resolves and checks the URL's host (blocking: call it off the cooperative pool).
    public static func target(url: String, allowed: [CIDR], resolve: Resolver = resolve) -> Result<Target, Problem> {
        guard let host = URL(string: url)?.host, !host.isEmpty else { return .failure(.refused("the URL has no host")) }
        let bare = host.hasPrefix("[") ? String(host.dropFirst().dropLast()) : host
        let literal = IPAddress.parse(bare)
        let addresses = literal.map { [$0] } ?? resolve(bare)
        if addresses.isEmpty { return .failure(.unresolved("\(host) does not resolve")) }
        for a in addresses where IPAddress.isInternal(a) && !IPAddress.isAllowed(a, by: allowed) {
            return .failure(.refused("\(host) resolves to the internal address \(IPAddress.text(a)); add its network to allow_networks if this receiver is on site"))
        }
        guard literal == nil else { return .success(Target(host: bare, addresses: [])) }
        var seen = Set<[UInt8]>()
        let ordered = (addresses.filter { $0.count == 4 } + addresses.filter { $0.count != 4 }).filter { seen.insert($0).inserted }
        return .success(Target(host: bare, addresses: ordered.map(IPAddress.text)))
    }

    /// `target(url:allowed:)` on a thread of its own, so a slow DNS server blocks no task.
    public static func targetAsync(url: String, allowed: [CIDR], resolve: @escaping Resolver = resolve) async -> Result<Target, Problem> {
        await DispatchQueue.global().perform { target(url: url, allowed: allowed, resolve: resolve) }
    }

    @Sendable public static func resolve(_ host: String) -> [[UInt8]] {
        var hints = addrinfo()
        hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
        var res: UnsafeMutablePointer<addrinfo>?
        guard getaddrinfo(host, nil, &hints, &res) == 0, let first = res else { return [] }
        defer { freeaddrinfo(first) }
        var out: [[UInt8]] = []
        var p: UnsafeMutablePointer<addrinfo>? = first
        while let ai = p {
            if ai.pointee.ai_family == AF_INET, let sa = ai.pointee.ai_addr {
                sa.withMemoryRebound(to: sockaddr_in.self, capacity: 1) { sin in
                    withUnsafeBytes(of: sin.pointee.sin_addr) { out.append(Array($0)) }
                }
            } else if ai.pointee.ai_family == AF_INET6, let sa = ai.pointee.ai_addr {
                sa.withMemoryRebound(to: sockaddr_in6.self, capacity: 1) { sin in
                    withUnsafeBytes(of: sin.pointee.sin6_addr) { out.append(Array($0)) }
                }
            }
            p = ai.pointee.ai_next
        }
        return out
    }
}
