import Foundation
import GRDB
import JitdCore

/// Stores the entries of one roster file, as they are read, inside the transaction that applies
/// the file (see ``Store/applyRoster(file:zones:now:fill:events:)``).
///
/// the replacement rule (docs/configuration.md) works by unit-day: the first entry of a unit-day the file names takes
/// that day over (its `roster_day` row now belongs to this file) and removes the entries older
/// files had on it. Remembers only the file's unit-days and each person's earliest start.
///
/// Not `Sendable`: it lives inside one write transaction, on the writer's thread.
public final class RosterWriter {
    struct UnitDay: Hashable { var unit: String, day: String }
    /// A unit-day of this file: its `roster_day` row and the span of the entries written to it.
    struct Day { var id: Int64, firstStart: Int64, lastEnd: Int64 }

    let db: Database
    let fileID: Int64
    let zones: (String) -> Zone
    private let rows: ShiftRowInserter
    private let findDay: Statement, addDay: Statement, clearDay: Statement
    /// The file's unit-days, and where each is in `dayList`.
    private var days: [UnitDay: Int] = [:], dayList: [Day] = []
    /// For each unit, its unit-day last written to and the instants that share that local date:
    /// the next rows of the unit on that date are placed without computing a local date.
    private var cursors: [String: (day: Int, from: Int64, to: Int64)] = [:]
    private var firstSeen: [String: Int64] = [:]
    private var seq: Int64 = 0
    public private(set) var shifts = 0, busy = 0, replaced = 0

    init(db: Database, fileID: Int64, zones: @escaping (String) -> Zone) throws {
        self.db = db
        self.fileID = fileID
        self.zones = zones
        rows = try ShiftRowInserter(db: db)
        findDay = try db.makeStatement(sql: "SELECT id FROM roster_day WHERE unit = ? AND local_day = ?")
        addDay = try db.makeStatement(sql: """
            INSERT INTO roster_day (unit, local_day, file_id, first_start, last_end) VALUES (?, ?, ?, ?, ?)
            """)
        clearDay = try db.makeStatement(sql: "DELETE FROM shift WHERE day_id = ?")
    }

    public func insert(_ s: Shift) throws {
        let start = s.interval.start.seconds, end = s.interval.end.seconds
        let i = try dayIndex(s.unit, start)
        dayList[i].firstStart = min(dayList[i].firstStart, start)
        dayList[i].lastEnd = max(dayList[i].lastEnd, end)
        seq += 1
        try rows.add(s, dayID: dayList[i].id, seq: seq)
        if let seen = firstSeen[s.staffID] { if start < seen { firstSeen[s.staffID] = start } } else { firstSeen[s.staffID] = start }
        if s.kind == .busy { busy += 1 } else { shifts += 1 }
    }

    /// Where in `dayList` the unit-day of an entry of `unit` starting at `start` is.
    private func dayIndex(_ unit: String, _ start: Int64) throws -> Int {
        if let c = cursors[unit], start >= c.from, start < c.to { return c.day }
        let zone = zones(unit), at = Instant(seconds: start)
        let key = UnitDay(unit: unit, day: Store.localDay(zone.local(at)))
        let i: Int
        if let known = days[key] { i = known } else {
            i = dayList.count
            dayList.append(try takeOver(key, start))
            days[key] = i
        }
        let span = zone.sameDateSpan(at)
        cursors[unit] = (i, span.start.seconds, span.end.seconds)
        return i
    }

    /// The file's first entry on a unit-day: finds or adds its `roster_day` row and removes the
    /// entries older files had on it.
    private func takeOver(_ key: UnitDay, _ start: Int64) throws -> Day {
        if let id = try Int64.fetchOne(findDay, arguments: [key.unit, key.day]) {
            try clearDay.execute(arguments: [id])
            replaced += db.changesCount
            return Day(id: id, firstStart: start, lastEnd: start)
        }
        try addDay.execute(arguments: [key.unit, key.day, fileID, start, start])
        return Day(id: db.lastInsertedRowID, firstStart: start, lastEnd: start)
    }

    /// Once every entry is in: the file's unit-days are its own, with the span of its entries, and
    /// each person's first sighting is recorded. Returns how many older entries were replaced.
    func finish() throws -> Int {
        try rows.flush()
        let own = try db.makeStatement(sql: "UPDATE roster_day SET file_id = ?, first_start = ?, last_end = ? WHERE id = ?")
        for day in dayList { try own.execute(arguments: [fileID, day.firstStart, day.lastEnd, day.id]) }
        let seen = try db.makeStatement(sql: """
            INSERT INTO staff (staff_id, first_seen) VALUES (?, ?)
            ON CONFLICT(staff_id) DO UPDATE SET first_seen = min(first_seen, excluded.first_seen)
            """)
        for (staff, start) in firstSeen { try seen.execute(arguments: [staff, start]) }
        return replaced
    }

    var units: [String] { Set(days.keys.map(\.unit)).sorted() }

    /// How many unit-days the file takes over.
    var dayCount: Int { dayList.count }
}
