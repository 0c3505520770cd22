import Foundation
import Hummingbird
import JitdCore
import JitdStore

/// `GET /v1/assignments` (filters: unit, staff_id, state, from, to; paged with `cursor`),
/// `GET /v1/assignments/{id}`, and `POST /v1/assignments/{id}/acknowledge|complete|decline`.
struct AssignmentRoutes {
    let store: Store
    let hooks: APIHooks

    func register(_ routes: RouteTable) {
        routes.get("/v1/assignments") { request, _ in try await StoreThreads.run { try list(request) } }
        routes.get("/v1/assignments/{id}") { _, context in
            let id = try context.parameters.require("id")
            return try await StoreThreads.run {
                guard let a = try store.assignment(id: id) else { throw Problem.notFound("no assignment \(id)") }
                return Self.response(a)
            }
        }
        for action in AssignmentAction.allCases {
            routes.post("/v1/assignments/{id}/\(action.rawValue)") { _, context in
                let id = try context.parameters.require("id")
                return try await StoreThreads.run { try change(id, action) }
            }
        }
    }

    func list(_ request: Request) throws -> Response {
        let q = QueryInput(request)
        let filter = AssignmentFilter(unit: try q.string("unit"), staffID: try q.string("staff_id"),
                                      state: try q.oneOf("state", AssignmentState.self),
                                      from: try q.instant("from"), to: try q.instant("to"))
        let limit = try q.int("limit", in: 1...1000) ?? 100
        var after: (Int64, String)? = nil
        if let c = try q.string("cursor") {
            guard let decoded = Cursor.decode(c) else {
                throw Problem.badRequest("'cursor' must be the next_cursor of a previous page")
            }
            after = decoded
        }
        var w = JSONWriter(capacity: 64 + limit * 300)
        w.beginObject()
        w.key("assignments")
        w.beginArray()
        var count = 0
        var last: (Int64, String)? = nil
        try store.visitAssignmentPage(filter, after: after, limit: limit) { row in
            Self.write(row, &w)
            count += 1
            if count == limit, let id = row.text(.id) { last = (row.int64(.start), String(decoding: id, as: UTF8.self)) }
        }
        w.endArray()
        w.key("next_cursor")
        if let (start, id) = last { w.string(Cursor.encode(start, id)) } else { w.null() }
        w.endObject()
        return JSONResponse.buffer(w.buffer)
    }

    /// Applies an integrator's acknowledge, complete or decline. The same call twice answers 200
    /// with the assignment as it is; a move its state does not allow is a 409 saying why.
    func change(_ id: String, _ action: AssignmentAction) throws -> Response {
        let now = hooks.now()
        let hooks = self.hooks
        let result = try store.transition(id, action, now: now, cancelledEvents: { a, reason in hooks.cancelledEvents(a, reason, now) },
                                          learningEvents: hooks.learningEvents)
        switch result {
        case .notFound:
            throw Problem.notFound("no assignment \(id)")
        case .illegal(let a):
            throw Problem(status: .conflict, detail: Self.refusal(action, a))
        case .unchanged(let a):
            return Self.response(a)
        case .changed(let a):
            if action != .acknowledge { hooks.replan() }
            hooks.outboxChanged()
            return Self.response(a)
        }
    }

    static func refusal(_ action: AssignmentAction, _ a: StoredAssignment) -> String {
        let allowed = action.sources.union([action.target]).map(\.rawValue).sorted().joined(separator: ", ")
        var text = "cannot \(action.rawValue) assignment \(a.assignment.id): it is \(a.state.rawValue)"
        if let r = a.reason { text += " (\(r))" }
        text += "; \(action.rawValue) is allowed from \(allowed)"
        if action == .complete && a.state != .completed {
            text += ". To record that the person completed the module anyway, POST it to /v1/completions"
        }
        return text
    }

    static func response(_ a: StoredAssignment) -> Response {
        var w = JSONWriter(capacity: 400)
        write(a, &w)
        return JSONResponse.buffer(w.buffer)
    }

    /// An assignment with its state, keys in sorted order.
    static func write(_ s: StoredAssignment, _ w: inout JSONWriter) {
        let a = s.assignment
        w.beginObject()
        let booster = Booster.parse(a.moduleID)
        if let booster { w.key("booster"); w.int(booster.number) }
        w.key("end"); w.instant(a.interval.end)
        w.key("group"); w.string(a.group)
        w.key("id"); w.string(a.id)
        w.key("module_id"); w.string(booster?.module ?? a.moduleID)
        w.key("reason"); w.string(s.reason)
        w.key("role"); w.string(a.role)
        w.key("staff_id"); w.string(a.staffID)
        w.key("start"); w.instant(a.interval.start)
        w.key("state"); w.string(s.state.rawValue)
        w.key("unit"); w.string(a.unit)
        w.key("updated_at"); w.instant(s.updatedAt)
        w.endObject()
    }

