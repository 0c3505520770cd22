import GRDB
import GRDBSQLite

extension DatabaseError {
    /// The error of a call made on a connection through SQLite's C API, with SQLite's message.
    static func sqlite(_ code: Int32, _ connection: SQLiteConnection?, sql: String? = nil) -> DatabaseError {
        DatabaseError(resultCode: ResultCode(rawValue: code), message: connection.map { String(cString: sqlite3_errmsg($0)) }, sql: sql)
    }
}
