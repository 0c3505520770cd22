import Foundation
import GRDB
import GRDBSQLite
import JitdCore

// What the HTTP API asks of the store: assignment pages and state changes, completions posted
// by an LMS, module progress, dead deliveries and the ingest history. Queries only; the schema
// is `Store.migrator`'s.

/// A filter over assignments, as `GET /v1/assignments` takes it.
public struct AssignmentFilter: Sendable, Hashable {
    public var unit: String?
    public var staffID: String?
    public var state: AssignmentState?
    /// Assignments that end after this instant.
    public var from: Instant?
    /// Assignments that start before this instant.
    public var to: Instant?

    public init(unit: String? = nil, staffID: String? = nil, state: AssignmentState? = nil, from: Instant? = nil, to: Instant? = nil) {
        self.unit = unit
        self.staffID = staffID
        self.state = state
        self.from = from
        self.to = to
    }
}

/// The columns of an assignment page, in the order ``AssignmentRowView`` reads them.
public enum AssignmentColumn: Int32, Sendable {
    case id, staffID, moduleID, unit, role, start, end, group, state, reason, updatedAt
}

/// One row of an assignment page, read in place from SQLite. Valid only inside the visitor that
/// receives it: the bytes belong to the statement and change on its next step.
public struct AssignmentRowView {
    @usableFromInline let statement: SQLiteStatement

    /// The column's UTF-8 text, or `nil` when it is NULL.
    @inlinable public func text(_ c: AssignmentColumn) -> UnsafeBufferPointer<UInt8>? {
        // Through the column's value: one sqlite3_column_* call (each checks the column, enters
        // the connection's mutex and checks for a malloc failure) instead of one for the text and
        // one for its length. SQLite warns that such a value is not thread-safe in serialized
        // mode; the page connections are multi-thread ones used by one thread at a time.
        let v = sqlite3_column_value(statement, c.rawValue)
        // sqlite3_value_text gives NULL for SQL NULL (and a pointer to "" for an empty text).
        guard let p = sqlite3_value_text(v) else { return nil }
        return UnsafeBufferPointer(start: p, count: Int(sqlite3_value_bytes(v)))
    }

    @inlinable public func int64(_ c: AssignmentColumn) -> Int64 { sqlite3_column_int64(statement, c.rawValue) }
}

/// What asking an assignment to change state did.
public enum TransitionResult: Sendable, Hashable {
    /// The assignment moved to the asked state.
    case changed(StoredAssignment)
    /// It already was in the asked state: nothing changed (the same call made twice).
    case unchanged(StoredAssignment)
    /// Its state does not allow the move; nothing changed.
    case illegal(StoredAssignment)
    case notFound
}

/// A state change an integrator may ask for.
public enum AssignmentAction: String, Sendable, CaseIterable {
    case acknowledge, complete, decline

    /// The state the action leads to.
    public var target: AssignmentState {
        switch self {
        case .acknowledge: .acknowledged
        case .complete: .completed
        case .decline: .declined
        }
    }

    /// States the action may start from (besides `target`, which makes it a no-op).
    public var sources: Set<AssignmentState> {
        switch self {
        case .acknowledge: [.planned, .notified]
        case .complete, .decline: [.planned, .notified, .acknowledged]
        }
    }
}

/// What applying posted completions did.
public struct CompletionsApplied: Sendable, Hashable {
    /// Completions not already recorded.
    public var added = 0
    /// Assignments the completions closed as `completed` (the person finished the module in that slot).
    public var assignmentsCompleted = 0
    /// Later assignments of the same module that were no longer needed and were cancelled.
    public var assignmentsCancelled = 0
}

/// The store's view of one module's progress: who works where, who completed it, what is planned.
public struct ModuleProgressInputs: Sendable {
    public struct Post: Sendable, Hashable {
        public var staffID: String
        public var unit: String
        public var role: String
    }
    /// Distinct (staff, unit, role) of shifts in the window.
    public var posts: [Post]
    /// The latest completion of the module per person.
    public var latestCompletion: [String: Instant]
    /// Assignments of the module not yet over and still to happen (planned, notified, acknowledged).
    public var upcoming: [Assignment]
    /// People announced overdue for the module (`training.overdue`) who have not completed it since.
    public var overdue: Set<String> = []
}

