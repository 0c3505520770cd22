/// An IPv4 or IPv6 network such as `10.0.0.0/8` or `fd00::/8`.
public struct CIDR: Hashable, Sendable {
    public let address: [UInt8]
    public let prefix: Int

    public init?(_ text: String) {
        let parts = text.split(separator: "/", omittingEmptySubsequences: false)
        guard parts.count <= 2, let bytes = IPAddress.parse(String(parts[0])) else { return nil }
        let bits = bytes.count * 8
        let prefix = parts.count == 2 ? Int(parts[1]) : bits
        guard let prefix, (0...bits).contains(prefix) else { return nil }
        self.address = bytes
        self.prefix = prefix
    }

    public func contains(_ bytes: [UInt8]) -> Bool {
        guard bytes.count == address.count else { return false }
        var left = prefix
        for i in 0..<bytes.count where left > 0 {
            let take = min(8, left)
            let mask: UInt8 = take == 8 ? 0xFF : ~(0xFF >> UInt8(take))
            if bytes[i] & mask != address[i] & mask { return false }
            left -= take
        }
        return true
    }
}

/// Parsing of textual IP addresses into bytes (4 for IPv4, 16 for IPv6).
public enum IPAddress {
    public static func parse(_ s: String) -> [UInt8]? {
        if s.contains(":") { return parseV6(s) }
        let parts = s.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 4 else { return nil }
        var out: [UInt8] = []
        for p in parts {
            guard !p.isEmpty, p.count <= 3, let v = UInt8(p) else { return nil }
            out.append(v)
        }
        return out
    }

    static func parseV6(_ s: String) -> [UInt8]? {
        let halves = s.components(separatedBy: "::")
        guard halves.count <= 2 else { return nil }
        func groups(_ h: String) -> [UInt16]? {
            if h.isEmpty { return [] }
            var out: [UInt16] = []
            for g in h.split(separator: ":", omittingEmptySubsequences: false) {
                guard !g.isEmpty, g.count <= 4, let v = UInt16(g, radix: 16) else { return nil }
                out.append(v)
            }
            return out
        }
        guard let head = groups(halves[0]) else { return nil }
        let tail = halves.count == 2 ? groups(halves[1]) : []
        guard let tail else { return nil }
        let fill = 8 - head.count - tail.count
        guard halves.count == 2 ? fill >= 1 : fill == 0 else { return nil }
        let all = head + Array(repeating: 0, count: halves.count == 2 ? fill : 0) + tail
        return all.flatMap { [UInt8($0 >> 8), UInt8($0 & 0xFF)] }
    }

    /// Loopback, private, link-local (cloud metadata), CGNAT or unspecified: addresses a webhook
    /// must not reach unless allowed. An IPv4-mapped IPv6 address is judged as its IPv4 address.
    public static func isInternal(_ bytes: [UInt8]) -> Bool {
        let b = unmapped(bytes)
        return (b.count == 4 ? internal4 : internal6).contains { $0.contains(b) }
    }

    private static let internal4 = ["127.0.0.0/8", "10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16", "169.254.0.0/16",
                                    "0.0.0.0/8", "100.64.0.0/10"].map { CIDR($0)! }
    private static let internal6 = ["::1/128", "::/128", "fc00::/7", "fe80::/10"].map { CIDR($0)! }

    /// `::ffff:a.b.c.d` as `a.b.c.d`; any other address unchanged.
    public static func unmapped(_ b: [UInt8]) -> [UInt8] {
        guard b.count == 16, b[0..<10].allSatisfy({ $0 == 0 }), b[10] == 0xFF, b[11] == 0xFF else { return b }
        return Array(b[12..<16])
    }

    /// Whether one of `networks` holds the address (an IPv4-mapped address also by its IPv4 form).
    public static func isAllowed(_ b: [UInt8], by networks: [CIDR]) -> Bool {
        networks.contains { $0.contains(b) || $0.contains(unmapped(b)) }
    }

    /// The address as text: dotted IPv4, or IPv6 in full hexadecimal groups.
    public static func text(_ b: [UInt8]) -> String {
        if b.count == 4 { return b.map(String.init).joined(separator: ".") }
        return stride(from: 0, to: b.count, by: 2).map { String(UInt16(b[$0]) << 8 | UInt16(b[$0 + 1]), radix: 16) }
            .joined(separator: ":")
    }
}

import Foundation
