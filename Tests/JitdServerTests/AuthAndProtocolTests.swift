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
        let table = APIServer.makeRouteTable(store: f.store, tokens: APITokens(readWrite: nil, readOnly: nil), readiness: Readiness(),
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
            try await client.execute(uri: "/nope", method: .get) { r in
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
        let table = APIServer.makeRouteTable(store: f.store, tokens: APITokens(readWrite: nil, readOnly: nil), readiness: Readiness(),
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
