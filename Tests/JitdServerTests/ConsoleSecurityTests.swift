import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Logging
import NIOCore
import Synchronization
import Testing
@testable import JitdCore
@testable import JitdServer
@testable import JitdStore

/// A count shared with hooks.
final class Counter: Sendable {
    private let n = Mutex(0)
    var value: Int { n.withLock { $0 } }
    func add() { n.withLock { $0 += 1 } }
}

/// A clock tests move.
final class TestClock: Sendable {
    private let t = Mutex(t0)
    var now: Instant { t.withLock { $0 } }
    func advance(seconds: Int64) { t.withLock { $0 = $0.adding(seconds: seconds) } }
}

/// The console over a fixture's store: three local accounts (ada admin, eli educator, val
/// viewer), a feed key, and the reverse proxy trusted at `proxies`.
struct ConsoleFixture {
    var f: Fixture
    let clock = TestClock()
    let published = Counter()
    static let passwords = ["ada": "ada-admin-passphrase", "eli": "eli-educator-passphrase", "val": "val-viewer-passphrase"]
    static let feedKey = Array("feed-key-for-tests-0123456789".utf8)

    init() throws {
        f = try Fixture()
        for (name, role) in [("ada", ConsoleRole.admin), ("eli", .educator), ("val", .viewer)] {
            // A low scrypt cost: the tests sign in dozens of times.
            try f.store.addConsoleUser(ConsoleUser(name: name, role: role, passwordHash: try PasswordHash.make(Self.passwords[name]!, logN: 10, r: 8, p: 1),
                                                   createdAt: t0))
        }
    }

    func hooks(proxies: [String]) -> ConsoleHooks {
        let modules = f.modules
        return ConsoleHooks(
            settings: ConsoleSettings(trustedProxies: proxies.compactMap(CIDR.init), userHeader: "X-Remote-User", proxyRole: nil, feedKey: Self.feedKey),
            fileModules: { modules },
            readModule: { form, _ in
                guard let id = form["id"], !id.isEmpty else {
                    return .failure(ModuleFormProblems([ModuleFormProblem(field: "id", message: "missing required key 'module[0].id'; add it", isError: true)]))
                }
                return .success((Module(id: id, title: form["title"] ?? id, minutes: 5, roles: ["*"], published: t0), []))
            },
            publishedChanged: { [published] in published.add() })
    }

    func app(proxies: [String] = []) -> some ApplicationProtocol {
        var logger = Logger(label: "jitd-console-test")
        logger.logLevel = .critical
        let clock = self.clock, log = f.log, modules = f.modules
        let api = APIHooks(now: { clock.now }, modules: { modules }, replan: { log.replan() }, outboxChanged: { log.wake() })
        let readiness = Readiness()
        readiness.markReady()
        return APIServer.makeApplication(store: f.store, tokens: APITokenSource(APITokens(readWrite: readWriteToken, readOnly: readOnlyToken)),
                                         readiness: readiness, host: "127.0.0.1", port: 0, logger: logger, hooks: api,
                                         console: hooks(proxies: proxies))
    }

    func live(proxies: [String] = [], _ body: @escaping @Sendable (any TestClientProtocol) async throws -> Void) async throws {
        try await app(proxies: proxies).test(.live) { try await body($0) }
    }
}

/// A browser's view of the console, as a test client sees it.
struct Browser {
    let client: any TestClientProtocol
    var cookies: [String: String] = [:]

