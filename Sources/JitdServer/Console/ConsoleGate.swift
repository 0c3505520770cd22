import Foundation
import HTTPTypes
import Hummingbird
import JitdCore
import JitdStore
import Logging
import NIOCore

/// Decides console requests for ``Authorization``: who is signed in (a session cookie, or the
/// user header of a trusted reverse proxy), whether their role is enough for the route, and
/// whether a form carries its CSRF token. Also checks the sign-in form's token and the
/// calendar feeds' secrets.
final class ConsoleGate: Sendable {
    static let sessionCookie = "jitd_session"
    static let signInCookie = "jitd_signin"
    /// The most a console form may send.
    static let maxFormBytes = 256 << 10

    let store: Store
    let hooks: APIHooks
    let console: ConsoleHooks
    let logger: Logger
    let throttle = SignInThrottle()
    /// Signs the CSRF tokens of proxy users (who have no session to keep one in); new each start.
    private let processKey: [UInt8] = Array(Secrets.token(bytes: 32).utf8)

    init(store: Store, hooks: APIHooks, console: ConsoleHooks, logger: Logger) {
        self.store = store
        self.hooks = hooks
        self.console = console
        self.logger = logger
    }

    var settings: ConsoleSettings { console.settings }

    // MARK: who

    /// The peer's IP address as text.
    static func address(_ context: JitdRequestContext) -> String { context.remoteAddress?.ipAddress ?? "unknown" }

    /// Whether the peer is one of the trusted reverse proxies.
    func fromTrustedProxy(_ context: JitdRequestContext) -> Bool {
        guard !settings.trustedProxies.isEmpty, let ip = context.remoteAddress?.ipAddress, let bytes = IPAddress.parse(ip) else { return false }
        let plain = IPAddress.unmapped(bytes)
        return settings.trustedProxies.contains { $0.contains(plain) || $0.contains(bytes) }
    }

    /// Whether the browser reached jitd over TLS (cookies are then `Secure`).
    func isSecure(_ request: Request, _ context: JitdRequestContext) -> Bool {
        switch settings.secureCookies {
        case .always: true
        case .never: false
        case .auto: fromTrustedProxy(context) && request.headers[HTTPField.Name("X-Forwarded-Proto")!]?.lowercased() == "https"
        }
    }

    /// Who sent the request, or `nil` for nobody signed in.
    func identify(_ request: Request, _ context: JitdRequestContext) async throws -> ConsoleIdentity? {
        if let name = HTTPField.Name(settings.userHeader), let user = request.headers[name], !user.isEmpty {
            if fromTrustedProxy(context) {
                guard user.utf8.count <= 256 else { return nil }
                let local = try await StoreThreads.run { [store] in try store.consoleUser(named: user) }
                guard let role = local?.role ?? settings.proxyRole else {
                    logger.warning("console: reverse proxy signed in \(Brief.quoted(user)), who has no local account, and [console] proxy_role is \"none\"; refused")
                    return nil
                }
                return ConsoleIdentity(user: user, role: role, csrf: Secrets.hmac(key: processKey, "csrf\u{0}" + user), source: .proxy)
            }
            logger.warning("console: ignored \(settings.userHeader) \(Brief.quoted(user)) from \(Self.address(context)), which is not in [console] trusted_proxies")
        }
        guard let cookie = Cookies(request)[Self.sessionCookie], !cookie.isEmpty, cookie.utf8.count <= 128 else { return nil }
        let idHash = Secrets.digest(cookie)
        let now = hooks.now()
        let idle = settings.idleSeconds
        let session = try await StoreThreads.run { [store] () -> ConsoleSession? in
            guard let s = try store.consoleSession(idHash: idHash, now: now, idleSeconds: idle) else { return nil }
            if now.seconds - s.lastSeen.seconds >= 60 { try store.touchConsoleSession(idHash: idHash, now: now) }
            return s
        }
        guard let session else { return nil }
        return ConsoleIdentity(user: session.user, role: session.role, csrf: session.csrf, source: .session(idHash: idHash))
    }

    // MARK: admission

