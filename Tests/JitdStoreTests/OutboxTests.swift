import Foundation
import GRDB
import Testing
@testable import JitdCore
@testable import JitdStore

@Suite struct OutboxTests {
    let t0 = Instant(seconds: 1_800_000_000)

    func queue(_ store: Store, _ n: Int, endpoint: String = "a", at t: Instant? = nil) throws {
        let now = t ?? t0
        let events = (0..<n).map { i in
            WebhookEvent(id: "msg_\(now.seconds)_\(i)", type: "roster.accepted", timestamp: now, unit: nil, data: ["i": .int(i)])
        }
        try store.enqueue(events.map { ($0, [endpoint]) }, runAt: now)
    }

    @Test func aLateAnswerCannotOverwriteTheNewerAttempt() throws {
        let store = try temporaryStore()
        try queue(store, 1)
        let first = try #require(try store.claimDue(now: t0, limit: 1, leaseSeconds: 10, endpoint: "a").first)
        try store.recoverLeases(now: t0.adding(seconds: 11))
        let second = try #require(try store.claimDue(now: t0.adding(seconds: 11), limit: 1, leaseSeconds: 10, endpoint: "a").first)
        #expect(second.attempts == 2)
        try store.finish(second, DeliveryResult(outcome: .delivered, status: 200, error: nil, durationMs: 3), now: t0.adding(seconds: 12))
        try store.finish(first, DeliveryResult(outcome: .dead, status: 500, error: "late", durationMs: 9000), now: t0.adding(seconds: 13))
        #expect(try store.queueCounts() == ["delivered": 1])
    }

    @Test func startUpReturnsEveryLeaseAndReleaseDoesNotCountAnAttempt() throws {
        let store = try temporaryStore()
        try queue(store, 3)
        let claimed = try store.claimDue(now: t0, limit: 3, leaseSeconds: 600, endpoint: "a")
        #expect(try store.recoverLeases(now: t0) == 0, "unexpired leases stay while the daemon runs")
        try store.pool.write { db in try OutboxSQL.release(db, claimed[0], now: t0) }
        #expect(try store.recoverLeases(now: t0, all: true) == 2, "at start-up every lease comes back")
        let again = try store.claimDue(now: t0, limit: 3, leaseSeconds: 600, endpoint: "a")
        #expect(again.first { $0.id == claimed[0].id }?.attempts == 1, "a released message was never sent")
        #expect(again.first { $0.id == claimed[1].id }?.attempts == 2, "a recovered one may have been")
    }

    @Test func goneDisablesTheEndpointAndKeepsTheMessage() throws {
        let store = try temporaryStore()
        try queue(store, 1)
        let m = try #require(try store.claimDue(now: t0, limit: 1, leaseSeconds: 60, endpoint: "a").first)
        try store.finish(m, DeliveryResult(outcome: .endpointGone, status: 410, error: "410 Gone", durationMs: 1), now: t0)
        #expect(try store.disabledEndpoints()["a"]?.reason == "410 Gone")
        #expect(try store.queueCounts() == ["pending": 1])
        #expect(try store.enableEndpoint("a", now: t0))
        #expect(try store.disabledEndpoints().isEmpty)
        #expect(try !store.enableEndpoint("a", now: t0))
    }

    @Test func settledMessagesArePrunedAfterTheRetentionWithTheirAttempts() throws {
        let store = try temporaryStore()
        try queue(store, 4)
        let ms = try store.claimDue(now: t0, limit: 4, leaseSeconds: 60, endpoint: "a")
        for m in ms.prefix(3) {
            try store.finish(m, DeliveryResult(outcome: .delivered, status: 200, error: nil, durationMs: 1), now: t0)
        }
        try store.finish(ms[3], DeliveryResult(outcome: .dead, status: 500, error: "x", durationMs: 1), now: t0)
        #expect(try store.pruneSettled(before: t0) == 0)
        #expect(try store.pruneSettled(before: t0.adding(seconds: 1), limit: 2) == 2)
        #expect(try store.pruneSettled(before: t0.adding(seconds: 1)) == 1)
        #expect(try store.queueCounts() == ["dead": 1], "dead messages stay for the operator")
        let attempts = try store.pool.read { try Int.fetchOne($0, sql: "SELECT count(*) FROM delivery_attempt") }
        #expect(attempts == 1)
    }

    @Test func messagesPastTheMaxAgeGoToDead() throws {
        let store = try temporaryStore()
        try queue(store, 2)
        try queue(store, 1, at: t0.adding(seconds: 100))
        #expect(try store.giveUpStale(createdBefore: t0.adding(seconds: 50), now: t0.adding(seconds: 200)) == 2)
        #expect(try store.queueCounts() == ["dead": 2, "pending": 1])
        #expect(try store.messages(state: .dead).allSatisfy { ($0.lastError ?? "").contains("max_age_hours") })
    }

    /// Concurrent claims and results share transactions.
    @Test func theWriterCommitsManyOperationsPerTransaction() async throws {
        let store = try temporaryStore()
        try queue(store, 400)
        let writer = OutboxWriter(store: store, now: { [t0] in t0 })
        await withTaskGroup(of: Void.self) { group in
            for _ in 0..<8 {
                group.addTask {
                    while let ms = try? await writer.claim(endpoint: "a", limit: 5, leaseSeconds: 60), !ms.isEmpty {
                        for m in ms {
                            try? await writer.finish(m, DeliveryResult(outcome: .delivered, status: 200, error: nil, durationMs: 1))
                        }
                    }
                }
            }
        }
        #expect(try store.queueCounts() == ["delivered": 400])
        let (tx, ops) = (await writer.transactions, await writer.operations)
        #expect(ops >= 480 && tx < ops, "\(ops) operations in \(tx) transactions")
    }
}
