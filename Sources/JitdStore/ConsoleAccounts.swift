import Foundation
import GRDB
import JitdCore

/// What a console user may do. Each role may do everything the roles before it may.
public enum ConsoleRole: String, Sendable, CaseIterable, Comparable, Codable {
    /// Sees the unit days, modules, people and calendar feeds.
    case viewer
    /// Also publishes, edits and retires modules.
    case educator
    /// Also sees operations: endpoints, dead deliveries (and redelivers them), the inbox history.
    case admin

    var rank: Int { Self.allCases.firstIndex(of: self)! }
    public static func < (a: ConsoleRole, b: ConsoleRole) -> Bool { a.rank < b.rank }
}

/// A console account, as `jitd user list` shows it. The password hash never leaves the store
/// except to be checked.
public struct ConsoleUser: Sendable, Hashable {
    public var name: String
    public var role: ConsoleRole
    /// `nil` for an account that signs in only through the trusted reverse proxy.
    public var passwordHash: String?
    public var createdAt: Instant
    public var lastSignIn: Instant?

    public init(name: String, role: ConsoleRole, passwordHash: String?, createdAt: Instant, lastSignIn: Instant? = nil) {
        self.name = name
        self.role = role
        self.passwordHash = passwordHash
        self.createdAt = createdAt
        self.lastSignIn = lastSignIn
    }
}

/// A signed-in browser. Only the SHA-256 of the session id is stored, so a copy of the database
/// does not let anyone act as a signed-in user.
public struct ConsoleSession: Sendable, Hashable {
    public var idHash: String
    public var user: String
    /// The user's role now (read with the session, so a changed role applies at once).
    public var role: ConsoleRole
    /// The synchronizer token every form of this session carries.
    public var csrf: String
    public var createdAt: Instant
    public var expiresAt: Instant
    public var lastSeen: Instant
}

public enum ConsoleAccountError: Error, CustomStringConvertible, Equatable {
    case exists(String)
    case unknown(String)

    public var description: String {
        switch self {
        case .exists(let u): "a console user \(Brief.quoted(u)) already exists; use `jitd user passwd` to change the password, or remove the user first"
        case .unknown(let u): "no console user \(Brief.quoted(u)); `jitd user list` shows them"
        }
    }
}

extension Store {
    /// The console's tables (migration "v8 console"): accounts, sessions, modules published in
    /// the console with every change to them, and the latest plan's unmet needs.
    static let consoleSchema = """
        CREATE TABLE console_user (
            name TEXT PRIMARY KEY,
            role TEXT NOT NULL,                 -- viewer | educator | admin
            password_hash TEXT,                 -- scrypt$N$r$p$salt$hash; NULL: reverse-proxy sign-in only
            created_at INTEGER NOT NULL,
            updated_at INTEGER NOT NULL,
            last_signin_at INTEGER
        );
        CREATE TABLE console_session (
            id_hash TEXT PRIMARY KEY,           -- hex SHA-256 of the cookie's value
            user_name TEXT NOT NULL REFERENCES console_user(name) ON DELETE CASCADE,
            csrf TEXT NOT NULL,
            created_at INTEGER NOT NULL,
            expires_at INTEGER NOT NULL,
            last_seen INTEGER NOT NULL
        );
        CREATE INDEX console_session_user ON console_session(user_name);
        CREATE TABLE published_module (
            id TEXT PRIMARY KEY,
            module TEXT NOT NULL,               -- JSON of the validated module
            fields TEXT NOT NULL,               -- JSON of the form as the educator filled it
            state TEXT NOT NULL,                -- live | retired
            created_by TEXT NOT NULL,
            created_at INTEGER NOT NULL,
            updated_by TEXT NOT NULL,
            updated_at INTEGER NOT NULL
        );
        CREATE TABLE module_audit (
            seq INTEGER PRIMARY KEY,
            module_id TEXT NOT NULL,
            action TEXT NOT NULL,               -- created | edited | retired | restored
            actor TEXT NOT NULL,
            at INTEGER NOT NULL,
            fields TEXT NOT NULL                -- JSON of the form after the change
        );
        CREATE INDEX module_audit_module ON module_audit(module_id, seq);
        CREATE TABLE plan_unmet (
            staff_id TEXT NOT NULL,
            module_id TEXT NOT NULL,
            reason TEXT NOT NULL,
            PRIMARY KEY (module_id, staff_id)
        ) WITHOUT ROWID;
        CREATE INDEX plan_unmet_staff ON plan_unmet(staff_id);
        """

    // MARK: users

    public func addConsoleUser(_ u: ConsoleUser) throws {
        try pool.write { db in
            if try Bool.fetchOne(db, sql: "SELECT 1 FROM console_user WHERE name = ?", arguments: [u.name]) == true {
                throw ConsoleAccountError.exists(u.name)
            }
            try db.execute(sql: """
                INSERT INTO console_user (name, role, password_hash, created_at, updated_at) VALUES (?, ?, ?, ?, ?)
                """, arguments: [u.name, u.role.rawValue, u.passwordHash, u.createdAt.seconds, u.createdAt.seconds])
        }
    }

