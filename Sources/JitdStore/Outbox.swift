import Foundation
import GRDB
import JitdCore

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
    public var state: String
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
        state = row["state"]
        attempts = row["attempts"]
        lastError = row["last_error"]
        createdAt = Instant(seconds: row["created_at"])
    }
}

/// How one delivery attempt ended, as the dispatcher reports it.
public struct DeliveryResult: Sendable {
    public enum Outcome: Sendable, Equatable {
        case delivered
        /// Try again at this time.
        case retry(at: Instant)
        /// Never try again (kept for inspection and redelivery).
        case dead
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
    /// Queues one message per endpoint, in the caller's transaction. A second enqueue of the same
    /// event for the same endpoint is ignored (`UNIQUE(event_id, endpoint)`).
    static func enqueue(_ db: Database, _ e: WebhookEvent, endpoints: [String], runAt: Instant) throws {
        for endpoint in endpoints {
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

    /// Leases up to `limit` due messages of one endpoint, oldest first.
    ///
    /// In the same transaction: `assignment.*` messages whose assignment has started expire
    /// (and the assignment with them, so the planner can place the need again), and the
    /// assignments of leased `assignment.scheduled` messages become `notified`.
    public func claimDue(now: Instant, limit: Int, leaseSeconds: Int64, endpoint: String) throws -> [OutboxMessage] {
        try pool.write { db in
            try expireLate(db, now: now)
            let rows = try Row.fetchAll(db, sql: """
                SELECT * FROM outbox WHERE state = 'pending' AND endpoint = ? AND run_at <= ? ORDER BY run_at, id LIMIT ?
                """, arguments: [endpoint, now.seconds, limit])
            var out: [OutboxMessage] = []
            for row in rows {
                var m = OutboxMessage(row: row)
                m.attempts += 1
                m.state = "leased"
                try db.execute(sql: "UPDATE outbox SET state = 'leased', attempts = ?, lease_until = ?, updated_at = ? WHERE id = ?",
                               arguments: [m.attempts, now.seconds + leaseSeconds, now.seconds, m.id])
                if m.type == "assignment.scheduled", let a = m.assignmentID {
                    try db.execute(sql: "UPDATE assignment SET state = 'notified', updated_at = ? WHERE id = ? AND state = 'planned'",
                                   arguments: [now.seconds, a])
                }
                out.append(m)
            }
            return out
        }
    }

    /// `assignment.*` messages that can no longer arrive before their assignment starts.
    private func expireLate(_ db: Database, now: Instant) throws {
        let late = try Row.fetchAll(db, sql: """
            SELECT id, assignment_id FROM outbox WHERE state = 'pending' AND expires_at IS NOT NULL AND expires_at <= ?
            """, arguments: [now.seconds])
        for row in late {
            try db.execute(sql: "UPDATE outbox SET state = 'expired', updated_at = ? WHERE id = ?", arguments: [now.seconds, row["id"] as Int64])
            if let a: String = row["assignment_id"] {
                try db.execute(sql: """
                    UPDATE assignment SET state = 'expired', reason = 'notification_late', updated_at = ?
                    WHERE id = ? AND state IN ('planned', 'notified')
                    """, arguments: [now.seconds, a])
            }
        }
    }

    /// Records an attempt's result. Ignored when the lease is no longer this attempt's
    /// (a late answer after the lease expired and another attempt began).
    public func finish(_ m: OutboxMessage, _ r: DeliveryResult, now: Instant) throws {
        try pool.write { db in
            let current = try Int.fetchOne(db, sql: "SELECT attempts FROM outbox WHERE id = ? AND state = 'leased'", arguments: [m.id])
            guard current == m.attempts else { return }
            try db.execute(sql: "INSERT OR REPLACE INTO delivery_attempt (message_id, attempt, at, status, error, duration_ms) VALUES (?, ?, ?, ?, ?, ?)",
                           arguments: [m.id, m.attempts, now.seconds, r.status, r.error, r.durationMs])
            switch r.outcome {
            case .delivered:
                try db.execute(sql: "UPDATE outbox SET state = 'delivered', lease_until = NULL, last_error = NULL, updated_at = ? WHERE id = ?",
                               arguments: [now.seconds, m.id])
            case .retry(let at):
                try db.execute(sql: "UPDATE outbox SET state = 'pending', run_at = ?, lease_until = NULL, last_error = ?, updated_at = ? WHERE id = ?",
                               arguments: [at.seconds, r.error, now.seconds, m.id])
            case .dead:
                try db.execute(sql: "UPDATE outbox SET state = 'dead', lease_until = NULL, last_error = ?, updated_at = ? WHERE id = ?",
                               arguments: [r.error, now.seconds, m.id])
            }
        }
    }

    /// Returns leases that outlived a crash or a hung request to the queue. Returns how many.
    @discardableResult
    public func recoverLeases(now: Instant) throws -> Int {
        try pool.write { db in
            try db.execute(sql: "UPDATE outbox SET state = 'pending', lease_until = NULL, updated_at = ? WHERE state = 'leased' AND lease_until <= ?",
                           arguments: [now.seconds, now.seconds])
            return db.changesCount
        }
    }

    /// Messages in a state, newest first.
    public func messages(state: String, endpoint: String? = nil, limit: Int = 1000) throws -> [OutboxMessage] {
        try pool.read { db in
            try Row.fetchAll(db, sql: """
                SELECT * FROM outbox WHERE state = ? AND (? IS NULL OR endpoint = ?) ORDER BY id DESC LIMIT ?
                """, arguments: [state, endpoint, endpoint, limit]).map(OutboxMessage.init(row:))
        }
    }

    /// Puts dead messages back in the queue now; returns how many.
    @discardableResult
    public func redeliver(ids: [Int64]? = nil, endpoint: String? = nil, now: Instant) throws -> Int {
        try pool.write { db in
            if let ids {
                for id in ids {
                    try db.execute(sql: "UPDATE outbox SET state = 'pending', run_at = ?, updated_at = ? WHERE id = ? AND state = 'dead'",
                                   arguments: [now.seconds, now.seconds, id])
                }
                return ids.count
            }
            try db.execute(sql: "UPDATE outbox SET state = 'pending', run_at = ?, updated_at = ? WHERE state = 'dead' AND (? IS NULL OR endpoint = ?)",
                           arguments: [now.seconds, now.seconds, endpoint, endpoint])
            return db.changesCount
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
