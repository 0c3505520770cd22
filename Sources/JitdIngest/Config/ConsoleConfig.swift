import JitdCore

/// `[console]`: the pages served at `/` on the API's listener, and how people sign in to them.
///
/// ```toml
/// [console]
/// enabled = true
/// trusted_proxies = ["127.0.0.1/32"]   # reverse proxies whose user header is believed
/// user_header = "X-Remote-User"        # the header such a proxy sets after the IdP signed the user in
/// proxy_role = "viewer"                # role of a proxy user with no local account; "none" refuses them
/// feed_secret_file = "/etc/jitd/secrets/feeds"   # key of the calendar feeds' secret URLs
/// secure_cookies = "auto"              # auto (when the proxy says https) | always | never
/// session_hours = 12                   # a sign-in lasts this long at most
/// idle_minutes = 120                   # and ends after this long unused
/// ```
public struct ConsoleConfig: Sendable, Hashable {
    public enum SecureCookies: String, Sendable, CaseIterable { case auto, always, never }

    public var enabled = true
    /// CIDRs of the reverse proxies whose ``userHeader`` is believed; empty: nobody's.
    public var trustedProxies: [String] = []
    public var userHeader = "X-Remote-User"
    /// Role of a proxy-authenticated user with no local account; `nil` refuses such users.
    public var proxyRole: String? = "viewer"
    public var feedSecretFile: String?
    public var secureCookies: SecureCookies = .auto
    public var sessionHours = 12
    public var idleMinutes = 120

    public init() {}
}

extension ConfigLoader {
    static func readConsole(_ t: TOMLTableReader, _ absolute: (String) -> String, _ sink: inout DiagnosticSink) -> ConsoleConfig {
        var t = t
        var c = ConsoleConfig()
        if let v = t.bool("enabled", &sink) { c.enabled = v }
        if let nets = t.strings("trusted_proxies", &sink) {
            for n in nets where CIDR(n) == nil {
                sink.error("\(Brief.quoted(n)) in [console] trusted_proxies is not a CIDR; write e.g. 127.0.0.1/32 or ::1/128",
                           line: t.line("trusted_proxies"))
            }
            c.trustedProxies = nets
        }
        if let h = t.string("user_header", &sink) {
            let token = h.utf8.allSatisfy { b in (b >= 0x30 && b <= 0x39) || (b | 0x20 >= 0x61 && b | 0x20 <= 0x7A) || b == 0x2D || b == 0x5F }
            if h.isEmpty || !token {
                sink.error("[console] user_header \(Brief.quoted(h)) is not a header name; write e.g. \"X-Remote-User\"", line: t.line("user_header"))
            } else { c.userHeader = h }
        }
        if let r = t.string("proxy_role", &sink) {
            if ["viewer", "educator", "admin"].contains(r) { c.proxyRole = r } else if r == "none" { c.proxyRole = nil } else {
                sink.error("[console] proxy_role is \(Brief.quoted(r)); use one of \"viewer\", \"educator\", \"admin\", \"none\"",
                           line: t.line("proxy_role"))
            }
        }
        c.feedSecretFile = t.string("feed_secret_file", &sink).map(absolute)
        if let s = t.string("secure_cookies", &sink) {
            if let v = ConsoleConfig.SecureCookies(rawValue: s) { c.secureCookies = v } else {
                sink.error("[console] secure_cookies is \(Brief.quoted(s)); use one of \"auto\", \"always\", \"never\"", line: t.line("secure_cookies"))
            }
        }
        if let v = t.int("session_hours", in: 1...24 * 30, &sink) { c.sessionHours = v }
        if let v = t.int("idle_minutes", in: 5...24 * 60 * 30, &sink) { c.idleMinutes = v }
        t.finish(&sink)
        return c
    }
}
