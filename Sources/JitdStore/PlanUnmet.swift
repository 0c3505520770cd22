import GRDB
import JitdCore

/// An unmet need of the latest plan, as the store keeps it.
public struct UnmetRecord: Sendable, Hashable {
    public var staffID: String
    public var moduleID: String
    /// `no_gap`, `understaffed`, `capacity`, `prerequisite` or `not_published` (the plan document's reasons, docs/integration.md).
    public var reason: String
}

extension Store {
    /// Keeps the latest plan's unmet needs with their reasons, replacing the previous plan's;
    /// called by ``savePlan(_:now:leadSeconds:scheduled:cancelled:)`` inside its transaction, so
    /// the reasons the console shows are those of the assignments it shows.
    static func saveUnmet(_ db: Database, _ unmet: [UnmetNeed]) throws {
        try db.execute(sql: "DELETE FROM plan_unmet")
        let insert = try db.makeStatement(sql: "INSERT OR REPLACE INTO plan_unmet (staff_id, module_id, reason) VALUES (?, ?, ?)")
        for u in unmet { try insert.execute(arguments: [u.staffID, u.moduleID, u.reason.rawValue]) }
    }

    /// The latest plan's unmet needs of a module, or of a person.
    public func unmetNeeds(moduleID: String? = nil, staffID: String? = nil) throws -> [UnmetRecord] {
        try pool.read { db in
            var sql = "SELECT staff_id, module_id, reason FROM plan_unmet WHERE 1"
            var args: [any DatabaseValueConvertible] = []
            if let moduleID { sql += " AND module_id = ?"; args.append(moduleID) }
            if let staffID { sql += " AND staff_id = ?"; args.append(staffID) }
            return try Row.fetchAll(db, sql: sql + " ORDER BY module_id, staff_id", arguments: StatementArguments(args)).map { r in
                UnmetRecord(staffID: r["staff_id"], moduleID: r["module_id"], reason: r["reason"])
            }
        }
    }
}
