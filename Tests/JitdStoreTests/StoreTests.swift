import Foundation
import GRDB
import Testing
@testable import JitdCore
@testable import JitdStore

func temporaryStore() throws -> Store {
    let dir = NSTemporaryDirectory() + "jitd-store-" + UUID().uuidString
    try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
    return try Store(path: dir + "/jitd.sqlite")
}

@Suite struct StoreTests {
    let t0 = Instant(rfc3339: "2026-11-24T12:00:00Z")!
    let utc: @Sendable (String) -> Zone = { _ in .utc }

    func shift(_ staff: String, _ unit: String, day: Int, hour: Int = 7) -> Shift {
        let s = Instant(rfc3339: String(format: "2026-11-%02dT%02d:00:00Z", day, hour))!
        return Shift(staffID: staff, role: "RN", unit: unit, interval: Interval(start: s, end: s.adding(minutes: 720)))
    }

    @Test func databaseIsWALWithFullSync() throws {
        let store = try temporaryStore()
        let mode = try store.pool.read { try String.fetchOne($0, sql: "PRAGMA journal_mode") }
        let sync = try store.pool.read { try Int.fetchOne($0, sql: "PRAGMA synchronous") }
        #expect(mode == "wal")
        #expect(sync == 2)
    }

    @Test func rosterReplacesUnitDaysAndSameBytesChangeNothing() throws {
        let store = try temporaryStore()
        let window = Interval(start: Instant(rfc3339: "2026-11-20T00:00:00Z")!, end: Instant(rfc3339: "2026-11-30T00:00:00Z")!)
        _ = try store.applyRoster(file: "a.csv", sha256: "aa", entries: [shift("old", "MICU", day: 24), shift("keep", "MICU", day: 25), shift("w", "5W", day: 24)],
                                  zones: utc, now: t0) { _ in [] }
        let outcome = try store.applyRoster(file: "b.csv", sha256: "bb", entries: [shift("new", "MICU", day: 24)], zones: utc, now: t0) { _ in [] }
        #expect(outcome == .accepted(shifts: 1, busy: 0, replaced: 1, units: ["MICU"]))
        #expect(Set(try store.shifts(overlapping: window).map(\.staffID)) == ["new", "keep", "w"])
        let again = try store.applyRoster(file: "b-copy.csv", sha256: "bb", entries: [shift("new", "MICU", day: 24)], zones: utc, now: t0) { _ in [] }
        #expect(again == .duplicate)
        #expect(try store.shifts(overlapping: window).count == 3)
    }

    @Test func rosterEventsAreQueuedInTheSameTransaction() throws {
        let store = try temporaryStore()
        let event = WebhookEvent.rosterAccepted(file: "a.csv", sha256: "aa", shifts: 1, busy: 0, units: ["MICU"], replaced: 0, at: t0)
        _ = try store.applyRoster(file: "a.csv", sha256: "aa", entries: [shift("x", "MICU", day: 24)], zones: utc, now: t0) { _ in [(event, ["ops", "paging"])] }
        #expect(try store.queueCounts()["pending"] == 2)
        // Enqueuing the same event again never fans out twice.
        try store.enqueue([(event, ["ops"])], runAt: t0)
        #expect(try store.queueCounts()["pending"] == 2)
    }

    func assignment(_ id: String, start: Int) -> Assignment {
        Assignment(id: id, staffID: "s-\(id)", moduleID: "m", unit: "MICU", role: "RN",
                   interval: Interval(start: t0.adding(minutes: start), end: t0.adding(minutes: start + 10)))
    }

    func plan(_ a: [Assignment], cancel: [Cancellation] = []) -> Plan {
        Plan(generatedAt: t0, horizon: Interval(start: t0, end: t0.adding(minutes: 2880)), assignments: a, unmet: [], understaffed: [],
             cancellations: cancel, needsTotal: a.count, weightPlaced: 0, weightTotal: 0, fairness: FairnessStats())
    }

    func save(_ store: Store, _ p: Plan, now: Instant? = nil) throws -> PlanChange {
        let module = Module(id: "m", title: "M", minutes: 10, roles: ["RN"], published: Instant(seconds: 0))
        return try store.savePlan(p, now: now ?? t0, leadSeconds: 600,
                                  scheduled: { [(.assignmentScheduled($0, module: module, name: nil, at: self.t0), ["paging"])] },
                                  cancelled: { a, r in [(.assignmentCancelled(a, reason: r, at: self.t0), ["paging"])] })
    }

