import Foundation
import GRDB
import GRDBSQLite

/// Read-only SQLite connections kept for the assignment page query (`GET /v1/assignments`), each
/// with one statement prepared per filter shape.
///
/// The page query is the API's hot read. Through `DatabasePool` every page paid for a barrier
/// queue, a semaphore and a dispatch `sync` to take a reader, a `PRAGMA schema_version` to check
/// GRDB's schema cache, and building, hashing and binding the SQL text: about as much CPU as
/// SQLite's own work for a page. Here a page takes a connection from a locked list, binds its
/// arguments to a statement prepared once, and steps it.
///
/// Each connection is opened read-only in multi-thread mode (`SQLITE_OPEN_NOMUTEX`) and is used
/// by one thread at a time: a caller has it to itself between `withReader`'s taking and giving
/// back. A statement is reset before the connection goes back, so no read transaction outlives a
/// page (one SELECT is its own snapshot in WAL mode) and checkpoints are never held up.
final class PageReaders: @unchecked Sendable {
    private let path: String
    private let lock = NSLock()
    private var idle: [PageReader] = []
    /// Idle connections kept beyond this many are closed (the API runs pages on a few threads of
    /// its own, so a handful covers them).
    private let keep = 8

    init(path: String) { self.path = path }

    func withReader<T>(_ body: (PageReader) throws -> T) throws -> T {
        let reader = try lock.withLock { idle.popLast() } ?? PageReader(path: path)
        defer {
            lock.withLock { if idle.count < keep { idle.append(reader) } }
        }
        return try body(reader)
    }
}

/// One read-only connection with its prepared page statements, indexed by filter shape.
final class PageReader {
    let db: SQLiteConnection
    private var statements: [SQLiteStatement?]

    /// How many shapes ``AssignmentPageShape`` has.
    static let shapes = 64

    init(path: String) throws {
        var handle: SQLiteConnection?
        let code = sqlite3_open_v2(path, &handle, SQLITE_OPEN_READONLY | SQLITE_OPEN_NOMUTEX, nil)
        guard code == SQLITE_OK, let handle else {
            let error = DatabaseError.sqlite(code, handle)
            sqlite3_close_v2(handle)
            throw error
        }
        db = handle
        // As the store's own connections wait (`Configuration.busyMode`), should a checkpoint or
        // a WAL reset briefly hold the read lock this needs.
        sqlite3_busy_timeout(handle, 10_000)
        statements = Array(repeating: nil, count: Self.shapes)
    }

    deinit {
        for s in statements { sqlite3_finalize(s) }
        sqlite3_close_v2(db)
    }

    /// The statement for a shape, prepared on first use and kept for the connection's life.
    func statement(_ shape: AssignmentPageShape) throws -> SQLiteStatement {
        if let s = statements[shape.rawValue] { return s }
        let sql = shape.sql
        var s: SQLiteStatement?
        let code = sqlite3_prepare_v3(db, sql, -1, UInt32(SQLITE_PREPARE_PERSISTENT), &s, nil)
        guard code == SQLITE_OK, let s else { throw error(code, sql: sql) }
        statements[shape.rawValue] = s
        return s
    }

    func error(_ code: Int32, sql: String) -> DatabaseError {
        DatabaseError.sqlite(code, db, sql: sql)
    }
}

/// Which filters (and whether a cursor) a page query has: one prepared statement each.
struct AssignmentPageShape: RawRepresentable {
    let rawValue: Int

    init(rawValue: Int) { self.rawValue = rawValue }

    init(_ f: AssignmentFilter, cursor: Bool) {
        var v = 0
        if f.unit != nil { v |= 1 }
        if f.staffID != nil { v |= 2 }
        if f.state != nil { v |= 4 }
        if f.from != nil { v |= 8 }
        if f.to != nil { v |= 16 }
        if cursor { v |= 32 }
        rawValue = v
    }

    private func has(_ bit: Int) -> Bool { rawValue & bit != 0 }

    var hasCursor: Bool { has(32) }

    /// The page query of this shape. Its parameters, in order: unit, staff, state, `from` (for
    /// `end`, then less the longest assignment for `start`, unless there is a cursor), `to`, the
    /// lowest start (the cursor's, or past `from`'s bound when that is higher), the cursor's start
    /// and id, and the limit; each only when the shape has it.
    ///
    /// With a cursor, `from`'s bound on `start` folds into the cursor's, so that `start` has one
    /// lower bound: given two, SQLite's planner leaves the unit-and-state index for the unit one.
    var sql: String {
        var sql = "SELECT id, staff_id, module_id, unit, role, start, \"end\", group_id, state, reason, updated_at FROM assignment WHERE 1"
        if has(1) { sql += " AND unit = ?" }
        if has(2) { sql += " AND staff_id = ?" }
        if has(4) { sql += " AND state = ?" }
        if has(8) { sql += hasCursor ? " AND \"end\" > ?" : " AND \"end\" > ? AND start > ?" }
        if has(16) { sql += " AND start < ?" }
        if hasCursor { sql += " AND start >= ? AND (start > ? OR id > ?)" }
        return sql + " ORDER BY start, id LIMIT ?"
    }
}

/// Binds arguments in order to a page statement.
struct PageBinder {
    let statement: SQLiteStatement
    private(set) var index: Int32 = 0
    private(set) var code = SQLITE_OK

    init(_ statement: SQLiteStatement) { self.statement = statement }

    mutating func bind(_ text: String) {
        index += 1
        var text = text
        let c = text.withUTF8 { u -> Int32 in
            // An empty string may have no storage, and a NULL pointer would bind SQL NULL, not ''.
            guard let p = u.baseAddress else { return sqlite3_bind_text(statement, index, "", 0, SQLITE_TRANSIENT) }
            return p.withMemoryRebound(to: CChar.self, capacity: u.count) {
                sqlite3_bind_text(statement, index, $0, Int32(u.count), SQLITE_TRANSIENT)
            }
        }
        if code == SQLITE_OK { code = c }
    }

    mutating func bind(_ value: Int64) {
        index += 1
        let c = sqlite3_bind_int64(statement, index, value)
        if code == SQLITE_OK { code = c }
    }
}

/// SQLite copies the bound bytes (the Swift string's storage only lives through the call).
private let SQLITE_TRANSIENT = unsafeBitCast(OpaquePointer(bitPattern: -1), to: sqlite3_destructor_type.self)
