import Foundation
import GRDB
import JitdCore

/// An endpoint's recent deliveries, as the console's operations page shows them.
public struct EndpointActivity: Sendable, Hashable {
    public init() {}
    /// Failed attempts since the last success (the circuit breaker opens at its threshold).
    public var failuresInARow = 0
    public var lastAttemptAt: Instant?
    public var lastStatus: Int?
    /// The latest failed attempt's error (or HTTP status), if any.
    public var lastError: String?
    public var lastErrorAt: Instant?
    public var lastSuccessAt: Instant?
}

/// What the console's pages read, beyond what the API reads.
extension Store {
    /// Shifts and busy blocks of one unit that overlap `window`.
    public func shifts(unit: String, overlapping window: Interval) throws -> [Shift] {
        try pool.read { db in
            try Row.fetchAll(db, sql: """
                SELECT s.* FROM \(Self.shiftsOverlapping) AND d.unit = ?3 ORDER BY s.start, s.staff_id, s.kind
                """, arguments: [window.start.seconds, window.end.seconds, unit]).map(Self.shift)
        }
    }

    /// Shifts and busy blocks of one person that overlap `window`.
    public func shifts(staffID: String, overlapping window: Interval) throws -> [Shift] {
        try pool.read { db in
            try Row.fetchAll(db, sql: """
                SELECT s.* FROM \(Self.shiftsOverlapping) AND s.staff_id = ?3 ORDER BY s.start, s.kind
                """, arguments: [window.start.seconds, window.end.seconds, staffID]).map(Self.shift)
        }
    }

    static func shift(_ row: Row) -> Shift {
        Shift(staffID: row["staff_id"], role: row["role"], unit: row["unit"], kind: ShiftKind(rawValue: row["kind"]) ?? .shift,
              interval: Interval(row: row), name: row["name"])
    }

    /// A person's latest completion of each module.
    public func latestCompletions(staffID: String) throws -> [String: Instant] {
        try pool.read { db in
            var out: [String: Instant] = [:]
            for row in try Row.fetchAll(db, sql: "SELECT module_id, max(completed_at) FROM completion WHERE staff_id = ? GROUP BY module_id",
                                        arguments: [staffID]) {
                out[row[0]] = Instant(seconds: row[1])
            }
            return out
        }
    }

    /// Whether a person was ever on a roster.
    public func knowsStaff(_ staffID: String) throws -> Bool {
        try pool.read { db in try Bool.fetchOne(db, sql: "SELECT 1 FROM staff WHERE staff_id = ?", arguments: [staffID]) ?? false }
    }

    /// Each endpoint's recent deliveries, from its latest attempts (read newest first, at most
    /// `scan` per endpoint).
    public func endpointActivity(_ endpoints: [String], scan: Int = 200) throws -> [String: EndpointActivity] {
        try pool.read { db in
            var out: [String: EndpointActivity] = [:]
            let st = try db.makeStatement(sql: """
                SELECT a.at, a.status, a.error FROM delivery_attempt a JOIN outbox o ON o.id = a.message_id
                WHERE o.endpoint = ? ORDER BY a.rowid DESC LIMIT ?
                """)
            for e in endpoints {
                var activity = EndpointActivity()
                var counting = true
                for row in try Row.fetchAll(st, arguments: [e, scan]) {
                    let at = Instant(seconds: row[0])
                    let status: Int? = row[1]
                    let error: String? = row[2]
                    if activity.lastAttemptAt == nil { activity.lastAttemptAt = at; activity.lastStatus = status }
                    let ok = status.map { (200..<300).contains($0) } ?? false
                    if ok {
                        if activity.lastSuccessAt == nil { activity.lastSuccessAt = at }
                        counting = false
                    } else {
                        if counting { activity.failuresInARow += 1 }
                        if activity.lastError == nil {
                            activity.lastError = error ?? status.map { "HTTP \($0)" } ?? "no answer"
                            activity.lastErrorAt = at
                        }
                    }
                    if !counting && activity.lastError != nil { break }
                }
                out[e] = activity
            }
            return out
        }
    }

    /// Dead messages of every endpoint, newest first, without their attempts.
    public func deadMessages(limit: Int) throws -> [(OutboxMessage, Instant)] {
        try pool.read { db in
            try Row.fetchAll(db, sql: "SELECT * FROM outbox WHERE state = 'dead' ORDER BY id DESC LIMIT ?", arguments: [limit]).map {
                (OutboxMessage(row: $0), Instant(seconds: $0["updated_at"]))
            }
        }
    }

    public func deadMessageCount() throws -> Int {
        try pool.read { db in try Int.fetchOne(db, sql: "SELECT count(*) FROM outbox WHERE state = 'dead'") ?? 0 }
    }
}

extension Store {
    /// A module's live assignments (planned, notified, acknowledged) that end after `now`, by end.
    public func liveAssignments(moduleID: String, endingAfter now: Instant) throws -> [Assignment] {
        try pool.read { db in
            try Row.fetchAll(db, sql: """
                SELECT * FROM assignment WHERE module_id = ? AND state IN ('planned', 'notified', 'acknowledged') AND "end" > ?
                ORDER BY "end", id
                """, arguments: [moduleID, now.seconds]).map(Self.assignment)
        }
    }

    /// Per module: people with a live session ending after `now`, and the latest plan's unmet needs.
    public func moduleCounts(now: Instant) throws -> [String: (scheduled: Int, unmet: Int)] {
        try pool.read { db in
            var out: [String: (scheduled: Int, unmet: Int)] = [:]
            for row in try Row.fetchAll(db, sql: """
                SELECT module_id, count(DISTINCT staff_id) FROM assignment
                WHERE state IN ('planned', 'notified', 'acknowledged') AND "end" > ? GROUP BY module_id
                """, arguments: [now.seconds]) {
                out[row[0], default: (0, 0)].scheduled = row[1]
            }
            for row in try Row.fetchAll(db, sql: "SELECT module_id, count(*) FROM plan_unmet GROUP BY module_id") {
                out[row[0], default: (0, 0)].unmet = row[1]
            }
            return out
        }
    }
}
