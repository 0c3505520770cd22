import Foundation
import GRDB
import GRDBSQLite
import JitdCore

/// Stores the entries of one roster file, as they are read, inside the transaction that applies
/// the file (see ``Store/applyRoster(file:zones:now:fill:events:)``). Remembers only what the
/// replacement rule and the staff table need: the unit-days the file names and each person's
/// earliest start.
///
/// Not `Sendable`: it lives inside one write transaction, on the writer's thread.
public final class RosterWriter {
    struct UnitDay: Hashable { var unit: String, day: String }

    let db: Database
    let fileID: Int64
    let zones: (String) -> Zone
    private let statement: Statement
    private var unitDays: Set<UnitDay> = []
    private var firstSeen: [String: Int64] = [:]
    public private(set) var shifts = 0, busy = 0

    init(db: Database, fileID: Int64, zones: @escaping (String) -> Zone) throws {
        self.db = db
        self.fileID = fileID
        self.zones = zones
        statement = try db.makeStatement(sql: """
            INSERT INTO shift (staff_id, role, unit, kind, start, "end", local_day, name, file_id) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
            """)
    }

    public func insert(_ s: Shift) throws {
        let day = Store.localDay(s.interval.start, zones(s.unit))
        try insertRow(s, day: day)
        unitDays.insert(UnitDay(unit: s.unit, day: day))
        let start = s.interval.start.seconds
        if let seen = firstSeen[s.staffID] { if start < seen { firstSeen[s.staffID] = start } } else { firstSeen[s.staffID] = start }
        if s.kind == .busy { busy += 1 } else { shifts += 1 }
    }

    /// Binds and steps the prepared INSERT through SQLite's C API: GRDB's argument arrays cost
    /// more than SQLite's own work for a row, and a file can hold a million rows.
    private func insertRow(_ s: Shift, day: String) throws {
        let raw = statement.sqliteStatement
        defer { sqlite3_reset(raw) }
        Self.bind(raw, 1, s.staffID)
        Self.bind(raw, 2, s.role)
        Self.bind(raw, 3, s.unit)
        Self.bind(raw, 4, s.kind.rawValue)
        sqlite3_bind_int64(raw, 5, s.interval.start.seconds)
        sqlite3_bind_int64(raw, 6, s.interval.end.seconds)
        Self.bind(raw, 7, day)
        if let name = s.name { Self.bind(raw, 8, name) } else { sqlite3_bind_null(raw, 8) }
        sqlite3_bind_int64(raw, 9, fileID)
        let code = sqlite3_step(raw)
        guard code == SQLITE_DONE else {
            throw DatabaseError(resultCode: ResultCode(rawValue: code), message: String(cString: sqlite3_errmsg(db.sqliteConnection)),
                                sql: statement.sql)
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

    /// The replacement rule, once every entry is in: removes the older entries of each unit-day
    /// the file names, and records when each person was first seen. Returns how many were removed.
    func finish() throws -> Int {
        let delete = try db.makeStatement(sql: "DELETE FROM shift WHERE unit = ? AND local_day = ? AND file_id <> ?")
        var replaced = 0
        for d in unitDays {
            try delete.execute(arguments: [d.unit, d.day, fileID])
            replaced += db.changesCount
        }
        let seen = try db.makeStatement(sql: """
            INSERT INTO staff (staff_id, first_seen) VALUES (?, ?)
            ON CONFLICT(staff_id) DO UPDATE SET first_seen = min(first_seen, excluded.first_seen)
            """)
        for (staff, start) in firstSeen { try seen.execute(arguments: [staff, start]) }
        return replaced
    }

    var units: [String] { Set(unitDays.map(\.unit)).sorted() }
}