/// A row of `inbox_file`: one file the inbox handled.
public struct InboxFileRecord: Sendable, Hashable {
    public var id: Int64
    public var name: String
    public var sha256: String
    public var kind: InboxFileKind
    public var outcome: InboxFileOutcome
    public var receivedAt: Instant
    /// JSON text: counts for accepted files, errors for rejected ones.
    public var summary: String
}

/// One attempt at delivering a message.
public struct DeliveryAttemptRecord: Sendable, Hashable {
    public var attempt: Int
    public var at: Instant
    public var status: Int?
    public var error: String?
    public var durationMs: Int
}

/// A dead message with the history of its attempts.
public struct DeadDelivery: Sendable, Hashable {
    public var message: OutboxMessage
    public var updatedAt: Instant
    public var attempts: [DeliveryAttemptRecord]
}

/// A delivery attempt with what metrics need, in the order they were recorded.
public struct DeliveryAttemptSample: Sendable, Hashable {
    public var endpoint: String
    /// `delivered`, `retry` or `dead`.
    public var outcome: String
    public var durationMs: Int
}

/// Counts read at scrape time for `/metrics`.
public struct StoreGaugeValues: Sendable, Hashable {
    public var shifts = 0
    public var busyBlocks = 0
    public var staff = 0
    public var assignmentsByState: [String: Int] = [:]
    /// Pending messages per endpoint.
    public var pendingByEndpoint: [String: Int] = [:]
    /// Messages per state, all endpoints.
    public var messagesByState: [String: Int] = [:]
    /// Seconds the oldest due pending message has waited past its `run_at`, per endpoint (0 when none is due).
    public var oldestDueAgeByEndpoint: [String: Int64] = [:]
    /// Inbox files per kind and outcome.
    public var inboxFiles: [InboxCount] = []
    /// Units whose roster ran out (no shift in the next horizon).
    public var staleUnits = 0
    /// Needs whose due date or lapse passed untrained and are still open.
    public var overdue = 0

    public struct InboxCount: Sendable, Hashable {
        public var kind: String
        public var outcome: String
        public var count: Int
    }
}

extension Store {
    /// Longest an assignment can last: a module takes at most 240 minutes (docs/configuration.md, "The catalog", and
    /// the catalog parser refuses more). It turns "ends after `from`" into an index range on `start`.
    static let longestAssignmentSeconds: Int64 = 240 * 60

    /// A page of assignments matching a filter, ordered by start then id; `after` is the (start, id)
    /// of the last row of the previous page.
    public func assignmentPage(_ f: AssignmentFilter, after: (Int64, String)?, limit: Int) throws -> [StoredAssignment] {
        var out: [StoredAssignment] = []
        try visitAssignmentPage(f, after: after, limit: limit) { row in
            func text(_ c: AssignmentColumn) -> String? { row.text(c).map { String(decoding: $0, as: UTF8.self) } }
            out.append(StoredAssignment(
                assignment: Assignment(id: text(.id)!, staffID: text(.staffID)!, moduleID: text(.moduleID)!, unit: text(.unit)!,
                                       role: text(.role)!, interval: Interval(start: Instant(seconds: row.int64(.start)),
                                                                              end: Instant(seconds: row.int64(.end))),
                                       group: text(.group)),
                state: AssignmentState(rawValue: text(.state)!) ?? .planned, reason: text(.reason),
                updatedAt: Instant(seconds: row.int64(.updatedAt))))
        }
        return out
    }