    /// Removes a user and signs out every browser of theirs.
    public func removeConsoleUser(_ name: String) throws {
        try pool.write { db in
            try db.execute(sql: "DELETE FROM console_session WHERE user_name = ?", arguments: [name])
            try db.execute(sql: "DELETE FROM console_user WHERE name = ?", arguments: [name])
            if db.changesCount == 0 { throw ConsoleAccountError.unknown(name) }
        }
    }

    /// Sets a password (and optionally a role) and signs out every browser of the user.
    public func updateConsoleUser(_ name: String, passwordHash: String?, role: ConsoleRole?, now: Instant) throws {
        try pool.write { db in
            if let passwordHash {
                try db.execute(sql: "UPDATE console_user SET password_hash = ?, updated_at = ? WHERE name = ?",
                               arguments: [passwordHash, now.seconds, name])
            }
            if let role {
                try db.execute(sql: "UPDATE console_user SET role = ?, updated_at = ? WHERE name = ?",
                               arguments: [role.rawValue, now.seconds, name])
            }
            guard try Bool.fetchOne(db, sql: "SELECT 1 FROM console_user WHERE name = ?", arguments: [name]) == true else {
                throw ConsoleAccountError.unknown(name)
            }
            try db.execute(sql: "DELETE FROM console_session WHERE user_name = ?", arguments: [name])
        }
    }

    public func consoleUsers() throws -> [ConsoleUser] {
        try pool.read { db in try Row.fetchAll(db, sql: "SELECT * FROM console_user ORDER BY name").map(Self.consoleUser) }
    }

    public func consoleUser(named name: String) throws -> ConsoleUser? {
        try pool.read { db in
            try Row.fetchOne(db, sql: "SELECT * FROM console_user WHERE name = ?", arguments: [name]).map(Self.consoleUser)
        }
    }

    static func consoleUser(_ row: Row) -> ConsoleUser {
        ConsoleUser(name: row["name"], role: ConsoleRole(rawValue: row["role"]) ?? .viewer, passwordHash: row["password_hash"],
                    createdAt: Instant(seconds: row["created_at"]),
                    lastSignIn: (row["last_signin_at"] as Int64?).map(Instant.init(seconds:)))
    }

    // MARK: sessions

    /// Starts a session after a sign-in; `replacing` (the session the browser presented, if
    /// any) ends in the same transaction, so no id known before the sign-in survives it.
    public func startConsoleSession(idHash: String, user: String, csrf: String, now: Instant, expiresAt: Instant,
                                    replacing: String?) throws {
        try pool.write { db in
            if let replacing { try db.execute(sql: "DELETE FROM console_session WHERE id_hash = ?", arguments: [replacing]) }
            try db.execute(sql: "DELETE FROM console_session WHERE expires_at <= ?", arguments: [now.seconds])
            try db.execute(sql: """
                INSERT INTO console_session (id_hash, user_name, csrf, created_at, expires_at, last_seen) VALUES (?, ?, ?, ?, ?, ?)
                """, arguments: [idHash, user, csrf, now.seconds, expiresAt.seconds, now.seconds])
            try db.execute(sql: "UPDATE console_user SET last_signin_at = ? WHERE name = ?", arguments: [now.seconds, user])
        }
    }

    /// The live session with this id hash: not expired, and not idle longer than `idleSeconds`.
    public func consoleSession(idHash: String, now: Instant, idleSeconds: Int64) throws -> ConsoleSession? {
        try pool.read { db in
            guard let row = try Row.fetchOne(db, sql: """
                SELECT s.*, u.role FROM console_session s JOIN console_user u ON u.name = s.user_name
                WHERE s.id_hash = ? AND s.expires_at > ? AND s.last_seen > ?
                """, arguments: [idHash, now.seconds, now.seconds - idleSeconds]) else { return nil }
            return ConsoleSession(idHash: row["id_hash"], user: row["user_name"], role: ConsoleRole(rawValue: row["role"]) ?? .viewer,
                                  csrf: row["csrf"], createdAt: Instant(seconds: row["created_at"]),
                                  expiresAt: Instant(seconds: row["expires_at"]), lastSeen: Instant(seconds: row["last_seen"]))
        }
    }

    /// Notes that a session was used (called at most once a minute per session).
    public func touchConsoleSession(idHash: String, now: Instant) throws {
        try pool.write { db in
            try db.execute(sql: "UPDATE console_session SET last_seen = ? WHERE id_hash = ?", arguments: [now.seconds, idHash])
        }
    }

    public func endConsoleSession(idHash: String) throws {
        try pool.write { db in try db.execute(sql: "DELETE FROM console_session WHERE id_hash = ?", arguments: [idHash]) }
    }

    public func consoleSessionCount(user: String) throws -> Int {
        try pool.read { db in try Int.fetchOne(db, sql: "SELECT count(*) FROM console_session WHERE user_name = ?", arguments: [user]) ?? 0 }
    }
}
