import Foundation
import GRDB
import JitdCore

/// What saving a plan changed: the measure of churn between runs.
public struct PlanChange: Sendable, Equatable {
    public var added = 0
    public var removed = 0
    public var kept = 0
    public var cancelled = 0
    /// Planned assignments no longer in the plan but kept, because their due message is a
    /// commitment (the planner should have been given them; see ``Store/committedAssignments(endingAfter:)``).
    public var held = 0
}

/// An assignment with its state, as the store keeps it.
public struct StoredAssignment: Sendable, Hashable {
    public var assignment: Assignment
    public var state: AssignmentState
    public var reason: String?
    public var updatedAt: Instant
}

extension Store {
    /// Assignments the planner must keep unless they became impossible, and that have not ended:
    /// those people were told about (`notified`, `acknowledged`), and those whose
    /// `assignment.scheduled` is a commitment of the outbox (``isCommitmentSQL``) although no
    /// endpoint has taken it yet.
    public func committedAssignments(endingAfter now: Instant) throws -> [Assignment] {
        try pool.read { db in
            try Row.fetchAll(db, sql: """
                SELECT * FROM assignment a WHERE "end" > ?1
                AND (state IN ('notified', 'acknowledged') OR (state = 'planned' AND \(Self.isCommitmentSQL)))
                ORDER BY start, id
                """, arguments: [now.seconds]).map { Self.assignment($0) }
        }
    }

    /// Team members (drills and classes) not yet started whose `assignment.scheduled` no endpoint
    /// has accepted: queued, in flight, or sent with no answer (`notified` because the request
    /// may have arrived). `PlanningInput.unconfirmed`.
    public func unconfirmedTeamMembers(startingAfter now: Instant) throws -> Set<String> {
        try pool.read { db in
            Set(try String.fetchAll(db, sql: """
                SELECT a.id FROM assignment a WHERE a.start > ? AND a.group_id IS NOT NULL AND a.state IN ('planned', 'notified')
                AND NOT EXISTS (SELECT 1 FROM outbox o WHERE o.assignment_id = a.id AND o.type = 'assignment.scheduled'
                                AND o.state = 'delivered')
                """, arguments: [now.seconds]))
        }
    }

    /// The last plan's sessions nobody has been told of: `planned` assignments that start after
    /// `now` and are not commitments (``isCommitmentSQL``). A re-plan starts from them and keeps
    /// as many as it can (`PlanningInput.previous`), so that the future does not reshuffle.
    public func uncommittedPlan(startingAfter now: Instant) throws -> [Assignment] {
        try pool.read { db in
            try Row.fetchAll(db, sql: """
                SELECT * FROM assignment a WHERE state = 'planned' AND start > ?1 AND NOT \(Self.isCommitmentSQL)
                ORDER BY start, id
                """, arguments: [now.seconds]).map { Self.assignment($0) }
        }
    }

    /// The bounds the drill teams `groups` were scheduled under (`PlanningInput.teamBounds`):
    /// the tightest of the catalogs in force when each of their members was saved.
    public func drillTeamBounds(of groups: Set<String>) throws -> [String: TeamBounds] {
        guard !groups.isEmpty else { return [:] }
        let ids = String(decoding: JSONValue.array(groups.sorted().map(JSONValue.string)).encoded(), as: UTF8.self)
        return try pool.read { db in
            var out: [String: TeamBounds] = [:]
            for row in try Row.fetchAll(db, sql: """
                SELECT group_id, group_min, group_max FROM drill_team WHERE group_id IN (SELECT value FROM json_each(?))
                """, arguments: [ids]) {
                out[row[0]] = TeamBounds(min: row[1], max: row[2])
            }
            return out
        }
    }