    /// Visits a page of assignments in place, without copying a column: the fast path under
    /// `GET /v1/assignments`. Same order, filter and cursor as ``assignmentPage(_:after:limit:)``.
    ///
    /// Every filter rides an index whose next column is `start` (unit, staff or state), so a page
    /// reads only its own rows; "ends after `from`" becomes a `start` range through
    /// ``longestAssignmentSeconds``. A row view is valid only inside `visit`.
    ///
    /// It runs on a connection of ``PageReaders`` with a statement prepared once per filter shape.
    /// One SELECT is its own snapshot in WAL mode, so the read needs no explicit transaction.
    public func visitAssignmentPage(_ f: AssignmentFilter, after: (Int64, String)?, limit: Int,
                                    _ visit: (AssignmentRowView) throws -> Void) throws {
        let shape = AssignmentPageShape(f, cursor: after != nil)
        try pageReaders.withReader { reader in
            let statement = try reader.statement(shape)
            defer { sqlite3_reset(statement) }
            var b = PageBinder(statement)
            if let u = f.unit { b.bind(u) }
            if let s = f.staffID { b.bind(s) }
            if let s = f.state { b.bind(s.rawValue) }
            // "Ends after `from`" also means "starts after `from` less the longest assignment".
            let startsAfter = f.from.map { $0.seconds - Self.longestAssignmentSeconds }
            if let from = f.from { b.bind(from.seconds) }
            if after == nil, let startsAfter { b.bind(startsAfter) }
            if let to = f.to { b.bind(to.seconds) }
            if let (start, id) = after {
                b.bind(max(start, startsAfter.map { $0 + 1 } ?? start))
                b.bind(start)
                b.bind(id)
            }
            b.bind(Int64(limit))
            guard b.code == SQLITE_OK else { throw reader.error(b.code, sql: shape.sql) }
            while true {
                let code = sqlite3_step(statement)
                if code == SQLITE_DONE { return }
                guard code == SQLITE_ROW else { throw reader.error(code, sql: shape.sql) }
                try visit(AssignmentRowView(statement: statement))
            }
        }
    }

    // MARK: State changes

    /// Moves an assignment as an integrator asks, in one transaction.
    ///
    /// The same call twice is `.unchanged`, not an error. A decline or completion cancels the
    /// assignment's unsent messages. A completion also records a completion of the module at
    /// `now` and cancels the person's other live assignments of that module that have not
    /// ended (reason `completed_elsewhere`); those people were told about get the events
    /// `cancelledEvents` returns, queued in the same transaction. The change itself (acknowledged,
    /// declined, completed) is queued as `learningEvents` routes it, for learning record stores.
    public func transition(_ id: String, _ action: AssignmentAction, now: Instant,
                           cancelledEvents: @Sendable (Assignment, String) -> [(WebhookEvent, [String])],
                           learningEvents: @Sendable (LearningEvent) -> [(WebhookEvent, [String])] = { _ in [] }) throws -> TransitionResult {
        try pool.write { db in
            guard let current = try Row.fetchOne(db, sql: "SELECT * FROM assignment WHERE id = ?", arguments: [id]).map(Self.stored) else {
                return .notFound
            }
            if current.state == action.target { return .unchanged(current) }
            guard action.sources.contains(current.state) else { return .illegal(current) }
            try db.execute(sql: "UPDATE assignment SET state = ?, reason = NULL, updated_at = ? WHERE id = ?",
                           arguments: [action.target.rawValue, now.seconds, id])
            if action != .acknowledge {
                try db.execute(sql: "UPDATE outbox SET state = 'cancelled', updated_at = ? WHERE assignment_id = ? AND state = 'pending'",
                               arguments: [now.seconds, id])
            } else {
                // Whoever acknowledges a session knows of it.
                try OutboxSQL.releaseStatements(db, assignmentID: id, now: now)
            }
            let a = current.assignment
            let learning: LearningEvent = switch action {
            case .acknowledge: .session(.acknowledged, a, at: now)
            case .decline: .session(.declined, a, at: now)
            case .complete: .completed(Completion(staffID: a.staffID, moduleID: a.moduleID, completedAt: now), session: a)
            }
            for (event, endpoints) in learningEvents(learning) { try Self.enqueue(db, event, endpoints: endpoints, runAt: now) }
            if action == .complete {
                try db.execute(sql: "INSERT OR IGNORE INTO completion (staff_id, module_id, completed_at, source) VALUES (?, ?, ?, ?)",
                               arguments: [a.staffID, a.moduleID, now.seconds, "api:assignment:" + id])
                let others = try Row.fetchAll(db, sql: """
                    SELECT * FROM assignment WHERE staff_id = ? AND module_id = ? AND id <> ?
                    AND state IN ('planned', 'notified', 'acknowledged') AND "end" > ?
                    """, arguments: [a.staffID, a.moduleID, id, now.seconds]).map(Self.stored)
                for other in others {
                    try Self.cancel(db, other, reason: "completed_elsewhere", now: now, events: cancelledEvents)
                }
            }
            return .changed(try Row.fetchOne(db, sql: "SELECT * FROM assignment WHERE id = ?", arguments: [id]).map(Self.stored)!)
        }
    }

