import Foundation
import GRDB
import JitdCore

/// What applying a roster file did.
public enum RosterOutcome: Sendable, Equatable {
    /// Applied: shifts and busy blocks inserted, older entries of the same unit-days removed.
    case accepted(shifts: Int, busy: Int, replaced: Int, units: [String])
    /// The same bytes were applied before; nothing changed.
    case duplicate
}

extension Store {
    /// Applies a roster file whole, in one transaction, by SPEC's replacement rule: for each unit
    /// it names, every entry of that unit starting on a local day the file has an entry for is replaced.
    ///
    /// `events` are queued in the same transaction (e.g. `roster.accepted`), one per listed endpoint.
    public func applyRoster(file: String, sha256: String, entries: [Shift], zones: @Sendable (String) -> Zone,
                            now: Instant, events: @Sendable (RosterOutcome) -> [(WebhookEvent, [String])]) throws -> RosterOutcome {
        try pool.write { db in
            if try Bool.fetchOne(db, sql: "SELECT 1 FROM inbox_file WHERE sha256 = ? AND outcome = 'accepted'", arguments: [sha256]) == true {
                try db.execute(sql: "INSERT INTO inbox_file (name, sha256, kind, outcome, received_at, summary) VALUES (?, ?, 'roster', 'duplicate', ?, '{}')",
                               arguments: [file, sha256, now.seconds])
                return .duplicate
            }
            let days = Dictionary(grouping: entries, by: \.unit).mapValues { list in
                Set(list.map { Self.localDay($0.interval.start, zones($0.unit)) })
            }
            var replaced = 0
            for (unit, unitDays) in days {
                for day in unitDays {
                    try db.execute(sql: "DELETE FROM shift WHERE unit = ? AND local_day = ?", arguments: [unit, day])
                    replaced += db.changesCount
                }
            }
            let busy = entries.filter { $0.kind == .busy }.count
            let outcome = RosterOutcome.accepted(shifts: entries.count - busy, busy: busy, replaced: replaced,
                                                 units: days.keys.sorted())
            let summary = String(decoding: JSONValue.object(["shifts": .int(entries.count - busy), "busy": .int(busy),
                                                             "replaced": .int(replaced)]).encoded(), as: UTF8.self)
            try db.execute(sql: "INSERT INTO inbox_file (name, sha256, kind, outcome, received_at, summary) VALUES (?, ?, 'roster', 'accepted', ?, ?)",
                           arguments: [file, sha256, now.seconds, summary])
            let fileID = db.lastInsertedRowID
            let insert = try db.makeStatement(sql: """
                INSERT INTO shift (staff_id, role, unit, kind, start, "end", local_day, name, file_id) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
                """)
            let seen = try db.makeStatement(sql: """
                INSERT INTO staff (staff_id, first_seen) VALUES (?, ?)
                ON CONFLICT(staff_id) DO UPDATE SET first_seen = min(first_seen, excluded.first_seen)
                """)
            for s in entries {
                try insert.execute(arguments: [s.staffID, s.role, s.unit, s.kind.rawValue, s.interval.start.seconds,
                                               s.interval.end.seconds, Self.localDay(s.interval.start, zones(s.unit)), s.name, fileID])
                try seen.execute(arguments: [s.staffID, s.interval.start.seconds])
            }
            for (event, endpoints) in events(outcome) { try Self.enqueue(db, event, endpoints: endpoints, runAt: now) }
            return outcome
        }
    }

    /// Records a refused file and queues its `roster.rejected` events; nothing else changes.
    public func recordRejected(file: String, sha256: String, kind: String, errors: [String], now: Instant,
                               events: [(WebhookEvent, [String])]) throws {
        try pool.write { db in
            let summary = String(decoding: JSONValue.object(["errors": .array(errors.map(JSONValue.string))]).encoded(), as: UTF8.self)
            try db.execute(sql: "INSERT INTO inbox_file (name, sha256, kind, outcome, received_at, summary) VALUES (?, ?, ?, 'rejected', ?, ?)",
                           arguments: [file, sha256, kind, now.seconds, summary])
            for (event, endpoints) in events { try Self.enqueue(db, event, endpoints: endpoints, runAt: now) }
        }
    }

    static func localDay(_ t: Instant, _ zone: Zone) -> String {
        let l = zone.local(t)
        return String(format: "%04d-%02d-%02d", l.year, l.month, l.day)
    }

    /// Shifts and busy blocks that overlap `window`.
    public func shifts(overlapping window: Interval) throws -> [Shift] {
        try pool.read { db in
            try Row.fetchAll(db, sql: """
                SELECT * FROM shift WHERE start < ? AND "end" > ? ORDER BY unit, start, staff_id, kind
                """, arguments: [window.end.seconds, window.start.seconds]).map { row in
                Shift(staffID: row["staff_id"], role: row["role"], unit: row["unit"],
                      kind: ShiftKind(rawValue: row["kind"]) ?? .shift, interval: Interval(row: row), name: row["name"])
            }
        }
    }

    public func staffFirstSeen() throws -> [String: Instant] {
        try pool.read { db in
            var out: [String: Instant] = [:]
            for row in try Row.fetchAll(db, sql: "SELECT staff_id, first_seen FROM staff") {
                out[row["staff_id"]] = Instant(seconds: row["first_seen"])
            }
            return out
        }
    }

    /// Adds completions (duplicates are ignored) in one transaction; returns how many were new.
    @discardableResult
    public func addCompletions(_ list: [Completion], source: String) throws -> Int {
        try pool.write { db in
            let st = try db.makeStatement(sql: "INSERT OR IGNORE INTO completion (staff_id, module_id, completed_at, source) VALUES (?, ?, ?, ?)")
            var added = 0
            for c in list {
                try st.execute(arguments: [c.staffID, c.moduleID, c.completedAt.seconds, source])
                added += db.changesCount
            }
            return added
        }
    }

    public func completions() throws -> [Completion] {
        try pool.read { db in
            try Row.fetchAll(db, sql: "SELECT * FROM completion ORDER BY staff_id, module_id, completed_at").map {
                Completion(staffID: $0["staff_id"], moduleID: $0["module_id"], completedAt: Instant(seconds: $0["completed_at"]))
            }
        }
    }
}

extension Store {
    /// Applies a completions file whole; `nil` when the same bytes were applied before.
    public func applyCompletionsFile(file: String, sha256: String, completions: [Completion], now: Instant) throws -> Int? {
        try pool.write { db in
            if try Bool.fetchOne(db, sql: "SELECT 1 FROM inbox_file WHERE sha256 = ? AND outcome = 'accepted'", arguments: [sha256]) == true {
                try db.execute(sql: "INSERT INTO inbox_file (name, sha256, kind, outcome, received_at, summary) VALUES (?, ?, 'completions', 'duplicate', ?, '{}')",
                               arguments: [file, sha256, now.seconds])
                return nil
            }
            let st = try db.makeStatement(sql: "INSERT OR IGNORE INTO completion (staff_id, module_id, completed_at, source) VALUES (?, ?, ?, ?)")
            var added = 0
            for c in completions {
                try st.execute(arguments: [c.staffID, c.moduleID, c.completedAt.seconds, "file:" + file])
                added += db.changesCount
            }
            let summary = String(decoding: JSONValue.object(["completions": .int(completions.count), "new": .int(added)]).encoded(), as: UTF8.self)
            try db.execute(sql: "INSERT INTO inbox_file (name, sha256, kind, outcome, received_at, summary) VALUES (?, ?, 'completions', 'accepted', ?, ?)",
                           arguments: [file, sha256, now.seconds, summary])
            return added
        }
    }
}
