import GRDB
import GRDBSQLite
import JitdCore

/// Puts shift rows into the `shift` table many at a time, through SQLite's C API: one INSERT of
/// `perStatement` rows rather than one a row, the text of them all copied into one buffer that
/// SQLite reads in place (`SQLITE_STATIC`) rather than copying each value. A million-row roster
/// spent more in statement and binding overhead than in SQLite's B-tree.
///
/// Not `Sendable`: it lives inside one write transaction, on the writer's thread.
final class ShiftRowInserter {
    struct Row { var shift: Shift, dayID: Int64, seq: Int64 }

    static let perStatement = 64
    static let columns: Int32 = 9
    private let db: Database
    private let many: Statement, one: Statement
    private var pending: [Row] = []
    /// The text of the rows being inserted; SQLite reads it until the statement is reset.
    private var arena: UnsafeMutableRawBufferPointer

    init(db: Database) throws {
        self.db = db
        let row = "(?, ?, ?, ?, ?, ?, ?, ?, ?)"
        let insert = #"INSERT OR FAIL INTO shift (day_id, seq, staff_id, role, unit, kind, start, "end", name) VALUES "#
        many = try db.makeStatement(sql: insert + Array(repeating: row, count: Self.perStatement).joined(separator: ", "))
        one = try db.makeStatement(sql: insert + row)
        pending.reserveCapacity(Self.perStatement)
        arena = .allocate(byteCount: 16 << 10, alignment: 1)
    }

    deinit { arena.deallocate() }

    func add(_ shift: Shift, dayID: Int64, seq: Int64) throws {
        pending.append(Row(shift: shift, dayID: dayID, seq: seq))
        if pending.count == Self.perStatement { try flush() }
    }

    /// Inserts every row added so far.
    func flush() throws {
        guard !pending.isEmpty else { return }
        prepareArena()
        if pending.count == Self.perStatement {
            try run(many, pending[...])
        } else {
            for i in pending.indices { try run(one, pending[i...i]) }
        }
        pending.removeAll(keepingCapacity: true)
    }

    /// Grows the arena to hold the text of every pending row.
    private func prepareArena() {
        var bytes = 0
        for r in pending { bytes += r.shift.staffID.utf8.count + r.shift.role.utf8.count + r.shift.unit.utf8.count + (r.shift.name?.utf8.count ?? 0) }
        guard bytes > arena.count else { return }
        arena.deallocate()
        arena = .allocate(byteCount: max(bytes, arena.count * 2), alignment: 1)
    }

    private func run(_ statement: Statement, _ rows: ArraySlice<Row>) throws {
        let raw = statement.sqliteStatement
        defer { sqlite3_reset(raw) }
        var used = 0, p: Int32 = 1
        for r in rows {
            sqlite3_bind_int64(raw, p, r.dayID)
            sqlite3_bind_int64(raw, p + 1, r.seq)
            bind(raw, p + 2, r.shift.staffID, &used)
            bind(raw, p + 3, r.shift.role, &used)
            bind(raw, p + 4, r.shift.unit, &used)
            let kind: StaticString = switch r.shift.kind { case .shift: "shift"; case .busy: "busy" }
            sqlite3_bind_text(raw, p + 5, UnsafeRawPointer(kind.utf8Start).assumingMemoryBound(to: CChar.self), Int32(kind.utf8CodeUnitCount), nil)
            sqlite3_bind_int64(raw, p + 6, r.shift.interval.start.seconds)
            sqlite3_bind_int64(raw, p + 7, r.shift.interval.end.seconds)
            if let name = r.shift.name { bind(raw, p + 8, name, &used) } else { sqlite3_bind_null(raw, p + 8) }
            p += Self.columns
        }
        let code = sqlite3_step(raw)
        guard code == SQLITE_DONE else { throw DatabaseError.sqlite(code, db.sqliteConnection, sql: statement.sql) }
    }

    /// Copies `text` into the arena at `used` and binds it there without a copy by SQLite.
    private func bind(_ raw: OpaquePointer, _ index: Int32, _ text: String, _ used: inout Int) {
        var text = text
        let at = used
        text.withUTF8 { b in
            if let base = b.baseAddress { (arena.baseAddress! + at).copyMemory(from: base, byteCount: b.count) }
            used += b.count
        }
        sqlite3_bind_text(raw, index, (arena.baseAddress! + at).assumingMemoryBound(to: CChar.self), Int32(used - at), nil)
    }
}