    /// What the planner must respect of the assignments already made, for a plan at `now` that
    /// looks back to `reach` (shifts that started up to a day ago):
    /// - `live`: the commitments that have not ended (``committedAssignments(endingAfter:)``);
    /// - `booked`: sessions that count toward their shift's caps and toward spacing whatever
    ///   becomes of them: commitments that ended, and completed or missed sessions;
    /// - `retiredIDs`: ids of cancelled, declined, expired or missed assignments that start
    ///   after `now`, which a new placement must not reuse.
    public func planningCommitments(now: Instant, reach: Instant) throws
        -> (live: [Assignment], booked: [Assignment], retiredIDs: Set<String>, unheardCancellations: [Assignment]) {
        let live = try committedAssignments(endingAfter: now)
        return try pool.read { db in
            let booked = try Row.fetchAll(db, sql: """
                SELECT * FROM assignment a WHERE "end" > ?2 AND (
                    state IN ('completed', 'missed')
                    OR ("end" <= ?1 AND (state IN ('notified', 'acknowledged') OR (state = 'planned' AND \(Self.isCommitmentSQL))))
                ) ORDER BY start, id
                """, arguments: [now.seconds, reach.seconds]).map { Self.assignment($0) }
            let retired = try String.fetchAll(db, sql: """
                SELECT id FROM assignment WHERE state IN ('cancelled', 'declined', 'expired', 'missed') AND start > ?
                """, arguments: [now.seconds])
            // Told (or maybe told: a request with no answer), cancelled, and no endpoint took the
            // cancellation before the start (`PlanningInput.unheardCancellations`).
            let unheard = try Row.fetchAll(db, sql: """
                SELECT * FROM assignment a WHERE a.state = 'cancelled' AND a."end" > ?1
                AND EXISTS (SELECT 1 FROM outbox o WHERE o.assignment_id = a.id AND o.type = 'assignment.scheduled'
                            AND (o.state = 'delivered' OR o.maybe_delivered))
                AND NOT EXISTS (SELECT 1 FROM outbox o WHERE o.assignment_id = a.id AND o.type = 'assignment.cancelled'
                                AND o.state = 'delivered' AND o.updated_at < a.start)
                ORDER BY start, id
                """, arguments: [reach.seconds]).map { Self.assignment($0) }
            return (live, booked, Set(retired), unheard)
        }
    }

    /// Whether the `planned` assignment `a` has an `assignment.scheduled` message that came due
    /// (its first send time passed, or it was tried) and is still on its way: queued for a retry,
    /// in flight, or delivered. Such a message is a commitment: a re-plan must not drop it, only
    /// the sweeper expires it at the assignment's start. `?1` is now.
    static let isCommitmentSQL = """
        EXISTS (SELECT 1 FROM outbox o WHERE o.assignment_id = a.id AND o.type = 'assignment.scheduled'
                AND o.state IN ('pending', 'leased', 'delivered') AND (o.run_at <= ?1 OR o.attempts > 0))
        """

    static func assignment(_ row: Row) -> Assignment {
        Assignment(id: row["id"], staffID: row["staff_id"], moduleID: row["module_id"], unit: row["unit"], role: row["role"],
                   interval: Interval(row: row), group: row["group_id"])
    }

    static func stored(_ row: Row) -> StoredAssignment {
        StoredAssignment(assignment: assignment(row), state: AssignmentState(rawValue: row["state"]) ?? .planned,
                         reason: row["reason"], updatedAt: Instant(seconds: row["updated_at"]))
    }

