import Foundation
import GRDB
import JitdCore

/// A module published in the console: kept beside the file catalog, with the form it came from.
public struct PublishedModule: Sendable, Hashable {
    public enum State: String, Sendable { case live, retired }
    public var module: Module
    /// The form as the educator last saved it (field name to text), to edit it again.
    public var fields: [String: String]
    public var state: State
    public var createdBy: String
    public var createdAt: Instant
    public var updatedBy: String
    public var updatedAt: Instant
}

/// One change to a published module: who, when, what the form said after it.
public struct ModuleAuditEntry: Sendable, Hashable {
    public var seq: Int64
    public var moduleID: String
    /// `created`, `edited`, `retired` or `restored`.
    public var action: String
    public var actor: String
    public var at: Instant
    public var fields: [String: String]
}

extension Store {
    /// Published modules, live first then retired, each by id.
    public func publishedModules() throws -> [PublishedModule] {
        try pool.read { db in
            try Row.fetchAll(db, sql: "SELECT * FROM published_module ORDER BY state = 'retired', id").compactMap(Self.published)
        }
    }

    /// The live published modules, for the catalog the planner plans with.
    public func livePublishedModules() throws -> [Module] {
        try publishedModules().filter { $0.state == .live }.map(\.module)
    }

    public func publishedModule(id: String) throws -> PublishedModule? {
        try pool.read { db in
            try Row.fetchOne(db, sql: "SELECT * FROM published_module WHERE id = ?", arguments: [id]).flatMap(Self.published)
        }
    }

    /// Creates (`created`), replaces (`edited`), retires (`retired`) or brings back (`restored`) a
    /// module, and records the change, in one transaction.
    public func recordPublishedModule(_ module: Module, fields: [String: String], state: PublishedModule.State,
                                      action: String, actor: String, now: Instant) throws {
        let moduleJSON = String(decoding: try JSONEncoder().encode(module), as: UTF8.self)
        let fieldsJSON = Self.fieldsJSON(fields)
        try pool.write { db in
            try db.execute(sql: """
                INSERT INTO published_module (id, module, fields, state, created_by, created_at, updated_by, updated_at)
                VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?5, ?6)
                ON CONFLICT(id) DO UPDATE SET module = ?2, fields = ?3, state = ?4, updated_by = ?5, updated_at = ?6
                """, arguments: [module.id, moduleJSON, fieldsJSON, state.rawValue, actor, now.seconds])
            try db.execute(sql: "INSERT INTO module_audit (module_id, action, actor, at, fields) VALUES (?, ?, ?, ?, ?)",
                           arguments: [module.id, action, actor, now.seconds, fieldsJSON])
        }
    }

    /// The latest changes, newest first; of one module when `moduleID` is given.
    public func moduleAudit(moduleID: String? = nil, limit: Int = 100) throws -> [ModuleAuditEntry] {
        try pool.read { db in
            let rows = if let moduleID {
                try Row.fetchAll(db, sql: "SELECT * FROM module_audit WHERE module_id = ? ORDER BY seq DESC LIMIT ?",
                                 arguments: [moduleID, limit])
            } else {
                try Row.fetchAll(db, sql: "SELECT * FROM module_audit ORDER BY seq DESC LIMIT ?", arguments: [limit])
            }
            return rows.map { r in
                ModuleAuditEntry(seq: r["seq"], moduleID: r["module_id"], action: r["action"], actor: r["actor"],
                                 at: Instant(seconds: r["at"]), fields: Self.fields(r["fields"]))
            }
        }
    }

    static func published(_ r: Row) -> PublishedModule? {
        guard let module = try? JSONDecoder().decode(Module.self, from: Data((r["module"] as String).utf8)) else { return nil }
        return PublishedModule(module: module, fields: fields(r["fields"]), state: PublishedModule.State(rawValue: r["state"]) ?? .retired,
                               createdBy: r["created_by"], createdAt: Instant(seconds: r["created_at"]),
                               updatedBy: r["updated_by"], updatedAt: Instant(seconds: r["updated_at"]))
    }

    static func fieldsJSON(_ f: [String: String]) -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = .sortedKeys
        return String(decoding: (try? encoder.encode(f)) ?? Data("{}".utf8), as: UTF8.self)
    }

    static func fields(_ text: String) -> [String: String] {
        (try? JSONDecoder().decode([String: String].self, from: Data(text.utf8))) ?? [:]
    }
}
