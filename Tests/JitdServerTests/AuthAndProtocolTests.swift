import Foundation
import Hummingbird
import HummingbirdTesting
import Logging
import NIOCore
import Testing
@testable import JitdCore
@testable import JitdServer
@testable import JitdStore

/// Auth on every route, the OpenAPI document against the routes, and the HTTP edges every route
/// shares: problem documents, 404, 405 with `Allow`, OPTIONS, HEAD, 413.
@Suite struct AuthAndProtocolTests {
    /// Every route the server registers, as (method, concrete path).
    static func routes(_ f: Fixture) -> [(HTTPRequest.Method, String)] {
        let table = APIServer.makeRouteTable(store: f.store, tokens: APITokenSource(APITokens(readWrite: nil, readOnly: nil)), readiness: Readiness(),
                                             logger: Logger(label: "t"), hooks: f.hooks, metrics: nil, limits: APILimits())
        return table.paths.flatMap { p in p.methods.map { ($0, p.path.replacingOccurrences(of: "{id}", with: "1")) } }
    }

    @Test func everyV1RouteNeedsAToken() async throws {
        let f = try Fixture()
        let routes = Self.routes(f)
        let v1 = routes.filter { $0.1.hasPrefix("/v1/") }
        #expect(v1.count == 11)
        try await f.live { client in
            for (method, path) in v1 {
                for headers: HTTPFields in [[:], [.authorization: "Bearer wrong-token-0123456789"], [.authorization: readWriteToken],
                                            [.authorization: "Basic \(readWriteToken)"], [.authorization: "Bearer "]] {
                    try await client.execute(uri: path, method: method, headers: headers) { r in
                        #expect(r.status == .unauthorized, "\(method) \(path) with \(headers)")
                        #expect(r.isProblem)
                        #expect(r.json["detail"] == nil, "a 401 says nothing more")
                        #expect(r.headers[.wwwAuthenticate] == "Bearer")
                    }
                }
            }
        }
    }

    /// The spellings of a path a client may send for one route: doubled and tripled slashes,
    /// `/./`, encoded slashes and dots, trailing slashes and dots, other letter cases, encoded
    /// letters, a query or a fragment; a few fixed ones and `count` random mixes.
    static func spellings(of path: String, count: Int, seed: UInt64) -> [String] {
        var rng = SplitMix64(seed: seed)
        let segments = path.split(separator: "/").map(String.init)
        let separators = ["/", "//", "///", "/./", "/.//", "%2F", "%2f", "/%2F", "/%2e/", "/%2E/", "\\", "/%5C", "/;/"]
        let endings = ["", "/", "//", "/.", "/./", "?x=1", "/?x=1", "%00", "%20", ";x"]
        func cased(_ s: String) -> String {
            String(s.map { c in rng.next() % 3 == 0 ? Character(c.uppercased()) : c })
        }
        func encoded(_ s: String) -> String {
            s.map { c in rng.next() % 5 == 0 ? String(format: "%%%02X", c.asciiValue ?? 0x3F) : String(c) }.joined()
        }
        var out = Set<String>()
        for sep in separators {
            out.insert(sep + segments.joined(separator: "/"))
            out.insert("/" + segments.joined(separator: sep))
            out.insert(sep + segments.joined(separator: sep))
        }
        for end in endings { out.insert(path + end); out.insert("/" + path + end) }
        out.insert(path.uppercased())
        out.insert("/v1/../" + path.dropFirst())
        out.insert("/x/.." + path)
        while out.count < count {
            var p = separators[Int(rng.next() % UInt64(separators.count))]
            for (i, seg) in segments.enumerated() {
                var s = seg
                switch rng.next() % 4 {
                case 0: s = cased(s)
                case 1: s = encoded(s)
                default: break
                }
                p += s
                if i < segments.count - 1 { p += separators[Int(rng.next() % UInt64(separators.count))] }
            }
            p += endings[Int(rng.next() % UInt64(endings.count))]
            out.insert(p)
        }
        // A request target is origin-form: it starts with a slash (anything else is a 400 from
        // the HTTP parser, which closes the connection before any route is looked at).
        return Set(out.map { $0.hasPrefix("/") ? $0 : "/" + $0 }).sorted()
    }

