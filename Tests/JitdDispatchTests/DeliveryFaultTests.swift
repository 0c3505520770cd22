import Crypto
import Foundation
import JitdCore
import JitdStore
import Testing
@testable import JitdDispatch

/// The dispatcher against a receiver that misbehaves in each way the issue names. The wall
/// clock is fake and jitter is off, so each retry time is exact.
@Suite(.serialized) struct DeliveryFaultTests {
    @Test func deliversSignedWithAStableIDAndRecordsTheAttempt() async throws {
        let f = try DispatchFixture(), r = try await FaultReceiver()
        defer { f.cleanUp() }
        let ids = try f.enqueue(3, to: ["a"])
        let task = f.start([f.endpoint("a", r)])
        #expect(await r.waitFor(3) == 3)
        #expect(try await f.eventually { try ids.allSatisfy { try f.state($0, "a")?.state == "delivered" } })
        task.cancel(); await task.value; await r.close()
        for a in r.received {
            let ts = try #require(Int64(a.headers["webhook-timestamp"] ?? ""))
            #expect(ts == f.clock.now().seconds)
            var content = Data("\(a.webhookID).\(ts).".utf8)
            content.append(a.body)
            let mac = HMAC<SHA256>.authenticationCode(for: content, using: SymmetricKey(data: f.secret.key))
            #expect(a.headers["webhook-signature"] == "v1," + Data(mac).base64EncodedString())
        }
        #expect(Set(r.received.map(\.webhookID)) == Set(ids))
        let (_, attempts) = try #require(try f.store.message(id: 1))
        #expect(attempts.count == 1 && attempts[0].status == 200)
    }

    @Test func serverErrorRetriesOnTheScheduleWithAFreshTimestampAndTheSameBody() async throws {
        let f = try DispatchFixture(), r = try await FaultReceiver(.status(500))
        defer { f.cleanUp() }
        let t0 = f.clock.now().seconds
        let id = try f.enqueue(1, to: ["a"])[0]
        let task = f.start([f.endpoint("a", r)])
        #expect(try await f.eventually { try f.state(id, "a")?.runAt == t0 + 5 })
        #expect(try f.state(id, "a")?.error == "HTTP 500")
        f.clock.advance(5)
        f.wake.notify()
        #expect(try await f.eventually { try f.state(id, "a")?.runAt == t0 + 5 + 300 })
        #expect(r.count == 2)
        task.cancel(); await task.value; await r.close()
        let (a1, a2) = (r.received[0], r.received[1])
        #expect(a1.webhookID == a2.webhookID && a1.body == a2.body)
        #expect(a1.headers["webhook-timestamp"] == String(t0) && a2.headers["webhook-timestamp"] == String(t0 + 5))
    }

    /// A name that resolves to two checked addresses, the first of which refuses connections
    /// (nothing listens on 127.0.0.2): the attempt fails, the pool moves on to the second
    /// address, and the retry is delivered there, to the same host name.
    @Test func aRefusingAddressGivesWayToTheNextCheckedOne() async throws {
        let f = try DispatchFixture(), r = try await FaultReceiver(), port = r.port
        defer { f.cleanUp() }
        let t0 = f.clock.now().seconds
        let id = try f.enqueue(1, to: ["a"])[0]
        var settings = DispatchFixture.settings()
        settings.resolve = { host in host == "hooks.test" ? [[127, 0, 0, 2], [127, 0, 0, 1]] : [] }
        var endpoint = f.endpoint("a", r)
        endpoint.url = "http://hooks.test:\(port)/hook"
        let task = f.start([endpoint], settings: settings)
        #expect(try await f.eventually { try f.state(id, "a")?.runAt == t0 + 5 })
        #expect(r.count == 0)
        f.clock.advance(5)
        f.wake.notify()
        #expect(try await f.eventually { try f.state(id, "a")?.state == "delivered" })
        task.cancel(); await task.value; await r.close()
        #expect(r.count == 1)
        #expect(r.received.first?.headers["host"] == "hooks.test:\(port)")
        let (_, attempts) = try #require(try f.store.message(id: 1))
        #expect(attempts.count == 2)
        #expect(attempts.first?.status == nil && attempts.first?.error?.isEmpty == false, "\(attempts)")
        #expect(attempts.last?.status == 200)
    }

    @Test(arguments: [429, 503]) func retryAfterIsHonoured(status: Int) async throws {
        let f = try DispatchFixture(), r = try await FaultReceiver(.status(status, headers: [("Retry-After", "120")]))
        defer { f.cleanUp() }
        let t0 = f.clock.now().seconds
        let id = try f.enqueue(1, to: ["a"])[0]
        let task = f.start([f.endpoint("a", r)])
        #expect(try await f.eventually { try f.state(id, "a")?.runAt == t0 + 120 })
        task.cancel(); await task.value; await r.close()
    }

