import Foundation
import HTTPTypes
import Hummingbird
import JitdCore
import JitdStore
import Logging

/// Signing in with a local account, and out.
///
/// The sign-in form carries the token of a cookie set with the page (so another site cannot
/// post it); failed sign-ins are throttled per account and per address (``SignInThrottle``);
/// every sign-in, failed or not, is logged with the address it came from. A successful sign-in
/// always starts a new session, with a new id and CSRF token, and ends the one the browser
/// presented, so an id planted before the sign-in is worth nothing after it.
struct SignInPage {
    let store: Store
    let api: APIHooks
    let gate: ConsoleGate
    let logger: Logger

    struct Model { var csrf: String; var next: String; var user: String; var problem: String? }

    func show(_ request: Request, _ context: JitdRequestContext, problem: String? = nil, user: String = "",
              status: HTTPResponse.Status = .ok, extra: HTTPFields = [:]) -> Response {
        let secure = gate.isSecure(request, context)
        let existing = Cookies(request)[ConsoleGate.signInCookie].flatMap { $0.count == 43 ? $0 : nil }
        let token = existing ?? Secrets.token()
        var headers = extra
        headers.append(HTTPField(name: .setCookie, value: SetCookie.make(ConsoleGate.signInCookie, token, maxAge: 3600, secure: secure)))
        let next = context.form?["next"] ?? request.uri.queryParameters["next"].map { String($0) } ?? "/"
        return ConsolePage.render("signin", Model(csrf: token, next: Self.safeNext(next), user: user, problem: problem), title: "Sign in",
                                  identity: nil, section: nil, status: status, extraHeaders: headers)
    }

    /// Where to go after signing in: a path of this site only.
    static func safeNext(_ next: String) -> String {
        guard next.hasPrefix("/"), !next.hasPrefix("//"), !next.contains("\\"), !next.contains("\r"), !next.contains("\n"),
              !next.hasPrefix("/signin"), next.utf8.count <= 2000 else { return "/" }
        return next
    }

    func submit(_ request: Request, _ context: JitdRequestContext) async throws -> Response {
        let form = context.form ?? FormInput("")
        let user = (form["user"] ?? "").trimmingCharacters(in: .whitespaces)
        let password = form["password"] ?? ""
        let address = ConsoleGate.address(context)
        let now = api.now()
        if let wait = gate.throttle.retryAfter(account: user, address: address, now: now.seconds) {
            logger.warning("console: sign-in for \(Brief.quoted(user)) from \(address) refused: too many failed sign-ins; \(wait) s to wait")
            let minutes = max(1, (wait + 59) / 60)
            return show(request, context, problem: "Too many failed sign-ins. Try again in \(minutes) minute\(minutes == 1 ? "" : "s").",
                        user: user, status: .tooManyRequests, extra: [.retryAfter: String(wait)])
        }
        let account = try await StoreThreads.run { [store] () -> ConsoleUser? in
            let u = user.isEmpty || user.utf8.count > 256 ? nil : try store.consoleUser(named: user)
            if let hash = u?.passwordHash { return PasswordHash.verify(password, against: hash) ? u : nil }
            PasswordHash.waste(password) // the same time for a name that is not an account
            return nil
        }
        guard let account else {
            gate.throttle.failed(account: user, address: address, now: now.seconds)
            logger.warning("console: failed sign-in for \(Brief.quoted(user)) from \(address)")
            return show(request, context, problem: "Wrong user name or password.", user: user, status: .unauthorized)
        }
        gate.throttle.succeeded(account: user)
        let id = Secrets.token(), csrf = Secrets.token()
        let presented = Cookies(request)[ConsoleGate.sessionCookie].map(Secrets.digest)
        let settings = gate.settings
        try await StoreThreads.run { [store] in
            try store.startConsoleSession(idHash: Secrets.digest(id), user: account.name, csrf: csrf, now: now,
                                          expiresAt: now.adding(seconds: settings.sessionSeconds), replacing: presented)
        }
        logger.notice("console: \(Brief.quoted(account.name)) (\(account.role.rawValue)) signed in from \(address)")
        let secure = gate.isSecure(request, context)
        var headers: HTTPFields = [.location: Self.safeNext(form["next"] ?? "/"), .cacheControl: "no-store"]
        headers.append(HTTPField(name: .setCookie, value: SetCookie.make(ConsoleGate.sessionCookie, id, maxAge: settings.sessionSeconds, secure: secure)))
        headers.append(HTTPField(name: .setCookie, value: SetCookie.clear(ConsoleGate.signInCookie, secure: secure)))
        return Response(status: .seeOther, headers: headers)
    }

    func signOut(_ request: Request, _ context: JitdRequestContext) async throws -> Response {
        if case .session(let idHash) = context.identity?.source {
            try await StoreThreads.run { [store] in try store.endConsoleSession(idHash: idHash) }
            logger.notice("console: \(Brief.quoted(context.identity?.user ?? "")) signed out")
        }
        var headers: HTTPFields = [.location: "/signin", .cacheControl: "no-store"]
        headers.append(HTTPField(name: .setCookie, value: SetCookie.clear(ConsoleGate.sessionCookie, secure: gate.isSecure(request, context))))
        return Response(status: .seeOther, headers: headers)
    }
}
