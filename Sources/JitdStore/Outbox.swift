import Foundation
import GRDB
import JitdCore

/// Where a message of the outbox is in its life: pending → leased → delivered | pending (retry)
/// | dead | expired; cancelled by the planner or an API action.
public enum OutboxState: String, Sendable, Hashable, CaseIterable {
    case pending, leased, delivered, dead, expired, cancelled
}

/// A queued webhook message for one endpoint.
public struct OutboxMessage: Sendable, Hashable {
    public var id: Int64
    public var eventID: String
    public var endpoint: String
    public var type: String
    public var assignmentID: String?
    public var body: Data
    public var runAt: Instant
    public var expiresAt: Instant?
    public var state: OutboxState
    /// The attempt this lease is for (1 for the first).
    public var attempts: Int
    public var lastError: String?
    public var createdAt: Instant

    init(row: Row) {
        id = row["id"]
        eventID = row["event_id"]
        endpoint = row["endpoint"]
        type = row["type"]
        assignmentID = row["assignment_id"]
        body = row["body"]
        runAt = Instant(seconds: row["run_at"])
        expiresAt = (row["expires_at"] as Int64?).map(Instant.init(seconds:))
        state = OutboxState(rawValue: row["state"]) ?? .pending
        attempts = row["attempts"]
        lastError = row["last_error"]
        createdAt = Instant(seconds: row["created_at"])
    }
}

/// One recorded attempt to deliver a message.
public struct DeliveryAttempt: Sendable, Equatable {
    public var attempt: Int
    public var at: Instant
    public var status: Int?
    public var error: String?
    public var durationMs: Int
}

/// How one delivery attempt ended, as the dispatcher reports it.
public struct DeliveryResult: Sendable {
    public enum Outcome: Sendable, Equatable {
        case delivered
        /// Try again at this time.
        case retry(at: Instant)
        /// Never try again (kept for inspection and redelivery).
        case dead
        /// The receiver answered 410 Gone: the endpoint is disabled until an operator enables
        /// it again; the message waits in the queue.
        case endpointGone
    }
    public var outcome: Outcome
    public var status: Int?
    public var error: String?
    public var durationMs: Int

    public init(outcome: Outcome, status: Int?, error: String?, durationMs: Int) {
        self.outcome = outcome
        self.status = status
        self.error = error
        self.durationMs = durationMs
    }
}

extension Store {
    /// Queues one message per endpoint, in the caller's transaction, not before the event's
    /// `notBefore`. A second enqueue of the same event for the same endpoint is ignored
    /// (`UNIQUE(event_id, endpoint)`).
    /// `replacingPending` first drops a pending message of the same event and endpoint (one
    /// queued earlier in the same transaction, with less to say).
    static func enqueue(_ db: Database, _ e: WebhookEvent, endpoints: [String], runAt: Instant, replacingPending: Bool = false) throws {
        let runAt = max(runAt, e.notBefore ?? runAt)
        for endpoint in endpoints {
            if replacingPending {
                try db.execute(sql: "DELETE FROM outbox WHERE event_id = ? AND endpoint = ? AND state = 'pending'", arguments: [e.id, endpoint])
            }
            try db.execute(sql: """
                INSERT INTO outbox (event_id, endpoint, type, assignment_id, body, run_at, expires_at, state, created_at, updated_at)
                VALUES (?, ?, ?, ?, ?, ?, ?, 'pending', ?, ?)
                ON CONFLICT(event_id, endpoint) DO NOTHING
                """, arguments: [e.id, endpoint, e.type, e.assignmentID, e.body, runAt.seconds, e.expiresAt?.seconds,
                                 e.timestamp.seconds, e.timestamp.seconds])
        }
    }

    /// Queues events outside any other change (e.g. `staffing.below_minimum`).
    public func enqueue(_ events: [(WebhookEvent, [String])], runAt: Instant) throws {
        try pool.write { db in
            for (e, endpoints) in events { try Self.enqueue(db, e, endpoints: endpoints, runAt: runAt) }
        }
    }

    /// Leases up to `limit` due messages of one endpoint, oldest first (see ``OutboxSQL/claim``).
    public func claimDue(now: Instant, limit: Int, leaseSeconds: Int64, endpoint: String) throws -> [OutboxMessage] {
        try pool.write { db in
            var expired = 0
            return try OutboxSQL.claim(db, endpoint: endpoint, now: now, limit: limit, leaseSeconds: leaseSeconds, expired: &expired)
        }
    }

    /// Records an attempt's result (see ``OutboxSQL/finish``).
    public func finish(_ m: OutboxMessage, _ r: DeliveryResult, now: Instant) throws {
        try pool.write { db in try OutboxSQL.finish(db, m, r, now: now) }
    }

    /// Messages in a state, newest first.
    public func messages(state: OutboxState, endpoint: String? = nil, limit: Int = 1000) throws -> [OutboxMessage] {
        try pool.read { db in
            try Row.fetchAll(db, sql: """
                SELECT * FROM outbox WHERE state = ? AND (? IS NULL OR endpoint = ?) ORDER BY id DESC LIMIT ?
                """, arguments: [state.rawValue, endpoint, endpoint, limit]).map(OutboxMessage.init(row:))
        }
    }

