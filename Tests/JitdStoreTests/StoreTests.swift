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

    @Test func streamedRosterIsDiscardedWithoutATraceOrAppliedWhole() throws {
        let store = try temporaryStore()
        let window = Interval(start: Instant(rfc3339: "2026-11-20T00:00:00Z")!, end: Instant(rfc3339: "2026-11-30T00:00:00Z")!)
        _ = try store.applyRoster(file: "a.csv", sha256: "aa", entries: [shift("old", "MICU", day: 24)], zones: utc, now: t0) { _ in [] }
        // Rows stored as they are read, then the file turns out bad: nothing of it stays.
        let discarded = try store.applyRoster(file: "bad.csv", zones: utc, now: t0, fill: { w in
            try w.insert(shift("new", "MICU", day: 24))
            return nil
        }, events: { _ in [] })
        #expect(discarded == nil)
        #expect(try store.shifts(overlapping: window).map(\.staffID) == ["old"])
        #expect(try store.pool.read { try Int.fetchOne($0, sql: "SELECT count(*) FROM inbox_file") } == 1)
        // Streamed rows replace the unit-day's older ones but not each other.
        let outcome = try store.applyRoster(file: "b.csv", zones: utc, now: t0, fill: { w in
            try w.insert(shift("new", "MICU", day: 24))
            try w.insert(shift("newer", "MICU", day: 24, hour: 19))
            return "bb"
        }, events: { _ in [] })
        #expect(outcome == .accepted(shifts: 2, busy: 0, replaced: 1, units: ["MICU"]))
        #expect(Set(try store.shifts(overlapping: window).map(\.staffID)) == ["new", "newer"])
        // The same bytes streamed again: a duplicate, recorded, nothing changed.
        let again = try store.applyRoster(file: "b-copy.csv", zones: utc, now: t0, fill: { w in
            try w.insert(shift("new", "MICU", day: 24))
            return "bb"
        }, events: { _ in [] })
        #expect(again == .duplicate)
        #expect(try store.shifts(overlapping: window).count == 2)
        #expect(try store.pool.read { try String.fetchAll($0, sql: "SELECT outcome FROM inbox_file ORDER BY id") } == ["accepted", "accepted", "duplicate"])
    }

    @Test func localDaysAreTheUnitsCalendarDays() {
        let ny = Zone("America/New_York")!
        #expect(Store.localDay(Instant(rfc3339: "2026-11-25T04:59:59Z")!, ny) == "2026-11-24")
        #expect(Store.localDay(Instant(rfc3339: "2026-11-25T05:00:00Z")!, ny) == "2026-11-25")
        #expect(Store.localDay(Instant(rfc3339: "0001-01-01T00:00:00Z")!, .utc) == "0001-01-01")
        #expect(Store.localDay(Instant(seconds: -62_135_596_800 - 86_400), .utc).hasSuffix("-12-31"))
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
        try save(store, p, now: now, endpoints: ["paging"])
    }

    func save(_ store: Store, _ p: Plan, now: Instant? = nil, endpoints: [String]) throws -> PlanChange {
        let module = Module(id: "m", title: "M", minutes: 10, roles: ["RN"], published: Instant(seconds: 0))
        return try store.savePlan(p, now: now ?? t0, leadSeconds: 600,
                                  scheduled: { [(.assignmentScheduled($0, module: module, name: nil, at: self.t0), endpoints)] },
                                  cancelled: { a, r in [(.assignmentCancelled(a, reason: r, at: self.t0), endpoints)] })
    }

    let delivered = DeliveryResult(outcome: .delivered, status: 204, error: nil, durationMs: 1)

    @Test func planSavingMeasuresChurnAndDeliveryNotifies() throws {
        let store = try temporaryStore()
        var change = try save(store, plan([assignment("a", start: 60), assignment("b", start: 120)]))
        #expect(change == PlanChange(added: 2, removed: 0, kept: 0, cancelled: 0))
        change = try save(store, plan([assignment("a", start: 60), assignment("c", start: 180)]))
        #expect(change == PlanChange(added: 1, removed: 1, kept: 1, cancelled: 0))
        #expect(try store.queueCounts()["pending"] == 2)

        // `a` is due 10 minutes before its start. Leasing its message tells nobody anything…
        let claimed = try store.claimDue(now: t0.adding(minutes: 50), limit: 10, leaseSeconds: 30, endpoint: "paging")
        #expect(claimed.map(\.assignmentID) == ["a"])
        #expect(try store.assignment(id: "a")?.state == .planned)
        // …delivering it does.
        try store.finish(claimed[0], delivered, now: t0.adding(minutes: 50))
        #expect(try store.assignment(id: "a")?.state == .notified)
        #expect(try store.committedAssignments(endingAfter: t0.adding(minutes: 50)).map(\.id) == ["a"])
        // A plan that keeps `a` leaves it as it is: not added again, still notified.
        change = try save(store, plan([assignment("a", start: 60), assignment("c", start: 180)]), now: t0.adding(minutes: 50))
        #expect(change == PlanChange(added: 0, removed: 0, kept: 1, cancelled: 0))
        #expect(try store.assignment(id: "a")?.state == .notified)

        // A newer plan cannot silently drop it; cancelling announces it.
        let cancel = Cancellation(assignment: assignment("a", start: 60), reason: "roster_changed")
        change = try save(store, plan([assignment("c", start: 180)], cancel: [cancel]), now: t0.adding(minutes: 50))
        #expect(change.cancelled == 1)
        #expect(try store.assignment(id: "a")?.state == .cancelled)
        #expect(try store.messages(state: .pending).contains { $0.type == "assignment.cancelled" })
    }

    /// A message that came due is a commitment: a re-plan that no longer wants its assignment
    /// (its start is now closer than the lead) keeps it while it is retried, in flight or waiting
    /// for a disabled endpoint; only a message not yet due goes with a re-plan.
    @Test func aDueMessageIsACommitmentUntilItArrivesOrExpires() throws {
        let store = try temporaryStore()
        _ = try save(store, plan([assignment("a", start: 60), assignment("b", start: 120)]))
        let at55 = t0.adding(minutes: 55)
        // Not yet due at t0: nothing is committed.
        #expect(try store.committedAssignments(endingAfter: t0).isEmpty)
        // Due at 50 and not delivered (the daemon was down, or the receiver failing): committed.
        #expect(try store.committedAssignments(endingAfter: at55).map(\.id) == ["a"])
        var change = try save(store, plan([]), now: at55)
        #expect(change == PlanChange(added: 0, removed: 1, kept: 0, cancelled: 0, held: 1))
        #expect(try store.assignment(id: "a")?.state == .planned)
        #expect(try store.assignment(id: "b") == nil, "b's message was not due: it goes with the plan")
        // Tried and answered 503: queued for a retry, still a commitment.
        let m = try store.claimDue(now: at55, limit: 10, leaseSeconds: 30, endpoint: "paging")
        #expect(m.map(\.assignmentID) == ["a"])
        #expect(try store.committedAssignments(endingAfter: at55).map(\.id) == ["a"], "in flight")
        try store.finish(m[0], DeliveryResult(outcome: .retry(at: t0.adding(minutes: 57)), status: 503, error: "503", durationMs: 1), now: at55)
        #expect(try store.committedAssignments(endingAfter: at55).map(\.id) == ["a"], "queued for a retry")
        change = try save(store, plan([]), now: at55)
        #expect(change.held == 1)
        // The retry arrives before the start: the person is told.
        let retry = try store.claimDue(now: t0.adding(minutes: 57), limit: 10, leaseSeconds: 30, endpoint: "paging")
        try store.finish(retry[0], delivered, now: t0.adding(minutes: 57))
        #expect(try store.assignment(id: "a")?.state == .notified)
    }

    @Test func aMessageExpiresItsAssignmentOnlyWhenNoEndpointToldThePerson() throws {
        let store = try temporaryStore()
        _ = try save(store, plan([assignment("a", start: 60), assignment("b", start: 120)]), endpoints: ["paging", "chat"])
        // `a` reaches the person through chat; paging stays silent past the start.
        let chat = try store.claimDue(now: t0.adding(minutes: 50), limit: 10, leaseSeconds: 30, endpoint: "chat")
        try store.finish(chat[0], delivered, now: t0.adding(minutes: 50))
        #expect(try store.expireLate(now: t0.adding(minutes: 61)) == 1)
        #expect(try store.assignment(id: "a")?.state == .notified, "told through chat: the time stays theirs")
        // `b` reaches nobody: both of its messages expire, and then the assignment with them.
        #expect(try store.expireLate(now: t0.adding(minutes: 121)) == 2)
        #expect(try store.assignment(id: "b")?.state == .expired)
    }

    @Test func cancellingACommitmentNobodyHeardOfSendsNoCancellation() throws {
        let store = try temporaryStore()
        _ = try save(store, plan([assignment("a", start: 60), assignment("b", start: 65)]))
        let at55 = t0.adding(minutes: 55)
        // b's message is in flight when the roster changes; a's was tried and refused (503).
        let claimed = try store.claimDue(now: at55, limit: 10, leaseSeconds: 30, endpoint: "paging")
        #expect(claimed.map(\.assignmentID) == ["a", "b"])
        try store.finish(claimed[0], DeliveryResult(outcome: .retry(at: t0.adding(minutes: 57)), status: 503, error: "503", durationMs: 1), now: at55)
        let cancels = ["a", "b"].map { Cancellation(assignment: assignment($0, start: $0 == "a" ? 60 : 65), reason: "roster_changed") }
        let change = try save(store, plan([], cancel: cancels), now: at55)
        #expect(change.cancelled == 2)
        #expect(try store.assignment(id: "a")?.state == .cancelled)
        #expect(try store.assignment(id: "b")?.state == .cancelled)
        // Only b, which may have arrived, is announced as cancelled.
        let announced = try store.messages(state: .pending).filter { $0.type == "assignment.cancelled" }.map(\.assignmentID)
        #expect(announced == ["b"])
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
        #expect(try store.messages(state: .dead).first?.lastError == "endpoint removed from the config")
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

    @Test func assignmentPagesMatchAPlainFilterPageByPage() throws {
        let store = try temporaryStore()
        var rng = SplitMix64(seed: 7)
        let units = ["MICU", "5W", "ED"], states: [AssignmentState] = [.completed, .planned, .cancelled]
        struct Row { var id: String, staff: String, unit: String, state: AssignmentState, start: Int64, end: Int64 }
        var rows: [Row] = []
        for i in 0..<400 {
            // Starts on a 5-minute grid over two days, so many share one; up to the longest assignment.
            let start = t0.seconds + Int64(rng.next() % 576) * 300
            rows.append(Row(id: "a\(rng.next() % 1000)_\(i)", staff: "s\(rng.next() % 9)", unit: units[Int(rng.next() % 3)],
                            state: states[Int(rng.next() % 3)], start: start,
                            end: start + (rng.next() % 3 == 0 ? Store.longestAssignmentSeconds
                                                                : Int64(1 + rng.next() % UInt64(Store.longestAssignmentSeconds / 60)) * 60)))
        }
        try store.pool.write { db in
            for r in rows {
                try db.execute(sql: """
                    INSERT INTO assignment (id, staff_id, module_id, unit, role, start, "end", state, created_at, updated_at)
                    VALUES (?, ?, 'm', ?, 'RN', ?, ?, ?, 0, 0)
                    """, arguments: [r.id, r.staff, r.unit, r.start, r.end, r.state.rawValue])
            }
        }
        for _ in 0..<200 {
            func maybe<T>(_ v: @autoclosure () -> T) -> T? { rng.next() % 2 == 0 ? v() : nil }
            let from = maybe(Instant(seconds: t0.seconds + Int64(rng.next() % 600) * 300))
            let to = maybe(Instant(seconds: (from ?? t0).seconds + Int64(rng.next() % 200) * 300))
            let f = AssignmentFilter(unit: maybe(units[Int(rng.next() % 3)]), staffID: rng.next() % 4 == 0 ? "s\(rng.next() % 9)" : nil,
                                     state: maybe(states[Int(rng.next() % 3)]), from: from, to: to)
            let expected = rows.filter { r in
                (f.unit.map { r.unit == $0 } ?? true) && (f.staffID.map { r.staff == $0 } ?? true) && (f.state.map { r.state == $0 } ?? true)
                    && (f.from.map { r.end > $0.seconds } ?? true) && (f.to.map { r.start < $0.seconds } ?? true)
            }.sorted { ($0.start, $0.id) < ($1.start, $1.id) }.map(\.id)
            let limit = 1 + Int(rng.next() % 7)
            var seen: [String] = []
            var after: (Int64, String)? = nil
            while true {
                let page = try store.assignmentPage(f, after: after, limit: limit)
                seen += page.map(\.assignment.id)
                guard page.count == limit, let last = page.last else { break }
                after = (last.assignment.interval.start.seconds, last.assignment.id)
            }
            #expect(seen == expected, "\(f) limit \(limit)")
            // Any `START:ID` is a valid cursor, not only one a page gave, e.g. one long before `from`.
            let cursor = (t0.seconds + Int64(rng.next() % 900) * 300 - 86_400, "a\(rng.next() % 1000)")
            let rest = try store.assignmentPage(f, after: cursor, limit: 1000).map(\.assignment.id)
            #expect(rest == rows.filter { expected.contains($0.id) && ($0.start, $0.id) > cursor }
                .sorted { ($0.start, $0.id) < ($1.start, $1.id) }.map(\.id), "\(f) after \(cursor)")
        }
    }
}