    /// However a client spells a path, a route that needs a token gets no further without one,
    /// and a read-only token changes nothing. Checked on the real server over loopback for every
    /// route and method the router knows, with hundreds of spellings each, and by the state
    /// afterwards: nothing acknowledged, completed, declined or redelivered.
    @Test func noSpellingOfAPathReachesARouteWithoutItsToken() async throws {
        let f = try Fixture()
        try f.seedAssignments()
        // A dead delivery to redeliver, so a way past the check would show in the queue.
        try await f.store.pool.write { try $0.execute(sql: "UPDATE outbox SET state = 'dead' WHERE assignment_id = 'a_0'") }
        let deadID = try f.store.messages(state: .dead)[0].id
        let table = APIServer.makeRouteTable(store: f.store, tokens: APITokenSource(APITokens(readWrite: nil, readOnly: nil)),
                                             readiness: Readiness(), logger: Logger(label: "t"), hooks: f.hooks, metrics: nil, limits: APILimits())
        let routes = table.paths.filter { table.access.need($0.path) == .token }.flatMap { p in
            p.methods.map { m in
                (m, p.path.replacingOccurrences(of: "/assignments/{id}", with: "/assignments/a_0")
                    .replacingOccurrences(of: "/deliveries/{id}", with: "/deliveries/\(deadID)")
                    .replacingOccurrences(of: "{id}", with: "m"))
            }
        }
        #expect(routes.count >= 11)
        let before = try f.store.assignments(limit: 100).map { "\($0.assignment.id)=\($0.state)" }
        let dead = try f.store.queueCounts()
        let cases = routes.enumerated().flatMap { i, route in
            Self.spellings(of: route.1, count: 200, seed: UInt64(i + 1)).map { (route.0, $0) }
        }
        #expect(cases.count >= routes.count * 180)
        let body = #"{"completions":[{"staff_id":"s0","module_id":"m","completed_at":"2026-11-24T11:00:00Z"}]}"#
        try await LoopbackFuzz.exclusive { try await f.live { client in
            let port = try #require(client.port)
            for (method, spelled) in cases {
                let post = method == .post ? body : nil
                let json = [("Content-Type", "application/json")]
                let anonymous = RawHTTP.status(port: port, method: method.rawValue, target: spelled, headers: json, body: post, tries: 3)
                #expect(anonymous == 401, "\(method) \(spelled) without a token answered \(anonymous.map(String.init) ?? "nothing")")
                if ![.get, .head, .options].contains(method) {
                    let readOnly = RawHTTP.status(port: port, method: method.rawValue, target: spelled,
                                                  headers: json + [("Authorization", "Bearer \(readOnlyToken)")], body: post, tries: 3)
                    #expect(readOnly == 403 || readOnly == 401,
                            "\(method) \(spelled) with the read-only token answered \(readOnly.map(String.init) ?? "nothing")")
                }
            }
            // The router does match such spellings: with the token, a doubled slash reaches the route.
            try await client.execute(uri: "//v1//assignments", method: .get, headers: ro) { #expect($0.status == .ok) }
            try await client.execute(uri: "///v1/deliveries/dead/", method: .get, headers: ro) { #expect($0.status == .ok) }
        } }
        #expect(try f.store.assignments(limit: 100).map { "\($0.assignment.id)=\($0.state)" } == before)
        #expect(try f.store.queueCounts() == dead)
        #expect(try f.store.completions().isEmpty)
    }

    @Test func readOnlyTokenMayOnlyRead() async throws {
        let f = try Fixture()
        try f.seedAssignments()
        try await f.live { client in
            for (method, path) in Self.routes(f) where path.hasPrefix("/v1/") {
                try await client.execute(uri: path, method: method, headers: ro, body: method == .post ? body(["completions": []]) : nil) { r in
                    if method == .get {
                        #expect(r.status != .unauthorized && r.status != .forbidden, "\(method) \(path)")
                    } else {
                        #expect(r.status == .forbidden, "\(method) \(path)")
                        #expect(r.isProblem)
                        #expect((r.json["detail"] as? String)?.contains("read-write") == true)
                    }
                }
            }
            // Nothing changed.
            #expect(try f.store.assignment(id: "a_0")?.state == .planned)
        }
    }

    @Test func openRoutesNeedNoToken() async throws {
        let f = try Fixture()
        try await f.live { client in
            for path in ["/healthz", "/readyz", "/metrics", "/openapi.json"] {
                try await client.execute(uri: path, method: .get) { #expect($0.status == .ok, "\(path)") }
            }
        }
        try await f.live(ready: false) { client in
            try await client.execute(uri: "/readyz", method: .get) { r in
                #expect(r.status == .serviceUnavailable)
                #expect(r.isProblem)
            }
        }
    }

    @Test func unknownPathsAreProblems() async throws {
        let f = try Fixture()
        try await f.live { client in
            // A path that matches no route is closed like every route that is not open…
            try await client.execute(uri: "/nope", method: .get) { #expect($0.status == .unauthorized) }
            try await client.execute(uri: "/nope", method: .get, headers: ro) { r in
                #expect(r.status == .notFound)
                #expect(r.isProblem)
            }
            // Under /v1 an unknown path is closed like the rest…
            try await client.execute(uri: "/v1/nope", method: .get) { #expect($0.status == .unauthorized) }
            // …and a 404 with a token.
            try await client.execute(uri: "/v1/nope", method: .get, headers: ro) { r in
                #expect(r.status == .notFound)
                #expect(r.isProblem)
            }
        }
    }

    @Test func otherMethodsAre405WithAllow() async throws {
        let f = try Fixture()
        try await f.live { client in
            try await client.execute(uri: "/healthz", method: .post) { r in
                #expect(r.status == .methodNotAllowed)
                #expect(r.isProblem)
                #expect(r.headers[.allow] == "GET, HEAD, OPTIONS")
            }
            try await client.execute(uri: "/v1/assignments/x/complete", method: .get, headers: rw) { r in
                #expect(r.status == .methodNotAllowed)
                #expect(r.headers[.allow] == "POST, OPTIONS")
            }
            try await client.execute(uri: "/v1/completions", method: .delete, headers: rw) { #expect($0.status == .methodNotAllowed) }
            try await client.execute(uri: "/v1/assignments", method: .options, headers: ro) { r in
                #expect(r.status == .noContent)
                #expect(r.headers[.allow] == "GET, HEAD, OPTIONS")
            }
            try await client.execute(uri: "/healthz", method: .head) { r in
                #expect(r.status == .ok)
                #expect(r.body.readableBytes == 0)
            }
        }
    }

    @Test func bodiesOverTheLimitAre413() async throws {
        let f = try Fixture()
        let big = ByteBuffer(repeating: UInt8(ascii: " "), count: 2048)
        try await f.live(limits: APILimits(maxBodyBytes: 1024)) { client in
            try await client.execute(uri: "/v1/completions", method: .post, headers: jsonHeaders(), body: big) { r in
                #expect(r.status == .contentTooLarge)
                #expect(r.isProblem)
            }
            // Refused by its Content-Length on any route, before anything reads it.
            try await client.execute(uri: "/v1/assignments/x/complete", method: .post, headers: jsonHeaders(), body: big) { r in
                #expect(r.status == .contentTooLarge)
                #expect(r.isProblem)
            }
        }
    }

    @Test func theOpenAPIDocumentIsServedAndDescribesEveryRoute() async throws {
        let f = try Fixture()
        let file = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("../../openapi/openapi.json")
        let onDisk = try Data(contentsOf: file)
        #expect(String(decoding: onDisk, as: UTF8.self).trimmingCharacters(in: .newlines) == OpenAPIDocument.text,
                "Sources/JitdServer/OpenAPIDocument.swift is stale: run scripts/check-api --embed")
        let doc = try JSONSerialization.jsonObject(with: onDisk) as! [String: Any]
        #expect(doc["openapi"] as? String == "3.1.0")
        let paths = doc["paths"] as! [String: [String: Any]]
        let documented = Set(paths.flatMap { path, ops in ops.keys.map { "\($0.uppercased()) \(path)" } })
        let table = APIServer.makeRouteTable(store: f.store, tokens: APITokenSource(APITokens(readWrite: nil, readOnly: nil)), readiness: Readiness(),
                                             logger: Logger(label: "t"), hooks: f.hooks, metrics: nil, limits: APILimits())
        let served = Set(table.paths.flatMap { p in p.methods.map { "\($0.rawValue) \(p.path)" } })
        #expect(documented == served)
        // Every operation under /v1 declares the bearer scheme and its 401.
        for (path, ops) in paths where path.hasPrefix("/v1/") {
            for (_, op) in ops {
                let op = op as! [String: Any]
                #expect((op["security"] as? [[String: Any]])?.first?["bearer"] != nil, "\(path)")
                #expect((op["responses"] as? [String: Any])?["401"] != nil, "\(path)")
            }
        }
        try await f.live { client in
            try await client.execute(uri: "/openapi.json", method: .get) { r in
                #expect(r.headers[.contentType] == "application/json")
                #expect(Data(buffer: r.body) == Data(OpenAPIDocument.bytes))
            }
        }
    }

    @Test func tokensCompareWholeTokens() {
        let t = APITokens(readWrite: "rw-token-0123456789", readOnly: nil)
        #expect(t.access(for: "rw-token-0123456789") == .readWrite)
        #expect(t.access(for: "rw-token-012345678") == .none)
        #expect(t.access(for: "rw-token-01234567890") == .none)
        #expect(t.access(for: "") == .none)
        #expect(APITokens(readWrite: nil, readOnly: nil).access(for: "") == .none)
    }
}
