import Foundation
import GRDB
import JitdCore

/// A unit whose roster ran out: it has coverage rules but no shift in the next `horizon_hours`.
public struct StaleUnit: Sendable, Hashable {
    public var unit: String
    /// When a re-plan first found it so.
    public var since: Instant
    /// The end of its last known shift, if it ever had one.
    public var lastShiftEnd: Instant?
}

/// A need whose due date (or recertification lapse) passed untrained, as announced.
public struct OverdueNeed: Sendable, Hashable {
    public var staffID: String
    public var moduleID: String
    public var due: Instant
    public var unit: String

    public init(staffID: String, moduleID: String, due: Instant, unit: String) {
        self.staffID = staffID
        self.moduleID = moduleID
        self.due = due
        self.unit = unit
    }
}

/// What the daemon watches for besides plans: rosters that ran out, training gone overdue. Each is
/// announced once, when it begins, and remembered until it ends.
extension Store {
    /// Units that ever had a roster.
    public func rosteredUnits() throws -> Set<String> {
        try pool.read { db in Set(try String.fetchAll(db, sql: "SELECT DISTINCT unit FROM roster_day")) }
    }

    /// Records which units are stale now: a unit newly stale is remembered and its events
    /// queued (`events` gets it), one no longer stale (a roster arrived) is forgotten. Returns
    /// the stale units, oldest first.
    @discardableResult
    public func recordStaleUnits(_ units: Set<String>, now: Instant, events: (StaleUnit) -> [(WebhookEvent, [String])]) throws -> [StaleUnit] {
        let known = try staleUnits()
        let knownNames = Set(known.map(\.unit))
        guard units != knownNames else { return known }
        return try pool.write { db in
            for gone in knownNames.subtracting(units) {
                try db.execute(sql: "DELETE FROM stale_unit WHERE unit = ?", arguments: [gone])
            }
            for unit in units.subtracting(knownNames).sorted() {
                let last = try Int64.fetchOne(db, sql: "SELECT max(last_end) FROM roster_day WHERE unit = ? AND last_end <= ?",
                                              arguments: [unit, now.seconds + 366 * 86_400])
                let stale = StaleUnit(unit: unit, since: now, lastShiftEnd: last.map(Instant.init(seconds:)))
                try db.execute(sql: "INSERT INTO stale_unit (unit, since, last_shift_end) VALUES (?, ?, ?)",
                               arguments: [unit, now.seconds, last])
                for (event, endpoints) in events(stale) { try Self.enqueue(db, event, endpoints: endpoints, runAt: now) }
            }
            return try Self.staleUnits(db)
        }
    }

    public func staleUnits() throws -> [StaleUnit] {
        try pool.read { db in try Self.staleUnits(db) }
    }

    static func staleUnits(_ db: Database) throws -> [StaleUnit] {
        try Row.fetchAll(db, sql: "SELECT * FROM stale_unit ORDER BY since, unit").map {
            StaleUnit(unit: $0["unit"], since: Instant(seconds: $0["since"]),
                      lastShiftEnd: ($0["last_shift_end"] as Int64?).map(Instant.init(seconds:)))
        }
    }

    /// Records overdue needs: one not seen before (person, module, due) is remembered and its
    /// events queued. Returns how many were new.
    @discardableResult
    public func recordOverdue(_ list: [OverdueNeed], now: Instant, events: (OverdueNeed) -> [(WebhookEvent, [String])]) throws -> Int {
        guard !list.isEmpty else { return 0 }
        return try pool.write { db in
            let insert = try db.makeStatement(sql: """
                INSERT OR IGNORE INTO overdue (staff_id, module_id, due, unit, announced_at) VALUES (?, ?, ?, ?, ?)
                """)
            var added = 0
            for o in list {
                try insert.execute(arguments: [o.staffID, o.moduleID, o.due.seconds, o.unit, now.seconds])
                guard db.changesCount > 0 else { continue }
                added += 1
                for (event, endpoints) in events(o) { try Self.enqueue(db, event, endpoints: endpoints, runAt: now) }
            }
            return added
        }
    }

    /// How many overdue needs are still open (not completed since they were due).
    public func openOverdueCount() throws -> Int {
        try pool.read { db in
            try Int.fetchOne(db, sql: """
                SELECT count(*) FROM overdue o WHERE NOT EXISTS (
                    SELECT 1 FROM completion c WHERE c.staff_id = o.staff_id AND c.module_id = o.module_id AND c.completed_at >= o.due)
                """) ?? 0
        }
    }
}