    @Test func retryAfterIsCapped() async throws {
        let f = try DispatchFixture(), r = try await FaultReceiver(.status(429, headers: [("Retry-After", "9999999")]))
        defer { f.cleanUp() }
        let t0 = f.clock.now().seconds
        let id = try f.enqueue(1, to: ["a"])[0]
        let task = f.start([f.endpoint("a", r)])
        #expect(try await f.eventually { try f.state(id, "a")?.runAt == t0 + 10 * 3600 })
        task.cancel(); await task.value; await r.close()
    }

    @Test func goneDisablesTheEndpointUntilAnOperatorEnablesIt() async throws {
        let f = try DispatchFixture(), r = try await FaultReceiver(.status(410))
        defer { f.cleanUp() }
        let ids = try f.enqueue(5, to: ["a"])
        let task = f.start([f.endpoint("a", r, concurrency: 1)])
        #expect(try await f.eventually { try f.store.disabledEndpoints()["a"] != nil })
        try await Task.sleep(nanoseconds: 600_000_000)
        #expect(r.count == 1, "no call after the 410")
        #expect(try ids.allSatisfy { try f.state($0, "a")?.state == "pending" }, "the messages wait for the endpoint")
        r.set(.status(200))
        #expect(try f.store.enableEndpoint("a", now: f.clock.now()))
        #expect(try await f.eventually { try ids.allSatisfy { try f.state($0, "a")?.state == "delivered" } })
        #expect(try f.store.disabledEndpoints().isEmpty)
        task.cancel(); await task.value; await r.close()
    }

    @Test func badRequestRetriesWithoutOpeningTheCircuit() async throws {
        let f = try DispatchFixture(), r = try await FaultReceiver(.status(400))
        defer { f.cleanUp() }
        let t0 = f.clock.now().seconds
        let ids = try f.enqueue(8, to: ["a"])
        let task = f.start([f.endpoint("a", r, concurrency: 1)], settings: DispatchFixture.settings(threshold: 2))
        #expect(try await f.eventually { try ids.allSatisfy { try f.state($0, "a")?.runAt == t0 + 5 } })
        #expect(r.count == 8, "400 is about one message, not the endpoint: every message was tried")
        task.cancel(); await task.value; await r.close()
    }

    @Test func redirectsAreNotFollowed() async throws {
        let f = try DispatchFixture(), r = try await FaultReceiver(.status(302, headers: [("Location", "http://127.0.0.1:1/elsewhere")]))
        defer { f.cleanUp() }
        let id = try f.enqueue(1, to: ["a"])[0]
        let task = f.start([f.endpoint("a", r)])
        #expect(try await f.eventually { try f.state(id, "a")?.error == "HTTP 302" })
        #expect(try f.state(id, "a")?.state == "pending")
        task.cancel(); await task.value; await r.close()
    }

    @Test func resetConnectionRetries() async throws {
        let f = try DispatchFixture(), r = try await FaultReceiver(.reset)
        defer { f.cleanUp() }
        let t0 = f.clock.now().seconds
        let id = try f.enqueue(1, to: ["a"])[0]
        let task = f.start([f.endpoint("a", r)])
        #expect(try await f.eventually { try f.state(id, "a")?.runAt == t0 + 5 })
        let s = try #require(try f.state(id, "a"))
        #expect(s.state == "pending" && s.error != nil && !(s.error ?? "").hasPrefix("HTTP"))
        task.cancel(); await task.value; await r.close()
    }

    @Test func noAnswerTimesOutAndRetries() async throws {
        let f = try DispatchFixture(), r = try await FaultReceiver(.hang)
        defer { f.cleanUp() }
        let t0 = f.clock.now().seconds
        let id = try f.enqueue(1, to: ["a"])[0]
        let task = f.start([f.endpoint("a", r)], settings: DispatchFixture.settings(timeout: 1))
        #expect(try await f.eventually(5) { try f.state(id, "a")?.runAt == t0 + 5 })
        #expect(try f.state(id, "a")?.error == "timed out")
        let (_, attempts) = try #require(try f.store.message(id: 1))
        #expect(attempts.count == 1 && attempts[0].durationMs >= 900 && attempts[0].durationMs < 10_000)
        task.cancel(); await task.value; await r.close()
    }

    @Test func slowAnswerWithinTheTimeoutIsDelivered() async throws {
        let f = try DispatchFixture(), r = try await FaultReceiver(.slow(milliseconds: 400, status: 204))
        defer { f.cleanUp() }
        let id = try f.enqueue(1, to: ["a"])[0]
        let task = f.start([f.endpoint("a", r)], settings: DispatchFixture.settings(timeout: 2))
        #expect(try await f.eventually { try f.state(id, "a")?.state == "delivered" })
        let (_, attempts) = try #require(try f.store.message(id: 1))
        #expect(attempts[0].durationMs >= 390)
        task.cancel(); await task.value; await r.close()
    }