    /// Lets a console request through to its handler, or answers it: the sign-in page for
    /// nobody (303 for a page, 401 for a form), 403 for a role that is not enough or a form
    /// without its CSRF token.
    func admit(_ request: Request, _ context: JitdRequestContext, role: ConsoleRole,
               _ next: (Request, JitdRequestContext) async throws -> Response) async throws -> Response {
        var context = context
        let safe = [.get, .head, .options].contains(request.method)
        guard let identity = try await identify(request, context) else {
            if safe {
                let target = request.uri.path + (request.uri.query.map { "?" + $0 } ?? "")
                return Response(status: .seeOther, headers: [.location: "/signin?next=" + Self.formEncoded(target), .cacheControl: "no-store"])
            }
            return ConsolePage.message(status: .unauthorized, title: "Sign in first",
                                       text: "Your sign-in has ended or you have not signed in. Sign in, then try again.", identity: nil)
        }
        guard identity.may(role) else {
            logger.notice("console: \(Brief.quoted(identity.user)) (\(identity.role.rawValue)) refused \(request.method) \(context.endpointPath ?? "?"), which needs \(role.rawValue)")
            return ConsolePage.message(status: .forbidden, title: "Not for your role",
                                       text: "This needs the \(role.rawValue) role; you are signed in as \(identity.user) with the \(identity.role.rawValue) role. Ask an administrator if you need it.",
                                       identity: identity)
        }
        var request = request
        if !safe {
            let form = try await Self.readForm(&request)
            guard let token = form["csrf"], Secrets.same(token, identity.csrf) else {
                logger.warning("console: \(request.method) \(context.endpointPath ?? "?") by \(Brief.quoted(identity.user)) without a valid CSRF token; refused")
                return ConsolePage.message(status: .forbidden, title: "This form has expired",
                                           text: "The form did not carry this sign-in's security token (it may come from an older sign-in, or from another site). Go back, reload the page and try again.",
                                           identity: identity)
            }
            context.form = form
        }
        context.identity = identity
        return try await next(request, context)
    }

    /// The sign-in form: a POST must carry the token of the sign-in page's cookie (so another
    /// site cannot sign a browser in to an account of its choosing).
    func admitSignIn(_ request: Request, _ context: JitdRequestContext,
                     _ next: (Request, JitdRequestContext) async throws -> Response) async throws -> Response {
        guard request.method == .post else { return try await next(request, context) }
        var request = request, context = context
        let form = try await Self.readForm(&request)
        guard let cookie = Cookies(request)[Self.signInCookie], let token = form["csrf"], !cookie.isEmpty, Secrets.same(cookie, token) else {
            return ConsolePage.message(status: .forbidden, title: "This form has expired",
                                       text: "The sign-in form did not carry its security token. Open the sign-in page again and sign in.", identity: nil)
        }
        context.form = form
        return try await next(request, context)
    }

    /// Whether a feed's secret matches its unit or person.
    func feedAllowed(_ context: JitdRequestContext) -> Bool {
        guard let key = settings.feedKey, let token = context.parameters.get("token") else { return false }
        if let unit = context.parameters.get("unit") { return Secrets.same(token, FeedLinks.token(key: key, unit: unit)) }
        if let staff = context.parameters.get("staff") { return Secrets.same(token, FeedLinks.token(key: key, staff: staff)) }
        return false
    }

    static func readForm(_ request: inout Request) async throws -> FormInput {
        let buffer = try await request.body.collect(upTo: maxFormBytes)
        request.body = .init(buffer: buffer)
        return FormInput(String(buffer: buffer))
    }

    /// `s` for a query value.
    static func formEncoded(_ s: String) -> String {
        var allowed = CharacterSet.alphanumerics
        allowed.insert(charactersIn: "-._~/")
        return s.addingPercentEncoding(withAllowedCharacters: allowed) ?? "/"
    }
}

/// The secret URLs of the calendar feeds: an HMAC of the unit or person under the feed key, so
/// a link can be handed out per unit or person, and replacing the key revokes them all.
enum FeedLinks {
    static func token(key: [UInt8], unit: String) -> String { String(Secrets.hmac(key: key, "unit\u{0}" + unit).prefix(32)) }
    static func token(key: [UInt8], staff: String) -> String { String(Secrets.hmac(key: key, "staff\u{0}" + staff).prefix(32)) }

    static func unitPath(key: [UInt8], unit: String) -> String {
        "/feeds/units/\(ConsolePaths.segment(unit))/\(token(key: key, unit: unit))"
    }
    static func staffPath(key: [UInt8], staff: String) -> String {
        "/feeds/people/\(ConsolePaths.segment(staff))/\(token(key: key, staff: staff))"
    }
}
