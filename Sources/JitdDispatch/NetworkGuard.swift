import Foundation
import JitdCore
#if canImport(Glibc)
import Glibc
#endif

/// Refuses webhook URLs that point into the hospital's own networks (loopback, private,
/// link-local) unless the endpoint's `allow_networks` covers them, so a config typo or a
/// hostile DNS answer cannot turn jitd into a probe of internal services.
public enum NetworkGuard {
    /// Why the URL may not be called, or `nil` when it may.
    public static func refusal(url: String, allowed: [CIDR]) -> String? {
        guard let host = URL(string: url)?.host else { return "the URL has no host" }
        let bare = host.hasPrefix("[") ? String(host.dropFirst().dropLast()) : host
        let addresses = IPAddress.parse(bare).map { [$0] } ?? resolve(bare)
        if addresses.isEmpty { return nil } // let the HTTP client report the DNS failure, and retry
        for a in addresses where IPAddress.isInternal(a) && !allowed.contains(where: { $0.contains(a) }) {
            return "\(host) resolves to an internal address; add its network to allow_networks if this receiver is on site"
        }
        return nil
    }

    static func resolve(_ host: String) -> [[UInt8]] {
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
