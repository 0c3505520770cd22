import Foundation
import Hummingbird
import JitdCore
import JitdStore

/// `GET /v1/assignments` (filters: unit, staff_id, state, from, to; paged with `cursor`) and `GET /v1/assignments/{id}`.
struct AssignmentRoutes {
    let store: Store

    func register(_ group: RouterGroup<BasicRequestContext>) {
        group.get("assignments") { request, _ in try list(request) }
        group.get("assignments/{id}") { _, context in
            let id = try context.parameters.require("id")
            guard let a = try store.assignment(id: id) else {
                return Problem(status: .notFound, title: "Not Found", detail: "no assignment \(id)").response
            }
            return JSONResponse.make(.object(Self.json(a)))
        }
    }

    func list(_ request: Request) throws -> Response {
        let q = request.uri.queryParameters
        func instant(_ key: String) throws -> Instant? {
            guard let v = q[key[...]].map(String.init) else { return nil }
            guard let t = Instant(rfc3339: v) else {
                throw Problem(status: .badRequest, title: "Bad Request", detail: "'\(key)' must be an RFC 3339 time such as 2026-11-24T12:00:00Z")
            }
            return t
        }
        var state: AssignmentState? = nil
        if let s = q["state"].map(String.init) {
            guard let parsed = AssignmentState(rawValue: s) else {
                throw Problem(status: .badRequest, title: "Bad Request",
                              detail: "'state' must be one of \(AssignmentState.allCases.map(\.rawValue).joined(separator: ", "))")
            }
            state = parsed
        }
        let limit = min(1000, max(1, q["limit"].flatMap { Int($0) } ?? 100))
        var after: (Int64, String)? = nil
        if let c = q["cursor"].map(String.init) {
            guard let decoded = Cursor.decode(c) else { throw Problem(status: .badRequest, title: "Bad Request", detail: "'cursor' is not a cursor this server gave") }
            after = decoded
        }
        let rows = try store.assignments(unit: q["unit"].map(String.init), staff: q["staff_id"].map(String.init), state: state,
                                         from: try instant("from"), to: try instant("to"), after: after, limit: limit)
        var body: [String: JSONValue] = ["assignments": .array(rows.map { .object(Self.json($0)) })]
        if rows.count == limit, let last = rows.last {
            body["next_cursor"] = .string(Cursor.encode(last.assignment.interval.start.seconds, last.assignment.id))
        }
        return JSONResponse.make(.object(body))
    }

    static func json(_ s: StoredAssignment) -> [String: JSONValue] {
        var d = s.assignment.json
        d["state"] = .string(s.state.rawValue)
        if let r = s.reason { d["reason"] = .string(r) }
        d["updated_at"] = .string(s.updatedAt.rfc3339)
        return d
    }
}

/// Opaque page cursors: the (start, id) of the last row, base64url.
enum Cursor {
    static func encode(_ start: Int64, _ id: String) -> String {
        Data("\(start):\(id)".utf8).base64EncodedString().replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_")
    }

    static func decode(_ s: String) -> (Int64, String)? {
        var b = s.replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/")
        while b.count % 4 != 0 { b += "=" }
        guard let d = Data(base64Encoded: b), let text = String(data: d, encoding: .utf8),
              let colon = text.firstIndex(of: ":"), let start = Int64(text[..<colon]) else { return nil }
        return (start, String(text[text.index(after: colon)...]))
    }
}