    /// Cancels a live assignment and its unsent messages; announces it when the person had been told.
    static func cancel(_ db: Database, _ a: StoredAssignment, reason: String, now: Instant,
                       events: @Sendable (Assignment, String) -> [(WebhookEvent, [String])]) throws {
        try db.execute(sql: "UPDATE assignment SET state = 'cancelled', reason = ?, updated_at = ? WHERE id = ?",
                       arguments: [reason, now.seconds, a.assignment.id])
        try db.execute(sql: "UPDATE outbox SET state = 'cancelled', updated_at = ? WHERE assignment_id = ? AND state = 'pending'",
                       arguments: [now.seconds, a.assignment.id])
        if a.state.isCommitted {
            for (event, endpoints) in events(a.assignment, reason) {
                try enqueue(db, event, endpoints: endpoints, runAt: now)
            }
        }
    }

    /// Records completions posted through the API, all in one transaction.
    ///
    /// For each completion, the person's live assignments of that module are settled: one that
    /// had started by the completion (and ended at most a day before it) becomes `completed`; one
    /// that starts after the completion and has not ended is cancelled (`completed_elsewhere`)
    /// when the completion still holds at its start (`holdsUntil` gives when a completion lapses
    /// for recertification, `nil` for never). Each new completion, and each that closed a session,
    /// is queued as `learningEvents` routes it.
    public func applyCompletions(_ list: [Completion], source: String, now: Instant,
                                 holdsUntil: @Sendable (Completion) -> Instant?,
                                 cancelledEvents: @Sendable (Assignment, String) -> [(WebhookEvent, [String])],
                                 learningEvents: @Sendable (LearningEvent) -> [(WebhookEvent, [String])] = { _ in [] }) throws -> CompletionsApplied {
        try pool.write { db in
            var result = CompletionsApplied()
            let insert = try db.makeStatement(sql: "INSERT OR IGNORE INTO completion (staff_id, module_id, completed_at, source) VALUES (?, ?, ?, ?)")
            let live = try db.makeStatement(sql: """
                SELECT * FROM assignment WHERE staff_id = ? AND module_id = ? AND state IN ('planned', 'notified', 'acknowledged')
                ORDER BY start, id
                """)
            for c in list {
                try insert.execute(arguments: [c.staffID, c.moduleID, c.completedAt.seconds, source])
                let added = db.changesCount
                result.added += added
                var closed: Assignment? = nil
                for a in try Row.fetchAll(live, arguments: [c.staffID, c.moduleID]).map(Self.stored) {
                    let before = result.assignmentsCompleted
                    try Self.settle(db, a, by: c, now: now, holdsUntil: holdsUntil, cancelledEvents: cancelledEvents, &result)
                    if closed == nil && result.assignmentsCompleted > before { closed = a.assignment }
                }
                if added > 0 || closed != nil {
                    for (event, endpoints) in learningEvents(.completed(c, session: closed)) {
                        try Self.enqueue(db, event, endpoints: endpoints, runAt: now)
                    }
                }
            }
            return result
        }
    }

