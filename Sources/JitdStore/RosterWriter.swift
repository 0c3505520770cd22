import Foundation
import GRDB
import GRDBSQLite
import JitdCore

/// Stores the entries of one roster file, as they are read, inside the transaction that applies
/// the file (see ``Store/applyRoster(file:zones:now:fill:events:)``).
///
/// SPEC's replacement rule works by unit-day: the first entry of a unit-day the file names takes
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
    private let insertShift: Statement, findDay: Statement, addDay: Statement, clearDay: Statement
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
        insertShift = try db.makeStatement(sql: """
            INSERT INTO shift (day_id, seq, staff_id, role, unit, kind, start, "end", name) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
            """)
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
        try insertRow(s, dayID: dayList[i].id)
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

    /// Binds and steps the prepared INSERT through SQLite's C API: GRDB's argument arrays cost
    /// more than SQLite's own work for a row, and a file can hold a million rows.
    private func insertRow(_ s: Shift, dayID: Int64) throws {
        let raw = insertShift.sqliteStatement
        defer { sqlite3_reset(raw) }
        sqlite3_bind_int64(raw, 1, dayID)
        sqlite3_bind_int64(raw, 2, seq)
        Self.bind(raw, 3, s.staffID)
        Self.bind(raw, 4, s.role)
        Self.bind(raw, 5, s.unit)
        Self.bind(raw, 6, s.kind.rawValue)
        sqlite3_bind_int64(raw, 7, s.interval.start.seconds)
        sqlite3_bind_int64(raw, 8, s.interval.end.seconds)
        if let name = s.name { Self.bind(raw, 9, name) } else { sqlite3_bind_null(raw, 9) }
        let code = sqlite3_step(raw)
        guard code == SQLITE_DONE else {
            throw DatabaseError(resultCode: ResultCode(rawValue: code), message: String(cString: sqlite3_errmsg(db.sqliteConnection)),
                                sql: insertShift.sql)
        }
    }

    /// SQLite copies the text (`SQLITE_TRANSIENT`), so the buffer need not outlive the call.
    private static func bind(_ raw: OpaquePointer, _ index: Int32, _ text: String) {
        var text = text
        text.withUTF8 { b in
            _ = sqlite3_bind_text(raw, index, b.baseAddress.map { UnsafeRawPointer($0).assumingMemoryBound(to: CChar.self) },
                                  Int32(b.count), transient)
        }
    }

    private static let transient = unsafeBitCast(-1, to: sqlite3_destructor_type.self)

    /// Once every entry is in: the file's unit-days are its own, with the span of its entries, and
    /// each person's first sighting is recorded. Returns how many older entries were replaced.
    func finish() throws -> Int {
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
}
