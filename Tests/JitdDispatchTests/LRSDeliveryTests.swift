import Foundation
import JitdCore
import JitdStore
import Testing
@testable import JitdDispatch

/// Statements to a learning record store: the same queue, worker, retries and circuit as
/// webhooks, with the xAPI request and the meaning xAPI gives to an LRS's answers.
@Suite(.serialized) struct LRSDeliveryTests {
    let credentials = LRSCredentials(text: "jitd:s3cret:with:colons\n")!
    let builder = XAPIStatementBuilder(homePage: "https://hospital.example.org", activityBase: "https://hospital.example.org/jitd")

    func lrs(_ r: FaultReceiver, concurrency: Int = 1) -> DispatchEndpoint {
        DispatchEndpoint(name: "records", url: "http://127.0.0.1:\(r.port)/xAPI/", kind: .lrs(credentials),
                         allowNetworks: [CIDR("127.0.0.0/8")!], concurrency: concurrency)
    }

    /// Queues `n` `declined` statements for the LRS; returns their statement ids.
    func enqueue(_ f: DispatchFixture, _ n: Int) throws -> [String] {
        let now = f.clock.now()
        let messages = (0..<n).map { i in
            builder.message(.session(.declined, Assignment(id: "a_\(i)", staffID: "rn-\(i)", moduleID: "m", unit: "MICU", role: "RN",
                                                          interval: Interval(start: now, end: now.adding(minutes: 10))), at: now), module: nil)
        }
        try f.store.enqueue(messages.map { ($0, ["records"]) }, runAt: now)
        f.wake.notify()
        return messages.map(\.id)
    }

    @Test func postsTheStatementWithBasicAuthAndTheVersionHeader() async throws {
        let f = try DispatchFixture(), r = try await FaultReceiver(.status(200))
        defer { f.cleanUp() }
        let ids = try enqueue(f, 2)
        let task = f.start([lrs(r)])
        #expect(try await f.eventually { try ids.allSatisfy { try f.state($0, "records")?.state == "delivered" } })
        task.cancel(); await task.value; await r.close()
        for a in r.received {
            #expect(a.path == "/xAPI/statements")
            #expect(a.headers["authorization"] == "Basic " + Data("jitd:s3cret:with:colons".utf8).base64EncodedString())
            #expect(a.headers["x-experience-api-version"] == "1.0.3")
            #expect(a.headers["content-type"] == "application/json")
            #expect(a.headers["webhook-signature"] == nil && a.headers["webhook-id"] == nil, "an LRS gets no Standard Webhooks headers")
            let statement = try JSONDecoder().decode(JSONValue.self, from: a.body)
            #expect(XAPIStatementRules.problems(statement) == [])
            #expect(ids.contains(statement.object?["id"]?.string ?? ""), "the outbox id is the statement id")
        }
    }