    /// What a completion `c` does to a live assignment `a` of the same person and module: one
    /// that had started by the completion (and ended at most a day before it) becomes
    /// `completed`; one that starts after it and has not ended is cancelled
    /// (`completed_elsewhere`) when the completion still holds at its start. The one rule for
    /// completions from the API and from inbox files.
    static func settle(_ db: Database, _ a: StoredAssignment, by c: Completion, now: Instant,
                       holdsUntil: (Completion) -> Instant?,
                       cancelledEvents: @Sendable (Assignment, String) -> [(WebhookEvent, [String])],
                       _ result: inout CompletionsApplied) throws {
        let start = a.assignment.interval.start, end = a.assignment.interval.end
        if start <= c.completedAt && c.completedAt <= end.adding(seconds: 86_400) {
            try db.execute(sql: "UPDATE assignment SET state = 'completed', reason = NULL, updated_at = ? WHERE id = ?",
                           arguments: [now.seconds, a.assignment.id])
            try db.execute(sql: "UPDATE outbox SET state = 'cancelled', updated_at = ? WHERE assignment_id = ? AND state = 'pending'",
                           arguments: [now.seconds, a.assignment.id])
            result.assignmentsCompleted += 1
        } else if start > c.completedAt && end > now && (holdsUntil(c).map { $0 > start } ?? true) {
            try cancel(db, a, reason: "completed_elsewhere", now: now, events: cancelledEvents)
            result.assignmentsCancelled += 1
        }
    }

    /// Settles the live assignments (``settle(_:_:by:now:holdsUntil:cancelledEvents:_:)``) by the
    /// completions a file added (its `source`), inside the transaction that stores them: one pass
    /// over the few live assignments, not one lookup per row of a history of millions.
    /// A session a completion closes is queued as `learningEvents` routes it.
    static func settleLive(_ db: Database, bySource source: String, now: Instant, holdsUntil: (Completion) -> Instant?,
                           cancelledEvents: @Sendable (Assignment, String) -> [(WebhookEvent, [String])],
                           learningEvents: LearningEventRouter? = nil) throws -> CompletionsApplied {
        var result = CompletionsApplied()
        let rows = try Row.fetchAll(db, sql: """
            SELECT a.*, c.completed_at AS c_at FROM assignment a
            JOIN completion c ON c.staff_id = a.staff_id AND c.module_id = a.module_id AND c.source = ?
            WHERE a.state IN ('planned', 'notified', 'acknowledged') ORDER BY a.start, a.id, c.completed_at
            """, arguments: [source])
        var settled: Set<String> = []
        for row in rows {
            let a = Self.stored(row)
            guard !settled.contains(a.assignment.id) else { continue }
            let c = Completion(staffID: a.assignment.staffID, moduleID: a.assignment.moduleID, completedAt: Instant(seconds: row["c_at"]))
            let before = result
            try settle(db, a, by: c, now: now, holdsUntil: holdsUntil, cancelledEvents: cancelledEvents, &result)
            if result != before { settled.insert(a.assignment.id) }
            if result.assignmentsCompleted > before.assignmentsCompleted, let learningEvents {
                // The file's writer may have queued this completion without its session: the
                // statement with the session takes its place (it was not sent: same transaction).
                for (event, endpoints) in learningEvents(.completed(c, session: a.assignment)) {
                    try Self.enqueue(db, event, endpoints: endpoints, runAt: now, replacingPending: true)
                }
            }
        }
        return result
    }

    // MARK: Progress

