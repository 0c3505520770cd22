import Foundation
import GRDB
import JitdCore

/// The outbox's state changes, each inside a transaction the caller owns, so that
/// ``OutboxWriter`` can commit many of them at once.
///
/// States: pending → leased → delivered | pending (retry) | dead | expired; cancelled by the
/// planner. A lease carries the attempt number, so the answer of an attempt whose lease ran
/// out (and was tried again) cannot overwrite the newer attempt's outcome.
public enum OutboxSQL {
    /// Leases up to `limit` due messages of one endpoint, oldest first.
    ///
    /// `assignment.*` messages whose assignment has started expire instead (see ``expire(_:id:assignmentID:now:)``;
    /// `expired` counts them). Leasing tells nobody anything: an assignment becomes `notified`
    /// when a message of it is delivered (``finish(_:_:_:now:)``).
    public static func claim(_ db: Database, endpoint: String, now: Instant, limit: Int, leaseSeconds: Int64,
                             expired: inout Int) throws -> [OutboxMessage] {
        let due = try db.cachedStatement(sql: """
            SELECT * FROM outbox WHERE endpoint = ? AND state = 'pending' AND run_at <= ? ORDER BY run_at, id LIMIT ?
            """)
        let rows = try Row.fetchAll(due, arguments: [endpoint, now.seconds, limit])
        var out: [OutboxMessage] = []
        for row in rows {
            var m = OutboxMessage(row: row)
            if let e = m.expiresAt, e <= now {
                try expire(db, id: m.id, assignmentID: m.assignmentID, now: now)
                expired += 1
                continue
            }
            m.attempts += 1
            m.state = .leased
            try db.cachedStatement(sql: "UPDATE outbox SET state = 'leased', attempts = ?, lease_until = ?, updated_at = ? WHERE id = ?")
                .execute(arguments: [m.attempts, now.seconds + leaseSeconds, now.seconds, m.id])
            out.append(m)
        }
        return out
    }

    /// Records an attempt's result. Ignored when the lease is no longer this attempt's.
    public static func finish(_ db: Database, _ m: OutboxMessage, _ r: DeliveryResult, now: Instant) throws {
        let current = try Int.fetchOne(db.cachedStatement(sql: "SELECT attempts FROM outbox WHERE id = ? AND state = 'leased'"),
                                       arguments: [m.id])
        guard current == m.attempts else { return }
        try db.cachedStatement(sql: """
            INSERT OR REPLACE INTO delivery_attempt (message_id, attempt, at, status, error, duration_ms) VALUES (?, ?, ?, ?, ?, ?)
            """).execute(arguments: [m.id, m.attempts, now.seconds, r.status, r.error, r.durationMs])
        let (state, runAt): (String, Int64?) = switch r.outcome {
        case .delivered: ("delivered", nil)
        case .retry(let at): ("pending", at.seconds)
        case .dead: ("dead", nil)
        case .endpointGone: ("pending", nil)
        }
        try db.cachedStatement(sql: """
            UPDATE outbox SET state = ?, run_at = coalesce(?, run_at), lease_until = NULL, last_error = ?, updated_at = ? WHERE id = ?
            """).execute(arguments: [state, runAt, r.error, now.seconds, m.id])
        if r.outcome == .delivered, m.type == "assignment.scheduled", let a = m.assignmentID {
            try db.cachedStatement(sql: "UPDATE assignment SET state = 'notified', updated_at = ? WHERE id = ? AND state = 'planned'")
                .execute(arguments: [now.seconds, a])
            try releaseStatements(db, assignmentID: a, now: now)
        }
        if r.outcome == .endpointGone {
            try setEndpoint(db, m.endpoint, disabledBecause: r.error ?? "410 Gone", now: now)
        }
    }

    /// The person was told of the session `assignmentID`: its held xAPI statements (`scheduled`,
    /// queued with the plan, due and expiring at the session's start) are due now and no longer
    /// expire, and leave the assignment's life: a later decline or cancellation of the session
    /// must not cancel the record that it was scheduled.
    public static func releaseStatements(_ db: Database, assignmentID: String, now: Instant) throws {
        try db.cachedStatement(sql: """
            UPDATE outbox SET run_at = min(run_at, ?1), expires_at = NULL, assignment_id = NULL, updated_at = ?1
            WHERE assignment_id = ?2 AND state = 'pending' AND type LIKE 'xapi.%'
            """).execute(arguments: [now.seconds, assignmentID])
    }

    /// Returns a leased message to the queue without counting the attempt (it was never sent:
    /// the endpoint's circuit opened or it was disabled while the message waited its turn).
    public static func release(_ db: Database, _ m: OutboxMessage, now: Instant) throws {
        try db.execute(sql: """
            UPDATE outbox SET state = 'pending', attempts = attempts - 1, lease_until = NULL, updated_at = ?
            WHERE id = ? AND state = 'leased' AND attempts = ?
            """, arguments: [now.seconds, m.id, m.attempts])
    }

    /// Expires a message that can no longer arrive before its assignment starts. The assignment
    /// expires with it (and the planner places the need again) only when no endpoint told the
    /// person: it is still `planned` and no other `assignment.scheduled` of it is on its way. An
    /// assignment another endpoint delivered stays `notified`: the person was told, and the time
    /// is theirs.
    static func expire(_ db: Database, id: Int64, assignmentID: String?, now: Instant) throws {
        try db.execute(sql: "UPDATE outbox SET state = 'expired', updated_at = ? WHERE id = ?", arguments: [now.seconds, id])
        if let a = assignmentID {
            try db.execute(sql: """
                UPDATE assignment SET state = 'expired', reason = 'notification_late', updated_at = ?1
                WHERE id = ?2 AND state = 'planned' AND NOT EXISTS (SELECT 1 FROM outbox WHERE assignment_id = ?2
                    AND type = 'assignment.scheduled' AND state IN ('pending', 'leased', 'delivered'))
                """, arguments: [now.seconds, a])
        }
    }

    /// Disables an endpoint (`reason` set) or enables it again (`reason` nil).
    static func setEndpoint(_ db: Database, _ name: String, disabledBecause reason: String?, now: Instant) throws {
        try db.execute(sql: """
            INSERT INTO endpoint_state (endpoint, disabled_at, reason) VALUES (?, ?, ?)
            ON CONFLICT(endpoint) DO UPDATE SET disabled_at = excluded.disabled_at, reason = excluded.reason
            """, arguments: [name, reason == nil ? nil : now.seconds, reason])
    }
}
