import Foundation
import GRDB
import Testing
@testable import JitdCore
@testable import JitdStore

/// xAPI statements in the outbox: a `scheduled` statement is held until the person is told of
/// the session, the other kinds are queued with the change they record and never cancelled by a
/// later one, `assigned` goes once ever per store, and completions reach the stores that want them.
@Suite struct StatementOutboxTests {
    let t0 = Instant(rfc3339: "2026-11-24T12:00:00Z")!
    let builder = XAPIStatementBuilder(homePage: "https://hospital.example.org", activityBase: "https://hospital.example.org/jitd")
    let module = Module(id: "m", title: "M", minutes: 10, roles: ["RN"], published: Instant(seconds: 0))
    let delivered = DeliveryResult(outcome: .delivered, status: 204, error: nil, durationMs: 1)

    func assignment(_ id: String, start: Int) -> Assignment {
        Assignment(id: id, staffID: "s-\(id)", moduleID: "m", unit: "MICU", role: "RN",
                   interval: Interval(start: t0.adding(minutes: start), end: t0.adding(minutes: start + 10)))
    }

    /// Saves a plan whose `assignment.scheduled` goes to the webhook `paging` and whose statement
    /// goes to the LRS `lrs`, as the daemon's routing does.
    func save(_ store: Store, _ a: [Assignment], now: Instant? = nil) throws {
        let plan = Plan(generatedAt: t0, horizon: Interval(start: t0, end: t0.adding(minutes: 2880)), assignments: a, unmet: [],
                        understaffed: [], cancellations: [], needsTotal: a.count, weightPlaced: 0, weightTotal: 0, fairness: FairnessStats())
        let builder = self.builder, module = self.module, t0 = self.t0
        _ = try store.savePlan(plan, now: now ?? t0, leadSeconds: 600, scheduled: { a in
            [(.assignmentScheduled(a, module: module, name: nil, at: t0), ["paging"]),
             (builder.message(.session(.scheduled, a, at: t0), module: module), ["lrs"])]
        }, cancelled: { _, _ in [] })
    }

    func lrsRow(_ store: Store, _ type: String) throws -> (state: String, runAt: Int64, assignment: String?, expires: Int64?)? {
        try store.pool.read { db in
            try Row.fetchOne(db, sql: "SELECT state, run_at, assignment_id, expires_at FROM outbox WHERE endpoint = 'lrs' AND type = ?",
                             arguments: [type]).map { ($0[0], $0[1], $0[2], $0[3]) }
        }
    }

    var router: LearningEventRouter {
        let builder = self.builder, module = self.module, t0 = self.t0
        return { e in [(builder.message(e, module: module, queuedAt: t0), ["lrs"])] }
    }