    @Test func aConflictMeansTheLRSHasTheStatement() async throws {
        let f = try DispatchFixture(), r = try await FaultReceiver(.json(409, #"{"detail": "Differing statements already exist with the same ID"}"#))
        defer { f.cleanUp() }
        let id = try enqueue(f, 1)[0]
        let task = f.start([lrs(r)])
        #expect(try await f.eventually { try f.state(id, "records")?.state == "delivered" })
        task.cancel(); await task.value; await r.close()
        #expect(try f.state(id, "records")?.error?.contains("Differing statements already exist") == true)
        #expect(r.count == 1)
    }

    @Test(arguments: [400, 422]) func aRefusedStatementGoesDeadWithTheLRSsReason(status: Int) async throws {
        let f = try DispatchFixture(), r = try await FaultReceiver(.json(status, #"{"detail": [{"loc": ["body", "actor"], "msg": "field required"}]}"#))
        defer { f.cleanUp() }
        let ids = try enqueue(f, 3)
        let task = f.start([lrs(r)], settings: DispatchFixture.settings(threshold: 2))
        #expect(try await f.eventually { try ids.allSatisfy { try f.state($0, "records")?.state == "dead" } })
        task.cancel(); await task.value; await r.close()
        let error = try #require(try f.state(ids[0], "records")?.error)
        #expect(error == "the LRS refused the statement (HTTP \(status)): body.actor: field required", "\(error)")
        #expect(r.count == 3, "one try each: 400 is about the statement, not the endpoint, and sending it again cannot help")
    }

    @Test(arguments: [401, 403, 404]) func wrongCredentialsOrURLAreTheEndpointsFailure(status: Int) async throws {
        let f = try DispatchFixture(), r = try await FaultReceiver(.json(status, #"{"detail": "Invalid authentication credentials"}"#))
        defer { f.cleanUp() }
        let t0 = f.clock.now().seconds
        let ids = try enqueue(f, 6)
        let task = f.start([lrs(r)], settings: DispatchFixture.settings(threshold: 2, cooldown: 600))
        #expect(try await f.eventually { try ids.prefix(2).allSatisfy { try f.state($0, "records")?.runAt == t0 + 5 } })
        try await Task.sleep(nanoseconds: 500_000_000)
        #expect(r.count == 2, "the circuit opened after two failures: the other statements wait")
        task.cancel(); await task.value; await r.close()
        let error = try #require(try f.state(ids[0], "records")?.error)
        let fix = status == 404 ? "Set endpoint of [[lrs]] 'records'" : "Check that credentials_file of [[lrs]] 'records'"
        #expect(error.hasPrefix("HTTP \(status): ") && error.contains(fix), "\(error)")
        #expect(try ids.allSatisfy { try f.state($0, "records")?.state == "pending" }, "nothing is lost")
    }

    @Test func anUnavailableLRSIsRetriedAsItAsks() async throws {
        let f = try DispatchFixture(), r = try await FaultReceiver(.status(503, headers: [("Retry-After", "120")]))
        defer { f.cleanUp() }
        let t0 = f.clock.now().seconds
        let id = try enqueue(f, 1)[0]
        let task = f.start([lrs(r)])
        #expect(try await f.eventually { try f.state(id, "records")?.runAt == t0 + 120 })
        r.set(.status(204))
        f.clock.advance(120)
        f.wake.notify()
        #expect(try await f.eventually { try f.state(id, "records")?.state == "delivered" })
        task.cancel(); await task.value; await r.close()
        #expect(r.received.map(\.body).allSatisfy { $0 == r.received[0].body }, "the same statement, byte for byte")
    }

    @Test func credentialsAreOneLineUserColonPassword() throws {
        #expect(credentials.username == "jitd" && credentials.password == "s3cret:with:colons")
        #expect("\(credentials)" == "jitd:***", "the password never reaches a log")
        #expect(LRSCredentials(text: "no-colon") == nil)
        #expect(LRSCredentials(text: ":password") == nil)
        #expect(LRSCredentials(text: "a:b\nc:d") == nil)

        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("jitd-lrs-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let file = dir + "/lrs-credentials"
        try "jitd:pw\n".write(toFile: file, atomically: true, encoding: .utf8)
        try FileManager.default.setAttributes([.posixPermissions: 0o660], ofItemAtPath: file)
        #expect(throws: SecretFile.Problem.self) { try LRSCredentials.load(file: file, environment: [:]) }
        try "no colon here\n".write(toFile: dir + "/bad", atomically: true, encoding: .utf8)
        #expect(throws: SecretFile.Problem.malformed(path: dir + "/bad", what: "LRS credentials",
                                                     expected: "one line 'username:password' (the key and secret the LRS issued to jitd)")) {
            try LRSCredentials.load(file: dir + "/bad", environment: [:])
        }
        try FileManager.default.setAttributes([.posixPermissions: 0o640], ofItemAtPath: file)
        #expect(try LRSCredentials.load(file: file, environment: [:]).username == "jitd")
        // A systemd credential of the same name wins.
        try FileManager.default.createDirectory(atPath: dir + "/creds", withIntermediateDirectories: true)
        try "svc:pw2".write(toFile: dir + "/creds/lrs-credentials", atomically: true, encoding: .utf8)
        try FileManager.default.setAttributes([.posixPermissions: 0o600], ofItemAtPath: dir + "/creds/lrs-credentials")
        #expect(try LRSCredentials.load(file: file, environment: ["CREDENTIALS_DIRECTORY": dir + "/creds"]).username == "svc")
    }

    @Test func theLRSsReasonIsReadBriefly() {
        #expect(XAPIRequest.reason(Data(#"{"detail": "A different statement already exists with the same ID"}"#.utf8))
                == "A different statement already exists with the same ID")
        #expect(XAPIRequest.reason(Data(#"{"error": {"message": "bad actor"}}"#.utf8)) == "bad actor")
        #expect(XAPIRequest.reason(Data(#"{"detail": [{"loc": ["body", "actor", 0], "msg": "Field required"}, {"loc": [], "msg": "x"}]}"#.utf8))
                == "body.actor.0: Field required (and 1 more)")
        #expect(XAPIRequest.reason(Data("plain\ntext".utf8)) == "plain text")
        #expect(XAPIRequest.reason(Data(String(repeating: "x", count: 5000).utf8))!.count < 400)
        #expect(XAPIRequest.statementsURL("https://lrs.example.org/xAPI") == XAPIRequest.statementsURL("https://lrs.example.org/xAPI/"))
    }
}