    var cookieHeader: HTTPFields {
        cookies.isEmpty ? [:] : [.cookie: cookies.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: "; ")]
    }

    mutating func take(_ r: TestResponse) {
        for v in r.headers[values: .setCookie] {
            let first = v.split(separator: ";")[0].split(separator: "=", maxSplits: 1)
            let name = String(first[0]), value = first.count > 1 ? String(first[1]) : ""
            if value.isEmpty { cookies[name] = nil } else { cookies[name] = value }
        }
    }

    mutating func get(_ uri: String, headers: HTTPFields = [:]) async throws -> TestResponse {
        var h = cookieHeader
        for f in headers { h.append(f) }
        let r = try await client.execute(uri: uri, method: .get, headers: h, body: nil)
        take(r)
        return r
    }

    mutating func post(_ uri: String, form: [(String, String)], headers: HTTPFields = [:]) async throws -> TestResponse {
        var h = cookieHeader
        h[.contentType] = "application/x-www-form-urlencoded"
        for f in headers { h.append(f) }
        let body = form.map { "\($0.0)=\($0.1.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? "")" }.joined(separator: "&")
        let r = try await client.execute(uri: uri, method: .post, headers: h, body: ByteBuffer(string: body))
        take(r)
        return r
    }

    /// The CSRF token in the page's forms.
    static func csrf(_ r: TestResponse) -> String? {
        let text = r.text
        guard let range = text.range(of: "name=\"csrf\" value=\"") else { return nil }
        return String(text[range.upperBound...].prefix { $0 != "\"" })
    }

    /// Signs in; returns the session's CSRF token.
    mutating func signIn(_ user: String, password: String? = nil) async throws -> (TestResponse, String?) {
        let page = try await get("/signin")
        let token = Self.csrf(page) ?? ""
        let r = try await post("/signin", form: [("user", user), ("password", password ?? ConsoleFixture.passwords[user]!), ("csrf", token), ("next", "/")])
        guard r.status == .seeOther else { return (r, nil) }
        return (r, Self.csrf(try await get("/")))
    }
}

@Suite struct ConsoleSecurityTests {
    @Test func signInGivesAHardenedSessionCookie() async throws {
        let c = try ConsoleFixture()
        try await c.live { client in
            var b = Browser(client: client)
            let first = try await b.get("/")
            #expect(first.status == .seeOther)
            #expect(first.headers[.location] == "/signin?next=/")
            let (r, csrf) = try await b.signIn("val")
            #expect(r.status == .seeOther)
            let set = r.headers[values: .setCookie].first { $0.hasPrefix("jitd_session=") } ?? ""
            #expect(set.contains("HttpOnly") && set.contains("SameSite=Strict") && set.contains("Path=/"))
            #expect(!set.contains("Secure"), "plain HTTP from a browser on this machine: no Secure flag")
            #expect(csrf != nil)
            let home = try await b.get("/")
            #expect(home.status == .ok)
            #expect(home.headers[.contentSecurityPolicy]?.contains("default-src 'none'") == true)
            #expect(home.text.contains("val"))
        }
    }

    @Test func secureCookieBehindATLSProxy() async throws {
        let c = try ConsoleFixture()
        try await c.live(proxies: ["127.0.0.1/32"]) { client in
            var b = Browser(client: client)
            let page = try await b.get("/signin", headers: [HTTPField.Name("X-Forwarded-Proto")!: "https"])
            #expect(page.headers[values: .setCookie].allSatisfy { $0.contains("; Secure") })
        }
    }