    /// What a module's progress needs: who worked in `window` (shifts, not busy blocks), who
    /// completed the module, and its live assignments that have not ended by `now`.
    public func progressInputs(moduleID: String, window: Interval, now: Instant) throws -> ModuleProgressInputs {
        try pool.read { db in
            let posts = try Row.fetchAll(db, sql: """
                SELECT DISTINCT s.staff_id, s.unit, s.role FROM \(Self.shiftsOverlapping) AND s.kind = 'shift'
                """, arguments: [window.start.seconds, window.end.seconds]).map {
                ModuleProgressInputs.Post(staffID: $0[0], unit: $0[1], role: $0[2])
            }
            var latest: [String: Instant] = [:]
            for row in try Row.fetchAll(db, sql: "SELECT staff_id, max(completed_at) FROM completion WHERE module_id = ? GROUP BY staff_id",
                                        arguments: [moduleID]) {
                latest[row[0]] = Instant(seconds: row[1])
            }
            let upcoming = try Row.fetchAll(db, sql: """
                SELECT * FROM assignment WHERE module_id = ? AND state IN ('planned', 'notified', 'acknowledged') AND "end" > ?
                ORDER BY "end", id
                """, arguments: [moduleID, now.seconds]).map(Self.assignment)
            var inputs = ModuleProgressInputs(posts: posts, latestCompletion: latest, upcoming: upcoming)
            inputs.overdue = Set(try String.fetchAll(db, sql: """
                SELECT DISTINCT o.staff_id FROM overdue o WHERE o.module_id = ? AND NOT EXISTS (
                    SELECT 1 FROM completion c WHERE c.staff_id = o.staff_id AND c.module_id = o.module_id AND c.completed_at >= o.due)
                """, arguments: [moduleID]))
            return inputs
        }
    }

    // MARK: Ingest history

    /// Inbox files, newest first; `before` is the id of the last row of the previous page.
    public func inboxFiles(outcome: InboxFileOutcome? = nil, kind: InboxFileKind? = nil, before: Int64? = nil, limit: Int) throws -> [InboxFileRecord] {
        try pool.read { db in
            try Row.fetchAll(db, sql: """
                SELECT * FROM inbox_file WHERE (?1 IS NULL OR outcome = ?1) AND (?2 IS NULL OR kind = ?2) AND (?3 IS NULL OR id < ?3)
                ORDER BY id DESC LIMIT ?4
                """, arguments: [outcome?.rawValue, kind?.rawValue, before, limit]).map {
                InboxFileRecord(id: $0["id"], name: $0["name"], sha256: $0["sha256"],
                                kind: InboxFileKind(rawValue: $0["kind"]) ?? .unknown, outcome: InboxFileOutcome(rawValue: $0["outcome"]) ?? .rejected,
                                receivedAt: Instant(seconds: $0["received_at"]), summary: $0["summary"])
            }
        }
    }

    // MARK: Dead deliveries

    /// Dead messages, newest first, each with its attempts; `before` is the id of the last row of the previous page.
    public func deadDeliveries(endpoint: String? = nil, before: Int64? = nil, limit: Int) throws -> [DeadDelivery] {
        try pool.read { db in
            let rows = try Row.fetchAll(db, sql: """
                SELECT * FROM outbox WHERE state = 'dead' AND (?1 IS NULL OR endpoint = ?1) AND (?2 IS NULL OR id < ?2)
                ORDER BY id DESC LIMIT ?3
                """, arguments: [endpoint, before, limit])
            return try rows.map { row in
                let m = OutboxMessage(row: row)
                return DeadDelivery(message: m, updatedAt: Instant(seconds: row["updated_at"]), attempts: try Self.attempts(db, m.id))
            }
        }
    }

    /// One message with its attempts, in any state.
    public func delivery(id: Int64) throws -> DeadDelivery? {
        try pool.read { db in
            guard let row = try Row.fetchOne(db, sql: "SELECT * FROM outbox WHERE id = ?", arguments: [id]) else { return nil }
            let m = OutboxMessage(row: row)
            return DeadDelivery(message: m, updatedAt: Instant(seconds: row["updated_at"]), attempts: try Self.attempts(db, m.id))
        }
    }

    static func attempts(_ db: Database, _ id: Int64) throws -> [DeliveryAttemptRecord] {
        try Row.fetchAll(db, sql: "SELECT * FROM delivery_attempt WHERE message_id = ? ORDER BY attempt", arguments: [id]).map {
            DeliveryAttemptRecord(attempt: $0["attempt"], at: Instant(seconds: $0["at"]), status: $0["status"], error: $0["error"],
                                  durationMs: $0["duration_ms"])
        }
    }