    /// A receiver that never answers holds its own endpoint's slots only: the healthy endpoint's
    /// latency with the other hung is compared with its latency, in the same run, with both healthy.
    @Test func aHungEndpointDoesNotDelayAHealthyOne() async throws {
        let f = try DispatchFixture(), bad = try await FaultReceiver(), good = try await FaultReceiver()
        defer { f.cleanUp() }
        let task = f.start([f.endpoint("bad", bad, concurrency: 4), f.endpoint("good", good, concurrency: 4)],
                           settings: DispatchFixture.settings(timeout: 30))
        let before = try await goodLatencyP99(f, good, rounds: 10, tag: "healthy")
        #expect(await bad.waitFor(50) == 50)
        bad.set(.hang)
        let during = try await goodLatencyP99(f, good, rounds: 20, tag: "hung")
        #expect(during < max(0.5, 3 * before), "healthy endpoint p99 \(during) s while the other hangs, \(before) s before")
        await bad.waitFor(10 * 5 + 4)
        try await Task.sleep(nanoseconds: 300_000_000)
        #expect(bad.count == 10 * 5 + 4, "the hung endpoint holds exactly its 4 slots")
        task.cancel(); await task.value; await bad.close(); await good.close()
    }

    private func goodLatencyP99(_ f: DispatchFixture, _ good: FaultReceiver, rounds: Int, tag: String) async throws -> Double {
        var latencies: [Double] = []
        for round in 0..<rounds {
            let before = good.count
            let sent = Double(DispatchTime.now().uptimeNanoseconds) / 1e9
            try f.enqueue(5, to: ["bad", "good"], tag: "\(tag)\(round)")
            #expect(await good.waitFor(before + 5) == before + 5)
            latencies += good.received.suffix(5).map { $0.at - sent }
        }
        latencies.sort()
        return latencies[Int(Double(latencies.count - 1) * 0.99)]
    }

    @Test func circuitOpensProbesAndRecoversAtABoundedRate() async throws {
        let f = try DispatchFixture(), r = try await FaultReceiver(.status(500))
        defer { f.cleanUp() }
        try f.enqueue(100, to: ["a"])
        let task = f.start([f.endpoint("a", r, concurrency: 1)],
                           settings: DispatchFixture.settings(threshold: 3, cooldown: 1, recoveryRate: 10))
        #expect(await r.waitFor(3) == 3)
        try await Task.sleep(nanoseconds: 500_000_000)
        #expect(r.count == 3, "open after 3 failures: no more calls during the cooldown")
        #expect(await r.waitFor(4) == 4, "one probe after the cooldown")
        try await Task.sleep(nanoseconds: 500_000_000)
        #expect(r.count == 4, "the failed probe opens it again, for longer")
        r.set(.status(200))
        #expect(await r.waitFor(5) >= 5, "the next probe succeeds")
        let closedAt = r.received[4].at
        try await Task.sleep(nanoseconds: 1_000_000_000)
        let firstSecond = r.received.filter { $0.at > closedAt && $0.at <= closedAt + 1 }.count
        #expect(firstSecond >= 1 && firstSecond <= 16, "recovery paced at 10/s at most, got \(firstSecond) in the first second")
        task.cancel(); await task.value; await r.close()
    }

    @Test func anAssignmentMessageThatCannotArriveInTimeExpires() async throws {
        let f = try DispatchFixture(), r = try await FaultReceiver(.status(500))
        defer { f.cleanUp() }
        let expired = Counter()
        let id = try f.enqueue(1, to: ["a"], type: "assignment.scheduled", expiresIn: 30)[0]
        let task = f.start([f.endpoint("a", r)], onExpired: { expired.add($0) })
        #expect(await r.waitFor(1) == 1)
        #expect(try await f.eventually { try f.state(id, "a")?.state == "pending" })
        f.clock.advance(31)
        #expect(try await f.eventually { try f.state(id, "a")?.state == "expired" })
        #expect(try await f.eventually { expired.value == 1 })
        try await Task.sleep(nanoseconds: 300_000_000)
        #expect(r.count == 1, "never sent late")
        task.cancel(); await task.value; await r.close()
    }

    @Test func aRefusedAddressGoesToDeadWithTheReason() async throws {
        let f = try DispatchFixture(), r = try await FaultReceiver()
        defer { f.cleanUp() }
        let id = try f.enqueue(1, to: ["a"])[0]
        var e = f.endpoint("a", r)
        e.allowNetworks = []
        let task = f.start([e])
        #expect(try await f.eventually { try f.state(id, "a")?.state == "dead" })
        #expect(try f.state(id, "a")?.error?.contains("internal address 127.0.0.1") == true)
        #expect(r.count == 0)
        task.cancel(); await task.value; await r.close()
    }
}

final class Counter: @unchecked Sendable {
    private let lock = NSLock()
    private var n = 0
    func add(_ k: Int) { lock.withLock { n += k } }
    var value: Int { lock.withLock { n } }
}