    /// Saves a plan in one transaction: planned assignments that left the plan are removed with
    /// their unsent messages; new ones are inserted with their `assignment.scheduled` messages due
    /// `leadSeconds` before the start (the unit's own lead when `unitLeadSeconds` names the unit);
    /// cancelled commitments are marked and announced.
    /// `teamBounds` gives the group bounds in force of the plan's drill teams (by group id): each
    /// new member tightens its team's record to them (``drillTeamBounds(of:)``).
    public func savePlan(_ plan: Plan, now: Instant, leadSeconds: Int64, unitLeadSeconds: [String: Int64] = [:],
                         teamBounds: [String: TeamBounds] = [:],
                         scheduled: @Sendable (Assignment) -> [(WebhookEvent, [String])],
                         cancelled: @Sendable (Assignment, String) -> [(WebhookEvent, [String])]) throws -> PlanChange {
        try pool.write { db in
            var change = PlanChange()
            let planned = Set(try String.fetchAll(db, sql: "SELECT id FROM assignment WHERE state = 'planned'"))
            let wanted = Set(plan.assignments.map(\.id))
            let cancelling = Set(plan.cancellations.map(\.assignment.id))
            // Those of the plan's assignments that people were told about (or that ended): looked
            // up by id, not by reading every past assignment, which grows with the years.
            let ids = String(decoding: JSONValue.array(wanted.sorted().map(JSONValue.string)).encoded(), as: UTF8.self)
            let known = Set(try String.fetchAll(db, sql: """
                SELECT id FROM assignment WHERE id IN (SELECT value FROM json_each(?)) AND state <> 'planned'
                """, arguments: [ids]))
            // A planned assignment that left the plan goes with its unsent messages, unless one of
            // them is a commitment (the planner was given those and keeps or cancels them; this
            // guard holds even if it was not).
            let drop = try db.makeStatement(sql: "DELETE FROM assignment AS a WHERE id = ?2 AND NOT \(Self.isCommitmentSQL)")
            for id in planned.subtracting(wanted).subtracting(cancelling).sorted() {
                try drop.execute(arguments: [now.seconds, id])
                guard db.changesCount > 0 else { change.held += 1; continue }
                try db.execute(sql: "DELETE FROM outbox WHERE assignment_id = ? AND state = 'pending'", arguments: [id])
                change.removed += 1
            }
            for a in plan.assignments where !known.contains(a.id) {
                if planned.contains(a.id) { change.kept += 1; continue }
                try db.execute(sql: """
                    INSERT INTO assignment (id, staff_id, module_id, unit, role, start, "end", group_id, state, created_at, updated_at)
                    VALUES (?, ?, ?, ?, ?, ?, ?, ?, 'planned', ?, ?)
                    """, arguments: [a.id, a.staffID, a.moduleID, a.unit, a.role, a.interval.start.seconds,
                                     a.interval.end.seconds, a.group, now.seconds, now.seconds])
                for (event, endpoints) in scheduled(a) {
                    try Self.enqueue(db, event, endpoints: endpoints, runAt: max(now, a.interval.start.adding(seconds: -(unitLeadSeconds[a.unit] ?? leadSeconds))))
                }
                if let g = a.group, let b = teamBounds[g] {
                    try db.execute(sql: """
                        INSERT INTO drill_team (group_id, group_min, group_max, start) VALUES (?1, ?2, ?3, ?4)
                        ON CONFLICT (group_id) DO UPDATE SET group_min = max(group_min, excluded.group_min),
                            group_max = CASE WHEN group_max IS NULL THEN excluded.group_max
                                             WHEN excluded.group_max IS NULL THEN group_max
                                             ELSE min(group_max, excluded.group_max) END
                        """, arguments: [g, b.min, b.max, a.interval.start.seconds])
                }
                change.added += 1
            }
            for c in plan.cancellations {
                // Whether anyone may have heard of it: told (notified, acknowledged), or a message
                // of it delivered or in flight. Only then does an `assignment.cancelled` follow.
                let told = try Bool.fetchOne(db, sql: """
                    SELECT state IN ('notified', 'acknowledged') OR EXISTS (SELECT 1 FROM outbox WHERE assignment_id = ?1
                        AND type = 'assignment.scheduled' AND state IN ('leased', 'delivered'))
                    FROM assignment WHERE id = ?1 AND state IN ('planned', 'notified', 'acknowledged')
                    """, arguments: [c.assignment.id])
                guard let told else { continue }
                try db.execute(sql: "UPDATE assignment SET state = 'cancelled', reason = ?, updated_at = ? WHERE id = ?",
                               arguments: [c.reason, now.seconds, c.assignment.id])
                try db.execute(sql: "UPDATE outbox SET state = 'cancelled', updated_at = ? WHERE assignment_id = ? AND state = 'pending'",
                               arguments: [now.seconds, c.assignment.id])
                if told {
                    for (event, endpoints) in cancelled(c.assignment, c.reason) {
                        try Self.enqueue(db, event, endpoints: endpoints, runAt: now)
                    }
                }
                change.cancelled += 1
            }
            try Self.saveUnmet(db, plan.unmet)
            try db.execute(sql: "DELETE FROM drill_team WHERE start < ?", arguments: [now.seconds - 7 * 86_400])
            return change
        }
    }