    // MARK: Metrics

    /// Counts for the gauges of `/metrics`, read in one snapshot.
    public func gaugeValues(now: Instant) throws -> StoreGaugeValues {
        try pool.read { db in
            var v = StoreGaugeValues()
            for row in try Row.fetchAll(db, sql: "SELECT kind, count(*) FROM shift GROUP BY kind") {
                if row[0] as String == "busy" { v.busyBlocks = row[1] } else { v.shifts += row[1] as Int }
            }
            v.staff = try Int.fetchOne(db, sql: "SELECT count(*) FROM staff") ?? 0
            for row in try Row.fetchAll(db, sql: "SELECT state, count(*) FROM assignment GROUP BY state") { v.assignmentsByState[row[0]] = row[1] }
            for row in try Row.fetchAll(db, sql: "SELECT state, count(*) FROM outbox GROUP BY state") { v.messagesByState[row[0]] = row[1] }
            for row in try Row.fetchAll(db, sql: """
                SELECT endpoint, count(*), min(CASE WHEN run_at <= ?1 THEN run_at END) FROM outbox WHERE state = 'pending' GROUP BY endpoint
                """, arguments: [now.seconds]) {
                v.pendingByEndpoint[row[0]] = row[1]
                v.oldestDueAgeByEndpoint[row[0]] = (row[2] as Int64?).map { max(0, now.seconds - $0) } ?? 0
            }
            v.inboxFiles = try Row.fetchAll(db, sql: "SELECT kind, outcome, count(*) FROM inbox_file GROUP BY kind, outcome ORDER BY kind, outcome").map {
                StoreGaugeValues.InboxCount(kind: $0[0], outcome: $0[1], count: $0[2])
            }
            v.staleUnits = try Int.fetchOne(db, sql: "SELECT count(*) FROM stale_unit") ?? 0
            v.overdue = try Int.fetchOne(db, sql: """
                SELECT count(*) FROM overdue o WHERE NOT EXISTS (
                    SELECT 1 FROM completion c WHERE c.staff_id = o.staff_id AND c.module_id = o.module_id AND c.completed_at >= o.due)
                """) ?? 0
            return v
        }
    }

    /// The newest delivery attempt's row id: where a metrics reader starts, so it counts only what happens from now on.
    public func lastDeliveryAttemptRowID() throws -> Int64 {
        try pool.read { db in try Int64.fetchOne(db, sql: "SELECT max(rowid) FROM delivery_attempt") ?? 0 }
    }

    /// Delivery attempts recorded after `rowID`, oldest first, with the endpoint and how the attempt
    /// ended; returns them and the row id to continue from.
    public func deliveryAttempts(after rowID: Int64, limit: Int = 10_000) throws -> ([DeliveryAttemptSample], Int64) {
        try pool.read { db in
            var last = rowID
            let samples = try Row.fetchAll(db, sql: """
                SELECT d.rowid, o.endpoint, d.status, d.duration_ms, d.attempt, o.attempts, o.state
                FROM delivery_attempt d JOIN outbox o ON o.id = d.message_id
                WHERE d.rowid > ? ORDER BY d.rowid LIMIT ?
                """, arguments: [rowID, limit]).map { row -> DeliveryAttemptSample in
                last = max(last, row[0])
                let status: Int? = row[2]
                let outcome: String
                let last = (row[4] as Int) == (row[5] as Int)
                if let s = status, (200..<300).contains(s) {
                    outcome = "delivered"
                } else if (row[6] as String) == "delivered" && last {
                    outcome = "delivered" // an LRS's 409: it holds the statement already
                } else if (row[6] as String) == "dead" && last {
                    outcome = "dead"
                } else {
                    outcome = "retry"
                }
                return DeliveryAttemptSample(endpoint: row[1], outcome: outcome, durationMs: row[3])
            }
            return (samples, last)
        }
    }
}