    @Test func aScheduledStatementWaitsForTheNotificationThenNoLongerExpires() throws {
        let store = try temporaryStore()
        try save(store, [assignment("a", start: 60)])
        let held = try #require(try lrsRow(store, "xapi.scheduled"))
        #expect(held.state == "pending" && held.runAt == t0.adding(minutes: 60).seconds && held.assignment == "a")
        let notify = t0.adding(minutes: 50)
        #expect(try store.claimDue(now: notify, limit: 10, leaseSeconds: 30, endpoint: "lrs").isEmpty,
                "not sent while the person has not been told")
        let webhook = try store.claimDue(now: notify, limit: 10, leaseSeconds: 30, endpoint: "paging")
        try store.finish(webhook[0], delivered, now: notify.adding(seconds: 3))
        let released = try #require(try lrsRow(store, "xapi.scheduled"))
        #expect(released.runAt == notify.adding(seconds: 3).seconds && released.assignment == nil && released.expires == nil)
        // The LRS is down past the session's start: the statement still goes, late.
        #expect(try store.expireLate(now: t0.adding(minutes: 120)) == 0)
        let sent = try store.claimDue(now: t0.adding(minutes: 120), limit: 10, leaseSeconds: 30, endpoint: "lrs")
        #expect(sent.count == 1 && sent[0].type == "xapi.scheduled")
        let statement = try JSONDecoder().decode(JSONValue.self, from: sent[0].body)
        #expect(XAPIStatementRules.problems(statement) == [])
    }

    @Test func aSessionNobodyWasToldOfLeavesNoScheduledStatement() throws {
        let store = try temporaryStore()
        try save(store, [assignment("a", start: 60), assignment("b", start: 120)])
        // `a`: its notification never arrives; both messages expire at the start.
        #expect(try store.expireLate(now: t0.adding(minutes: 60)) == 2)
        #expect(try store.assignment(id: "a")?.state == .expired)
        #expect(try store.messages(state: .expired, endpoint: "lrs").count == 1)
        // `b`: the planner drops it before its message is due; its statement goes with it.
        try save(store, [], now: t0.adding(minutes: 61))
        #expect(try store.messages(state: .pending).isEmpty)
    }

    @Test func declineAndAcknowledgeAreRecordedAndCancelOnlyWhatNeverHappened() throws {
        let store = try temporaryStore()
        try save(store, [assignment("a", start: 60), assignment("b", start: 120)])
        let now = t0.adding(minutes: 5)
        // `a` is declined before anyone told the person: no `scheduled`, one `declined`.
        _ = try store.transition("a", .decline, now: now, cancelledEvents: { _, _ in [] }, learningEvents: router)
        #expect(try store.messages(state: .cancelled, endpoint: "lrs").map(\.type) == ["xapi.scheduled"])
        #expect(try store.messages(state: .pending, endpoint: "lrs").map(\.type).contains("xapi.declined"))
        // `b` is acknowledged: whoever acknowledges knows, so `scheduled` is released; a later
        // decline does not take it back.
        _ = try store.transition("b", .acknowledge, now: now, cancelledEvents: { _, _ in [] }, learningEvents: router)
        _ = try store.transition("b", .decline, now: now.adding(seconds: 60), cancelledEvents: { _, _ in [] }, learningEvents: router)
        let pending = try store.messages(state: .pending, endpoint: "lrs")
        #expect(Set(pending.map(\.type)) == ["xapi.declined", "xapi.scheduled", "xapi.acknowledged"])
        #expect(pending.count == 4 && pending.allSatisfy { $0.runAt <= now.adding(seconds: 60) && $0.expiresAt == nil })
    }

    @Test func completionsReachTheStoresOnceEach() throws {
        let store = try temporaryStore()
        try save(store, [assignment("a", start: 60)])
        let done = t0.adding(minutes: 65)
        let list = [Completion(staffID: "s-a", moduleID: "m", completedAt: done),
                    Completion(staffID: "s-z", moduleID: "m", completedAt: done)]
        let applied = try store.applyCompletions(list, source: "api", now: done, holdsUntil: { _ in nil },
                                                 cancelledEvents: { _, _ in [] }, learningEvents: router)
        #expect(applied.assignmentsCompleted == 1)
        let completed = try store.messages(state: .pending, endpoint: "lrs").filter { $0.type == "xapi.completed" }
        #expect(completed.count == 2)
        let bodies = try completed.map { try JSONDecoder().decode(JSONValue.self, from: $0.body) }
        #expect(bodies.filter { $0.object?["context"]?.object?["registration"] != nil }.count == 1, "one closed a session")
        // The same completions again change nothing and queue nothing.
        _ = try store.applyCompletions(list, source: "api", now: done, holdsUntil: { _ in nil },
                                       cancelledEvents: { _, _ in [] }, learningEvents: router)
        #expect(try store.messages(state: .pending, endpoint: "lrs").filter { $0.type == "xapi.completed" }.count == 2)
        // A completions file: each new row once.
        let outcome = try store.applyCompletions(file: "c.csv", now: done, fill: { w in
            try w.insert(list[1])
            try w.insert(Completion(staffID: "s-y", moduleID: "m", completedAt: done))
            return "sha"
        }, learningEvents: router, everyCompletion: true)
        #expect(outcome == .applied(completions: 2, new: 1, settled: CompletionsApplied()))
        #expect(try store.messages(state: .pending, endpoint: "lrs").filter { $0.type == "xapi.completed" }.count == 3)
        // A completion of a year ago, reported now, is as young as its report: the queue's max age
        // does not take it for stale.
        let old = Completion(staffID: "s-x", moduleID: "m", completedAt: t0.adding(seconds: -365 * 86_400))
        _ = try store.applyCompletions([old], source: "api", now: t0, holdsUntil: { _ in nil }, cancelledEvents: { _, _ in [] },
                                       learningEvents: router)
        #expect(try store.giveUpStale(createdBefore: t0.adding(seconds: -72 * 3600), now: t0) == 0)
    }

    /// A completions file's row that closes a session is one statement, with the session, even
    /// when every completion is sent (the writer queued it first, without).
    @Test func aFileCompletionThatClosesASessionCarriesIt() throws {
        let store = try temporaryStore()
        try save(store, [assignment("a", start: 60)])
        let done = Completion(staffID: "s-a", moduleID: "m", completedAt: t0.adding(minutes: 65))
        let outcome = try store.applyCompletions(file: "lms.csv", now: t0.adding(minutes: 70), fill: { w in
            try w.insert(done)
            return "sha-lms"
        }, learningEvents: router, everyCompletion: true)
        #expect(outcome == .applied(completions: 1, new: 1, settled: CompletionsApplied(added: 0, assignmentsCompleted: 1)))
        let completed = try store.messages(state: .pending, endpoint: "lrs").filter { $0.type == "xapi.completed" }
        #expect(completed.count == 1)
        let statement = try JSONDecoder().decode(JSONValue.self, from: try #require(completed.first).body)
        #expect(statement.object?["context"]?.object?["registration"] == .string(XAPIStatementBuilder.registration(assignmentID: "a")))
    }

    @Test func onceMessagesAreQueuedOnceEverPerEndpoint() throws {
        let store = try temporaryStore()
        let event = LearningEvent.assigned(staffID: "s", moduleID: "m", unit: "MICU", due: t0, renewal: nil, at: t0)
        let builder = self.builder
        func offer(_ endpoints: [String]) throws -> Int {
            try store.enqueueOnce(endpoints.map { e in
                OnceMessage(id: XAPIStatementBuilder.statementID(event), endpoints: [e]) { builder.message(event, module: nil) }
            }, runAt: t0)
        }
        #expect(try offer(["lrs"]) == 1)
        #expect(try offer(["lrs"]) == 0)
        // Delivered and pruned from the outbox: still remembered.
        let m = try store.claimDue(now: t0, limit: 1, leaseSeconds: 30, endpoint: "lrs")
        try store.finish(m[0], delivered, now: t0)
        #expect(try store.pruneSettled(before: t0.adding(seconds: 1)) == 1)
        #expect(try offer(["lrs", "second-lrs"]) == 1, "a store added later gets it, the first one not again")
    }

    @Test func anLRSsConflictCountsAsDeliveredInTheMetrics() throws {
        let store = try temporaryStore()
        let start = try store.lastDeliveryAttemptRowID()
        try store.enqueue([(builder.message(.session(.declined, assignment("a", start: 0), at: t0), module: module), ["lrs"])], runAt: t0)
        let m = try store.claimDue(now: t0, limit: 1, leaseSeconds: 30, endpoint: "lrs")
        try store.finish(m[0], DeliveryResult(outcome: .delivered, status: 409, error: "409 Conflict", durationMs: 2), now: t0)
        let (samples, _) = try store.deliveryAttempts(after: start)
        #expect(samples.map(\.outcome) == ["delivered"])
    }
}
