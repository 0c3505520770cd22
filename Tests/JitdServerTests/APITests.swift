import Foundation
import Hummingbird
import HummingbirdTesting
import Logging
import Testing
@testable import JitdCore
@testable import JitdServer
@testable import JitdStore

@Suite struct APITests {
    func app() throws -> (some ApplicationProtocol, Store) {
        let dir = NSTemporaryDirectory() + "jitd-api-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        let store = try Store(path: dir + "/jitd.sqlite")
        let t0 = Instant(rfc3339: "2026-11-24T12:00:00Z")!
        let a = (0..<3).map { i in
            Assignment(id: "a_\(i)", staffID: "s\(i)", moduleID: "m", unit: i == 2 ? "5W" : "MICU", role: "RN",
                       interval: Interval(start: t0.adding(minutes: 60 * i), end: t0.adding(minutes: 60 * i + 10)))
        }
        let plan = Plan(generatedAt: t0, horizon: Interval(start: t0, end: t0.adding(minutes: 2880)), assignments: a, unmet: [],
                        understaffed: [], cancellations: [], needsTotal: 3, weightPlaced: 0, weightTotal: 0, fairness: FairnessStats())
        _ = try store.savePlan(plan, now: t0, leadSeconds: 600, scheduled: { _ in [] }, cancelled: { _, _ in [] })
        let readiness = Readiness()
        readiness.markReady()
        return (APIServer.makeApplication(store: store, tokens: APITokens(readWrite: "rw-token-0123456789", readOnly: "ro-token-0123456789"),
                                          readiness: readiness, host: "127.0.0.1", port: 0, logger: Logger(label: "test")), store)
    }

    @Test func healthIsOpenAndV1NeedsAToken() async throws {
        let (app, _) = try app()
        try await app.test(.router) { client in
            try await client.execute(uri: "/healthz", method: .get) { #expect($0.status == .ok) }
            try await client.execute(uri: "/readyz", method: .get) { #expect($0.status == .ok) }
            try await client.execute(uri: "/v1/assignments", method: .get) { r in
                #expect(r.status == .unauthorized)
                #expect(r.headers[.contentType] == "application/problem+json")
            }
            try await client.execute(uri: "/v1/assignments", method: .get, headers: [.authorization: "Bearer wrong"]) {
                #expect($0.status == .unauthorized)
            }
        }
    }

    @Test func listsFiltersAndPagesAssignments() async throws {
        let (app, _) = try app()
        let auth: HTTPFields = [.authorization: "Bearer ro-token-0123456789"]
        try await app.test(.router) { client in
            try await client.execute(uri: "/v1/assignments?unit=MICU", method: .get, headers: auth) { r in
                #expect(r.status == .ok)
                let body = try JSONSerialization.jsonObject(with: Data(buffer: r.body)) as! [String: Any]
                #expect((body["assignments"] as! [[String: Any]]).map { $0["id"] as! String } == ["a_0", "a_1"])
            }
            var cursor = ""
            try await client.execute(uri: "/v1/assignments?limit=2", method: .get, headers: auth) { r in
                let body = try JSONSerialization.jsonObject(with: Data(buffer: r.body)) as! [String: Any]
                cursor = body["next_cursor"] as! String
            }
            try await client.execute(uri: "/v1/assignments?limit=2&cursor=\(cursor)", method: .get, headers: auth) { r in
                let body = try JSONSerialization.jsonObject(with: Data(buffer: r.body)) as! [String: Any]
                #expect((body["assignments"] as! [[String: Any]]).map { $0["id"] as! String } == ["a_2"])
            }
            try await client.execute(uri: "/v1/assignments/a_1", method: .get, headers: auth) { r in
                let body = try JSONSerialization.jsonObject(with: Data(buffer: r.body)) as! [String: Any]
                #expect(body["state"] as? String == "planned")
            }
            try await client.execute(uri: "/v1/assignments/nope", method: .get, headers: auth) { #expect($0.status == .notFound) }
            try await client.execute(uri: "/v1/assignments?state=bogus", method: .get, headers: auth) { #expect($0.status == .badRequest) }
        }
    }
}

import NIOFoundationCompat