    @Test func formsWithoutTheirCSRFTokenAreRefused() async throws {
        let c = try ConsoleFixture()
        try await c.live { client in
            var other = Browser(client: client)
            let (_, otherCSRF) = try await other.signIn("ada")
            var b = Browser(client: client)
            let (_, csrf) = try await b.signIn("eli")
            let form = [("id", "csrf-probe"), ("title", "Probe")]
            for token in [nil, "", "wrong-token", otherCSRF] {
                let r = try await b.post("/publish/new", form: form + (token.map { [("csrf", $0)] } ?? []))
                #expect(r.status == .forbidden, "token \(token ?? "none")")
                #expect(r.text.contains("This form has expired"))
            }
            #expect(try c.f.store.publishedModules().isEmpty)
            let ok = try await b.post("/publish/new", form: form + [("csrf", try #require(csrf))])
            #expect(ok.status == .seeOther)
            #expect(try c.f.store.publishedModules().map(\.module.id) == ["csrf-probe"])
            #expect(try c.f.store.moduleAudit().map { "\($0.actor) \($0.action) \($0.moduleID)" } == ["eli created csrf-probe"])
            // The sign-in form too: without the token of its cookie it is refused.
            var fresh = Browser(client: client)
            let r = try await fresh.post("/signin", form: [("user", "ada"), ("password", ConsoleFixture.passwords["ada"]!), ("csrf", "guess")])
            #expect(r.status == .forbidden)
            #expect(fresh.cookies["jitd_session"] == nil)
        }
    }

    @Test func signingInNeverKeepsASessionIdKnownBefore() async throws {
        let c = try ConsoleFixture()
        try await c.live { client in
            // An id planted by an attacker is not adopted.
            var b = Browser(client: client)
            b.cookies["jitd_session"] = "planted-by-an-attacker-0123456789"
            _ = try await b.signIn("val")
            let issued = try #require(b.cookies["jitd_session"])
            #expect(issued != "planted-by-an-attacker-0123456789")
            var attacker = Browser(client: client)
            attacker.cookies["jitd_session"] = "planted-by-an-attacker-0123456789"
            #expect(try await attacker.get("/").status == .seeOther)
            // A real session known before a new sign-in (say, a viewer's, seen over a shoulder) ends with it.
            var spy = Browser(client: client)
            spy.cookies["jitd_session"] = issued
            #expect(try await spy.get("/").status == .ok)
            _ = try await b.signIn("eli")
            #expect(b.cookies["jitd_session"] != issued)
            #expect(try await spy.get("/").status == .seeOther, "the session from before the sign-in still works")
            #expect(try await b.get("/publish").status == .ok)
            // Signing out ends the session on the server, not only in the browser.
            let kept = b.cookies["jitd_session"]!
            let csrf = Browser.csrf(try await b.get("/"))!
            #expect(try await b.post("/signout", form: [("csrf", csrf)]).status == .seeOther)
            var replay = Browser(client: client)
            replay.cookies["jitd_session"] = kept
            #expect(try await replay.get("/").status == .seeOther)
        }
    }

    @Test func aViewersPostsAreRefused() async throws {
        let c = try ConsoleFixture()
        try c.f.seedAssignments()
        try await c.f.store.pool.write { try $0.execute(sql: "UPDATE outbox SET state = 'dead' WHERE assignment_id = 'a_0'") }
        let dead = try c.f.store.messages(state: .dead)[0].id
        try c.f.store.recordPublishedModule(Module(id: "mine", title: "Mine", minutes: 5, roles: ["*"], published: t0), fields: ["id": "mine"],
                                            state: .live, action: "created", actor: "eli", now: t0)
        try await c.live { client in
            var b = Browser(client: client)
            let (_, csrf) = try await b.signIn("val")
            let token = try #require(csrf)
            for (path, form) in [("/publish/new", [("id", "x"), ("title", "X")]), ("/publish/mine", [("title", "Changed")]),
                                 ("/publish/mine/retire", []), ("/ops/deliveries/\(dead)/redeliver", [])] {
                let r = try await b.post(path, form: form + [("csrf", token)])
                #expect(r.status == .forbidden, "\(path)")
                #expect(r.text.contains("Not for your role"))
            }
            for path in ["/publish", "/publish/new", "/publish/mine", "/ops"] {
                #expect(try await b.get(path).status == .forbidden, "\(path)")
            }
        }
        #expect(try c.f.store.messages(state: .dead).map(\.id) == [dead])
        #expect(try c.f.store.publishedModules().map { "\($0.module.id) \($0.state) \($0.module.title)" } == ["mine live Mine"])
        #expect(c.published.value == 0)
    }

    @Test func aUserHeaderCountsOnlyFromATrustedProxy() async throws {
        let c = try ConsoleFixture()
        // The test client connects from 127.0.0.1: not the trusted proxy here.
        try await c.live(proxies: ["127.0.0.2/32"]) { client in
            var b = Browser(client: client)
            let header: HTTPFields = [HTTPField.Name("X-Remote-User")!: "ada"]
            #expect(try await b.get("/ops", headers: header).status == .seeOther)
            #expect(try await b.get("/", headers: header).status == .seeOther)
            let r = try await b.post("/ops/deliveries/1/redeliver", form: [("csrf", "x")], headers: header)
            #expect(r.status == .unauthorized)
        }
        // From the trusted proxy, the header is the user, with their local role.
        try await c.live(proxies: ["127.0.0.1/32"]) { client in
            var b = Browser(client: client)
            let user = HTTPField.Name("X-Remote-User")!
            let admin = try await b.get("/ops", headers: [user: "ada"])
            #expect(admin.status == .ok)
            let viewer = try await b.get("/ops", headers: [user: "val"])
            #expect(viewer.status == .forbidden)
            // Unknown to the local accounts, with proxy_role "none": not let in.
            let stranger = try await b.get("/", headers: [user: "mallory"])
            #expect(stranger.status == .seeOther)
        }
    }

    @Test func failedSignInsAreThrottled() async throws {
        let c = try ConsoleFixture()
        try await c.live { client in
            var b = Browser(client: client)
            for _ in 0..<5 {
                let (r, _) = try await b.signIn("ada", password: "not-the-password")
                #expect(r.status == .unauthorized)
                #expect(r.text.contains("Wrong user name or password."))
            }
            // The right password does not help now.
            let (r, _) = try await b.signIn("ada")
            #expect(r.status == .tooManyRequests)
            #expect(Int(r.headers[.retryAfter] ?? "") ?? 0 > 0)
            #expect(b.cookies["jitd_session"] == nil)
            c.clock.advance(seconds: 15 * 60 + 1)
            let (later, _) = try await b.signIn("ada")
            #expect(later.status == .seeOther)
        }
    }

    /// However a client spells a console path, the route's role holds: nobody signed in is sent
    /// to sign in (pages) or refused (forms), a viewer is refused an educator's or admin's route,
    /// and a feed with a wrong secret is not found. Checked on the real server for every console
    /// route and method, by the state afterwards too.
    @Test func noSpellingOfAConsolePathGetsPastItsRole() async throws {
        let c = try ConsoleFixture()
        try c.f.seedAssignments()
        try await c.f.store.pool.write { try $0.execute(sql: "UPDATE outbox SET state = 'dead' WHERE assignment_id = 'a_0'") }
        let dead = try c.f.store.messages(state: .dead)[0].id
        let table = APIServer.makeRouteTable(store: c.f.store, tokens: APITokenSource(APITokens(readWrite: nil, readOnly: nil)), readiness: Readiness(),
                                             logger: Logger(label: "t"), hooks: c.f.hooks, metrics: nil, limits: APILimits(),
                                             console: c.hooks(proxies: []))
        let access = table.access.all
        let console = table.paths.filter { p in
            switch access[p.path] { case .console, .feed: true; default: false }
        }
        #expect(console.count >= 15)
        try await LoopbackFuzz.exclusive { try await c.live { client in
            var viewer = Browser(client: client)
            let (_, csrf) = try await viewer.signIn("val")
            let session = "jitd_session=\(viewer.cookies["jitd_session"]!)"
            let port = try #require(client.port)
            var cases = 0
            for (i, route) in console.enumerated() {
                let concrete = route.path.replacingOccurrences(of: "{id}", with: route.path.hasPrefix("/ops") ? "\(dead)" : "m")
                    .replacingOccurrences(of: "{unit}", with: "MICU").replacingOccurrences(of: "{day}", with: "2026-11-24")
                    .replacingOccurrences(of: "{staff}", with: "s0").replacingOccurrences(of: "{token}", with: "not-the-secret")
                let needs = access[route.path]!
                for spelled in AuthAndProtocolTests.spellings(of: concrete, count: 40, seed: UInt64(i + 100)) {
                    for method in route.methods {
                        cases += 1
                        // Signing out with the token would end the viewer's session for the rest of the test.
                        let token = route.path == "/signout" ? "" : csrf ?? ""
                        let form = method == .post ? "csrf=\(token)&id=spelled&title=Spelled" : nil
                        let headers = [("Content-Type", "application/x-www-form-urlencoded")]
                        let anonymous = RawHTTP.status(port: port, method: method.rawValue, target: spelled, headers: headers, body: form, tries: 3)
                        let asViewer = RawHTTP.status(port: port, method: method.rawValue, target: spelled, headers: headers + [("Cookie", session)],
                                                      body: form, tries: 3)
                        switch needs {
                        case .feed:
                            #expect(anonymous == 404 || anonymous == 401, "\(method) \(spelled): \(anonymous ?? 0)")
                        case .console(let role):
                            let expected = method == .post ? [401] : [303]
                            #expect(expected.contains(anonymous ?? 0) || anonymous == 401, "\(method) \(spelled) anonymous: \(anonymous ?? 0)")
                            if role > .viewer {
                                #expect(asViewer == 403 || asViewer == 401, "\(method) \(spelled) (\(route.path)) as a viewer: \(asViewer ?? 0)")
                            }
                        default: break
                        }
                    }
                }
            }
            #expect(cases > console.count * 30)
        } }
        #expect(try c.f.store.messages(state: .dead).map(\.id) == [dead])
        #expect(try c.f.store.publishedModules().isEmpty)
    }
}