    /// Puts dead messages back in the queue now; returns how many.
    @discardableResult
    public func redeliver(ids: [Int64]? = nil, endpoint: String? = nil, now: Instant) throws -> Int {
        try pool.write { db in
            if let ids {
                var changed = 0
                for id in ids {
                    try db.execute(sql: "UPDATE outbox SET state = 'pending', run_at = ?, updated_at = ? WHERE id = ? AND state = 'dead'",
                                   arguments: [now.seconds, now.seconds, id])
                    changed += db.changesCount
                }
                return changed
            }
            try db.execute(sql: "UPDATE outbox SET state = 'pending', run_at = ?, updated_at = ? WHERE state = 'dead' AND (? IS NULL OR endpoint = ?)",
                           arguments: [now.seconds, now.seconds, endpoint, endpoint])
            return db.changesCount
        }
    }

    /// One message and every attempt made to deliver it, oldest first.
    public func message(id: Int64) throws -> (OutboxMessage, [DeliveryAttempt])? {
        try pool.read { db in
            guard let row = try Row.fetchOne(db, sql: "SELECT * FROM outbox WHERE id = ?", arguments: [id]) else { return nil }
            let attempts = try Row.fetchAll(db, sql: """
                SELECT attempt, at, status, error, duration_ms FROM delivery_attempt WHERE message_id = ? ORDER BY attempt
                """, arguments: [id]).map { r in
                DeliveryAttempt(attempt: r[0], at: Instant(seconds: r[1]), status: r[2], error: r[3], durationMs: r[4])
            }
            return (OutboxMessage(row: row), attempts)
        }
    }

    /// Counts of messages by state.
    public func queueCounts() throws -> [String: Int] {
        try pool.read { db in
            var out: [String: Int] = [:]
            for row in try Row.fetchAll(db, sql: "SELECT state, count(*) AS n FROM outbox GROUP BY state") { out[row["state"]] = row["n"] }
            return out
        }
    }

    /// Counts of messages by endpoint and state.
    public func queueCountsByEndpoint() throws -> [String: [String: Int]] {
        try pool.read { db in
            var out: [String: [String: Int]] = [:]
            for row in try Row.fetchAll(db, sql: "SELECT endpoint, state, count(*) FROM outbox GROUP BY endpoint, state") {
                out[row[0], default: [:]][row[1]] = row[2]
            }
            return out
        }
    }

    /// The earliest time a pending message falls due, for the dispatcher's sleep.
    public func nextDue(endpoint: String) throws -> Instant? {
        try pool.read { db in
            try Int64.fetchOne(db, sql: "SELECT min(run_at) FROM outbox WHERE state = 'pending' AND endpoint = ?",
                               arguments: [endpoint]).map(Instant.init(seconds:))
        }
    }

    /// Messages for endpoints no longer configured can never be delivered: they go to dead.
    @discardableResult
    public func killOrphans(endpoints: [String], now: Instant) throws -> Int {
        try pool.write { db in
            let list = endpoints.map { "'" + $0.replacingOccurrences(of: "'", with: "''") + "'" }.joined(separator: ",")
            try db.execute(sql: """
                UPDATE outbox SET state = 'dead', last_error = 'endpoint removed from the config', updated_at = ?
                WHERE state IN ('pending', 'leased') AND endpoint NOT IN (\(list.isEmpty ? "''" : list))
                """, arguments: [now.seconds])
            return db.changesCount
        }
    }
}

extension Store {
    /// Deletes dead messages last touched before `cutoff`; returns how many.
    @discardableResult
    public func purgeDead(before cutoff: Instant) throws -> Int {
        try pool.write { db in
            try db.execute(sql: "DELETE FROM outbox WHERE state = 'dead' AND updated_at < ?", arguments: [cutoff.seconds])
            return db.changesCount
        }
    }
}

extension Store {
    /// Queues `staffing.below_minimum` once per shortage. A window of a unit and role that meets
    /// or overlaps one announced before (a re-plan sees the same shortage with its start moved
    /// to now, or its shortfall changed) extends it silently; a new one is recorded and its
    /// events queued, in one transaction. Rows that ended a week ago are forgotten. Returns how
    /// many were announced.
    @discardableResult
    public func announceShortages(_ windows: [UnderstaffedWindow], now: Instant,
                                  events: (UnderstaffedWindow) -> [(WebhookEvent, [String])]) throws -> Int {
        try pool.write { db in
            try db.execute(sql: "DELETE FROM shortage WHERE last_end < ?", arguments: [now.seconds - 7 * 86_400])
            var announced = 0
            for w in windows {
                let known = try Int64.fetchOne(db, sql: """
                    SELECT id FROM shortage WHERE unit = ? AND role = ? AND first_start <= ? AND last_end >= ? ORDER BY id LIMIT 1
                    """, arguments: [w.unit, w.role, w.interval.end.seconds, w.interval.start.seconds])
                if let known {
                    try db.execute(sql: "UPDATE shortage SET last_end = max(last_end, ?) WHERE id = ?", arguments: [w.interval.end.seconds, known])
                    continue
                }
                try db.execute(sql: """
                    INSERT INTO shortage (unit, role, first_start, last_end, short_by, announced_at) VALUES (?, ?, ?, ?, ?, ?)
                    """, arguments: [w.unit, w.role, w.interval.start.seconds, w.interval.end.seconds, w.shortBy, now.seconds])
                for (event, endpoints) in events(w) { try Self.enqueue(db, event, endpoints: endpoints, runAt: now) }
                announced += 1
            }
            return announced
        }
    }
}
