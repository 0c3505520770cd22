import Foundation

/// A database is opened and migrated by one process at a time. GRDB's migrator reads which
/// migrations are applied outside the transactions that apply them, so two processes opening a
/// new (or older) database at once — the daemon starting while an operator runs `jitd queue` or
/// `jitd status` — both set out to apply the same migration, and the second fails ("table
/// inbox_file already exists"); and turning a new database to WAL mode fails at once, without
/// waiting, while another connection does the same. The opening process holds an exclusive
/// `flock` on `DATABASE-migrate.lock`; a second one waits for it, then finds nothing to do.
///
/// A separate file, because closing any other descriptor of the database file itself would drop
/// SQLite's own POSIX locks on it. The file stays (removing a lock file is a race of its own).
enum MigrationLock {
    struct Problem: Error, CustomStringConvertible {
        var path: String
        var reason: String
        var description: String { "\(path): cannot lock the database for its migration (\(reason)); check that jitd may write there" }
    }

    /// Runs `body` while holding the lock beside the database at `databasePath`.
    ///
    /// The file is created readable by all (a lock needs only a descriptor open for reading), so
    /// that one made by an operator's `sudo jitd status` does not keep the service's own user out
    /// of it. A lock file that exists but cannot be opened (another owner, mode 0600) is not
    /// worth refusing to start over: the open goes on without it, as before there was one.
    static func holding<T>(_ databasePath: String, _ body: () throws -> T) throws -> T {
        let path = databasePath + "-migrate.lock"
        let fd = open(path, O_RDONLY | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0o644)
        if fd < 0 && errno == EACCES { return try body() }
        guard fd >= 0 else { throw Problem(path: path, reason: String(cString: strerror(errno))) }
        defer { close(fd) }
        while flock(fd, LOCK_EX) != 0 {
            guard errno == EINTR else { throw Problem(path: path, reason: String(cString: strerror(errno))) }
        }
        return try body()
    }
}