    @Test func planSavingMeasuresChurnAndLeasesNotify() throws {
        let store = try temporaryStore()
        var change = try save(store, plan([assignment("a", start: 60), assignment("b", start: 120)]))
        #expect(change == PlanChange(added: 2, removed: 0, kept: 0, cancelled: 0))
        change = try save(store, plan([assignment("a", start: 60), assignment("c", start: 180)]))
        #expect(change == PlanChange(added: 1, removed: 1, kept: 1, cancelled: 0))
        #expect(try store.queueCounts()["pending"] == 2)

        // `a` is due 10 minutes before its start: claiming it notifies the person.
        let claimed = try store.claimDue(now: t0.adding(minutes: 50), limit: 10, leaseSeconds: 30, endpoint: "paging")
        #expect(claimed.map(\.assignmentID) == ["a"])
        #expect(try store.assignment(id: "a")?.state == .notified)
        #expect(try store.committedAssignments(endingAfter: t0).map(\.id) == ["a"])

        // A newer plan cannot silently drop it; cancelling announces it.
        let cancel = Cancellation(assignment: assignment("a", start: 60), reason: "roster_changed")
        change = try save(store, plan([assignment("c", start: 180)], cancel: [cancel]))
        #expect(change.cancelled == 1)
        #expect(try store.assignment(id: "a")?.state == .cancelled)
        #expect(try store.messages(state: "pending").contains { $0.type == "assignment.cancelled" })
    }

    @Test func leasesRecoverAndLateAnswersAreIgnored() throws {
        let store = try temporaryStore()
        _ = try save(store, plan([assignment("a", start: 60)]))
        let first = try store.claimDue(now: t0.adding(minutes: 50), limit: 1, leaseSeconds: 30, endpoint: "paging")[0]
        #expect(try store.recoverLeases(now: t0.adding(minutes: 50)) == 0)
        #expect(try store.recoverLeases(now: t0.adding(minutes: 51)) == 1)
        let second = try store.claimDue(now: t0.adding(minutes: 51), limit: 1, leaseSeconds: 30, endpoint: "paging")[0]
        #expect(second.attempts == 2 && second.eventID == first.eventID)
        // The first attempt answers late: it must not overwrite the second's lease.
        try store.finish(first, DeliveryResult(outcome: .dead, status: 500, error: "late", durationMs: 1), now: t0.adding(minutes: 52))
        #expect(try store.queueCounts()["leased"] == 1)
        try store.finish(second, DeliveryResult(outcome: .delivered, status: 204, error: nil, durationMs: 1), now: t0.adding(minutes: 52))
        #expect(try store.queueCounts()["delivered"] == 1)
    }

    @Test func assignmentMessagesExpireRatherThanArriveLate() throws {
        let store = try temporaryStore()
        _ = try save(store, plan([assignment("a", start: 60)]))
        let claimed = try store.claimDue(now: t0.adding(minutes: 61), limit: 1, leaseSeconds: 30, endpoint: "paging")
        #expect(claimed.isEmpty)
        #expect(try store.queueCounts()["expired"] == 1)
        #expect(try store.assignment(id: "a")?.state == .expired)
    }

    @Test func orphansGoDeadAndCanBeRedelivered() throws {
        let store = try temporaryStore()
        _ = try save(store, plan([assignment("a", start: 60)]))
        #expect(try store.killOrphans(endpoints: ["other"], now: t0) == 1)
        #expect(try store.messages(state: "dead").first?.lastError == "endpoint removed from the config")
        #expect(try store.redeliver(endpoint: "paging", now: t0) == 1)
        #expect(try store.queueCounts()["pending"] == 1)
    }

    @Test func assignmentPagesReadCoveringIndexes() throws {
        let store = try temporaryStore()
        for raw in 0..<PageReader.shapes {
            let shape = AssignmentPageShape(rawValue: raw)
            let plan = try store.pool.read { db in
                let nulls = StatementArguments(Array(repeating: DatabaseValue.null, count: shape.sql.filter { $0 == "?" }.count))
                return try Row.fetchAll(db, sql: "EXPLAIN QUERY PLAN " + shape.sql, arguments: nulls).map { $0["detail"] as String }.joined(separator: "; ")
            }
            let unit = raw & 1 != 0, staff = raw & 2 != 0, state = raw & 4 != 0
            if unit && state && !staff {
                #expect(plan.contains("COVERING INDEX assignment_unit_state_page (unit=? AND state=?"), "\(shape.sql): \(plan)")
                #expect(!plan.contains("TEMP B-TREE"), "\(shape.sql): \(plan)")
            } else if unit && !staff {
                #expect(plan.contains("COVERING INDEX assignment_unit_page (unit=?"), "\(shape.sql): \(plan)")
                #expect(!plan.contains("TEMP B-TREE"), "\(shape.sql): \(plan)")
            }
        }
    }
}