    /// The same object straight from the database row, in one write: the page fast path. Each
    /// column is read from SQLite once (every call takes the connection's mutex).
    static func write(_ row: AssignmentRowView, _ w: inout JSONWriter) {
        let group = row.text(.group), id = row.text(.id), module = row.text(.moduleID), reason = row.text(.reason)
        let role = row.text(.role), staff = row.text(.staffID), state = row.text(.state), unit = row.text(.unit)
        func size(_ t: UnsafeBufferPointer<UInt8>?) -> Int { JSONBytes.maxQuoted(t?.count ?? 2) }
        let max = 160 + 3 * JSONBytes.maxInstant + size(group) + size(id) + size(module) + size(reason) + size(role)
            + size(staff) + size(state) + size(unit)
        let start = row.int64(.start), end = row.int64(.end), updated = row.int64(.updatedAt)
        // A booster (`MODULE#booster-N`) shows as its module with `"booster": N` (see ``Booster``).
        let booster = module.flatMap(Self.boosterSuffix)
        w.inPlace(maxCount: max + 32) { p in
            func text(_ key: StaticString, _ t: UnsafeBufferPointer<UInt8>?) {
                p.bytes(key)
                if let t { p.quoted(t) } else { p.bytes("null") }
            }
            if let (_, number) = booster {
                p.bytes(#"{"booster":"#); p.bytes(number); p.bytes(#","end":"#)
            } else {
                p.bytes(#"{"end":"#)
            }
            p.instant(end)
            text(#","group":"#, group)
            text(#","id":"#, id)
            text(#","module_id":"#, booster.map { UnsafeBufferPointer(rebasing: module![..<$0.cut]) } ?? module)
            text(#","reason":"#, reason)
            text(#","role":"#, role)
            text(#","staff_id":"#, staff)
            p.bytes(#","start":"#); p.instant(start)
            text(#","state":"#, state)
            text(#","unit":"#, unit)
            p.bytes(#","updated_at":"#); p.instant(updated)
            p.byte(UInt8(ascii: "}"))
        }
    }
}

extension AssignmentRoutes {
    /// Where `#booster-N` starts in a module id's bytes, and N's digits; `nil` for other ids.
    static func boosterSuffix(_ id: UnsafeBufferPointer<UInt8>) -> (cut: Int, number: UnsafeBufferPointer<UInt8>)? {
        let marker = Array("#booster-".utf8)
        guard id.count > marker.count, let hash = id.lastIndex(of: UInt8(ascii: "#")), id.count - hash > marker.count,
              id[hash..<(hash + marker.count)].elementsEqual(marker) else { return nil }
        let digits = UnsafeBufferPointer(rebasing: id[(hash + marker.count)...])
        guard digits.allSatisfy({ (0x30...0x39).contains($0) }) else { return nil }
        return (hash, digits)
    }
}

/// Page cursors for assignments: `START:ID` of the last row, where START is Unix seconds.
/// Any string of that shape is a valid position, so a cursor never goes stale.
enum Cursor {
    static func encode(_ start: Int64, _ id: String) -> String { "\(start):\(id)" }

    static func decode(_ s: String) -> (Int64, String)? {
        // Split on the scalar, not the Character: a combining mark after ':' would merge with it.
        let scalars = s.unicodeScalars
        guard let colon = scalars.firstIndex(of: ":") else { return nil }
        let number = String(scalars[..<colon])
        let digits = number.hasPrefix("-") ? number.dropFirst() : number[...]
        guard (1...18).contains(digits.count), digits.allSatisfy({ $0.isASCII && $0.isNumber }), let start = Int64(number) else { return nil }
        return (start, String(scalars[scalars.index(after: colon)...]))
    }
}

/// Cursors for newest-first lists keyed by an integer id: the id of the last row.
enum IDCursor {
    static func decode(_ q: QueryInput) throws -> Int64? {
        guard let c = try q.string("cursor") else { return nil }
        guard (1...18).contains(c.count), c.allSatisfy({ $0.isASCII && $0.isNumber }), let v = Int64(c) else {
            throw Problem.badRequest("'cursor' must be the next_cursor of a previous page")
        }
        return v
    }
}
