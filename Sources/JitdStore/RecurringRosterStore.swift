import Foundation
import GRDB
import JitdCore

/// A recurring iCalendar roster (RRULE or RDATE) that is expanded again as the horizon advances:
/// a weekly calendar dropped once keeps producing shifts.
public struct RecurringRoster: Sendable, Hashable {
    /// The `inbox_file` row of the file that brought it.
    public var fileID: Int64
    public var name: String
    public var text: String
    /// The units it still rosters: a later recurring calendar for a unit takes that unit over.
    public var units: [String]
    /// Instances starting before this were expanded already.
    public var expandedUntil: Instant
}

extension Store {
    /// Keeps the text of a recurring calendar just applied (the latest accepted file of these
    /// bytes), expanded up to `expandedUntil`. It takes its units over from older recurring
    /// calendars, which stop producing shifts for them.
    public func rememberRecurring(sha256: String, name: String, text: String, units: [String], expandedUntil: Instant) throws {
        try pool.write { db in
            guard let fileID = try Int64.fetchOne(db, sql: """
                SELECT id FROM inbox_file WHERE sha256 = ? AND outcome = 'accepted' AND kind = 'roster' ORDER BY id DESC LIMIT 1
                """, arguments: [sha256]) else { return }
            let taken = Set(units)
            for row in try Row.fetchAll(db, sql: "SELECT file_id, units FROM recurring_roster WHERE file_id <> ?", arguments: [fileID]) {
                let old = Self.strings(row["units"])
                let left = old.filter { !taken.contains($0) }
                guard left.count != old.count else { continue }
                try db.execute(sql: "UPDATE recurring_roster SET units = ? WHERE file_id = ?", arguments: [Self.jsonArray(left), row["file_id"] as Int64])
            }
            try db.execute(sql: "DELETE FROM recurring_roster WHERE units = '[]'")
            try db.execute(sql: """
                INSERT INTO recurring_roster (file_id, name, text, units, expanded_until) VALUES (?, ?, ?, ?, ?)
                ON CONFLICT(file_id) DO UPDATE SET units = excluded.units, expanded_until = max(expanded_until, excluded.expanded_until)
                """, arguments: [fileID, name, text, Self.jsonArray(units), expandedUntil.seconds])
        }
    }

    /// Recurring calendars whose expansion ends before `before`.
    public func recurringRosters(expandedBefore before: Instant) throws -> [RecurringRoster] {
        try pool.read { db in
            try Row.fetchAll(db, sql: "SELECT * FROM recurring_roster WHERE expanded_until < ? ORDER BY file_id", arguments: [before.seconds]).map {
                RecurringRoster(fileID: $0["file_id"], name: $0["name"], text: $0["text"], units: Self.strings($0["units"]),
                                expandedUntil: Instant(seconds: $0["expanded_until"]))
            }
        }
    }

    /// Adds the instances of a recurring calendar expanded over a later window, by the
    /// replacement rule as if the file had been dropped with that window: an entry lands on a
    /// unit-day no file has covered yet (the day becomes the calendar's), or on one the calendar
    /// already owns (beside the instances expanded before); a unit-day a later file took over
    /// keeps that file's entries. Returns how many entries were added.
    @discardableResult
    public func extendRecurring(_ roster: RecurringRoster, entries: [Shift], until: Instant,
                                zones: @escaping (String) -> Zone) throws -> Int {
        try pool.write { db in
            let findDay = try db.makeStatement(sql: "SELECT id, file_id FROM roster_day WHERE unit = ? AND local_day = ?")
            let addDay = try db.makeStatement(sql: "INSERT INTO roster_day (unit, local_day, file_id, first_start, last_end) VALUES (?, ?, ?, ?, ?)")
            let widen = try db.makeStatement(sql: "UPDATE roster_day SET first_start = min(first_start, ?), last_end = max(last_end, ?) WHERE id = ?")
            let rows = try ShiftRowInserter(db: db)
            let lastSeq = try db.makeStatement(sql: "SELECT coalesce(max(seq), 0) FROM shift WHERE day_id = ?")
            var nextSeq: [Int64: Int64] = [:]
            var added = 0
            for s in entries {
                let day = Self.localDay(s.interval.start, zones(s.unit))
                let dayID: Int64
                if let row = try Row.fetchOne(findDay, arguments: [s.unit, day]) {
                    guard (row["file_id"] as Int64) == roster.fileID else { continue }
                    dayID = row["id"]
                } else {
                    try addDay.execute(arguments: [s.unit, day, roster.fileID, s.interval.start.seconds, s.interval.end.seconds])
                    dayID = db.lastInsertedRowID
                    // The file's unit-days grew: "the same bytes in force" compares with them all.
                    try db.execute(sql: "UPDATE inbox_file SET days = days + 1 WHERE id = ?", arguments: [roster.fileID])
                }
                try widen.execute(arguments: [s.interval.start.seconds, s.interval.end.seconds, dayID])
                let seq = try nextSeq[dayID] ?? (Int64.fetchOne(lastSeq, arguments: [dayID]) ?? 0) + 1
                nextSeq[dayID] = seq + 1
                try rows.add(s, dayID: dayID, seq: seq)
                added += 1
            }
            try rows.flush()
            try db.execute(sql: "UPDATE recurring_roster SET expanded_until = max(expanded_until, ?) WHERE file_id = ?",
                           arguments: [until.seconds, roster.fileID])
            return added
        }
    }

    static func strings(_ json: String) -> [String] {
        (try? JSONDecoder().decode([String].self, from: Data(json.utf8))) ?? []
    }
}
