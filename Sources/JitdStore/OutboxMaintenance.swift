import Foundation
import GRDB
import JitdCore

/// What the dispatcher's sweeper does to the outbox besides delivering: expiring messages that
/// can no longer arrive in time, returning leases that outlived a crash, giving up on messages
/// past their age, pruning settled rows, and keeping the state of endpoints a receiver retired.
extension Store {
    /// Expires pending `assignment.*` messages whose assignment has started (and the assignments,
    /// so the planner places the needs again). Returns how many.
    @discardableResult
    public func expireLate(now: Instant) throws -> Int {
        // The sweeper asks every second: look first, so an idle daemon never takes the write lock.
        let any = try pool.read { db in
            try Bool.fetchOne(db, sql: """
                SELECT EXISTS (SELECT 1 FROM outbox WHERE state = 'pending' AND expires_at IS NOT NULL AND expires_at <= ?)
                """, arguments: [now.seconds]) ?? false
        }
        guard any else { return 0 }
        return try pool.write { db in
            let late = try Row.fetchAll(db, sql: """
                SELECT id, assignment_id FROM outbox WHERE state = 'pending' AND expires_at IS NOT NULL AND expires_at <= ?
                """, arguments: [now.seconds])
            for row in late { try OutboxSQL.expire(db, id: row["id"], assignmentID: row["assignment_id"], now: now) }
            return late.count
        }
    }

    /// Returns leases to the queue: those that outlived a hung request, or (`all`, at start-up,
    /// when no other process can hold one) every lease, since the process that held them is gone.
    @discardableResult
    public func recoverLeases(now: Instant, all: Bool = false) throws -> Int {
        try pool.write { db in
            // The request of such a lease may have gone out and reached the receiver.
            try db.execute(sql: """
                UPDATE outbox SET state = 'pending', lease_until = NULL, updated_at = ?, maybe_delivered = 1
                WHERE state = 'leased' AND (? OR lease_until <= ?)
                """, arguments: [now.seconds, all, now.seconds])
            return db.changesCount
        }
    }

    /// Pending messages created before `cutoff` go to dead: retrying them longer would only
    /// deliver news too old to act on. Returns how many.
    @discardableResult
    public func giveUpStale(createdBefore cutoff: Instant, now: Instant) throws -> Int {
        try pool.write { db in
            try db.execute(sql: """
                UPDATE outbox SET state = 'dead', last_error = 'gave up: older than the queue''s max_age_hours; ' || coalesce(last_error, 'never delivered'),
                    updated_at = ?
                WHERE state = 'pending' AND created_at < ?
                """, arguments: [now.seconds, cutoff.seconds])
            return db.changesCount
        }
    }

    /// Deletes delivered, expired and cancelled messages (and their attempts) settled before
    /// `cutoff`, at most `limit` per call so the writer is never held long. Returns how many.
    @discardableResult
    public func pruneSettled(before cutoff: Instant, limit: Int = 5_000) throws -> Int {
        try pool.write { db in
            try db.execute(sql: """
                DELETE FROM outbox WHERE id IN (
                    SELECT id FROM outbox WHERE state IN ('delivered', 'expired', 'cancelled') AND updated_at < ? LIMIT ?)
                """, arguments: [cutoff.seconds, limit])
            return db.changesCount
        }
    }
}

/// An endpoint a receiver retired with 410 Gone, until an operator enables it again.
public struct DisabledEndpoint: Sendable, Equatable {
    public var name: String
    public var since: Instant
    public var reason: String
}

extension Store {
    /// Endpoints disabled by a 410 answer, by name.
    public func disabledEndpoints() throws -> [String: DisabledEndpoint] {
        try pool.read { db in
            var out: [String: DisabledEndpoint] = [:]
            for row in try Row.fetchAll(db, sql: "SELECT endpoint, disabled_at, reason FROM endpoint_state WHERE disabled_at IS NOT NULL") {
                let d = DisabledEndpoint(name: row[0], since: Instant(seconds: row[1]), reason: row[2] ?? "")
                out[d.name] = d
            }
            return out
        }
    }

    /// Enables an endpoint again (its waiting messages go out at once); returns whether it was disabled.
    @discardableResult
    public func enableEndpoint(_ name: String, now: Instant) throws -> Bool {
        try pool.write { db in
            let was = try Bool.fetchOne(db, sql: "SELECT disabled_at IS NOT NULL FROM endpoint_state WHERE endpoint = ?", arguments: [name]) ?? false
            try OutboxSQL.setEndpoint(db, name, disabledBecause: nil, now: now)
            try db.execute(sql: "UPDATE outbox SET run_at = min(run_at, ?) WHERE endpoint = ? AND state = 'pending'", arguments: [now.seconds, name])
            return was
        }
    }

    /// Disables an endpoint by hand (an operator retiring a receiver for maintenance).
    public func disableEndpoint(_ name: String, reason: String, now: Instant) throws {
        try pool.write { db in try OutboxSQL.setEndpoint(db, name, disabledBecause: reason, now: now) }
    }
}