    /// Sessions people were told of (`notified`, `acknowledged`) that ended at or before `cutoff`
    /// without being completed become `missed`, with their unsent messages cancelled and the
    /// events `missed` returns queued, in one transaction. Their needs are placed again by the
    /// next plan; they still count toward their shift's caps. Returns them.
    @discardableResult
    public func markMissed(endedBy cutoff: Instant, now: Instant,
                           missed: (Assignment) -> [(WebhookEvent, [String])]) throws -> [Assignment] {
        // Looked at first, so that a daemon with nothing to mark never takes the write lock.
        let any = try pool.read { db in
            try Bool.fetchOne(db, sql: """
                SELECT EXISTS (SELECT 1 FROM assignment WHERE state IN ('notified', 'acknowledged') AND "end" <= ?)
                """, arguments: [cutoff.seconds]) ?? false
        }
        guard any else { return [] }
        return try pool.write { db in
            let list = try Row.fetchAll(db, sql: """
                SELECT * FROM assignment WHERE state IN ('notified', 'acknowledged') AND "end" <= ? ORDER BY start, id
                """, arguments: [cutoff.seconds]).map { Self.assignment($0) }
            for a in list {
                try db.execute(sql: "UPDATE assignment SET state = 'missed', reason = 'no_completion', updated_at = ? WHERE id = ?",
                               arguments: [now.seconds, a.id])
                try db.execute(sql: "UPDATE outbox SET state = 'cancelled', updated_at = ? WHERE assignment_id = ? AND state = 'pending'",
                               arguments: [now.seconds, a.id])
                for (event, endpoints) in missed(a) { try Self.enqueue(db, event, endpoints: endpoints, runAt: now) }
            }
            return list
        }
    }

    /// Assignments matching a filter, ordered by start then id; `after` is a cursor (the last id of the previous page).
    public func assignments(unit: String? = nil, staff: String? = nil, state: AssignmentState? = nil,
                            from: Instant? = nil, to: Instant? = nil, after: (Int64, String)? = nil,
                            limit: Int = 100) throws -> [StoredAssignment] {
        try pool.read { db in
            var sql = "SELECT * FROM assignment WHERE 1"
            var args: [any DatabaseValueConvertible] = []
            if let unit { sql += " AND unit = ?"; args.append(unit) }
            if let staff { sql += " AND staff_id = ?"; args.append(staff) }
            if let state { sql += " AND state = ?"; args.append(state.rawValue) }
            if let from { sql += " AND \"end\" > ?"; args.append(from.seconds) }
            if let to { sql += " AND start < ?"; args.append(to.seconds) }
            if let (start, id) = after { sql += " AND (start, id) > (?, ?)"; args += [start, id] }
            sql += " ORDER BY start, id LIMIT ?"
            args.append(limit)
            return try Row.fetchAll(db, sql: sql, arguments: StatementArguments(args)).map(Self.stored)
        }
    }

    public func assignment(id: String) throws -> StoredAssignment? {
        try pool.read { db in try Row.fetchOne(db, sql: "SELECT * FROM assignment WHERE id = ?", arguments: [id]).map(Self.stored) }
    }

    /// Counts of assignments by state.
    public func assignmentCounts() throws -> [String: Int] {
        try pool.read { db in
            var out: [String: Int] = [:]
            for row in try Row.fetchAll(db, sql: "SELECT state, count(*) AS n FROM assignment GROUP BY state") { out[row["state"]] = row["n"] }
            return out
        }
    }
}
