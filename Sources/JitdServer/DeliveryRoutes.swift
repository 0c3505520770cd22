import Foundation
import Hummingbird
import JitdCore
import JitdStore

/// Dead webhook deliveries and their redelivery:
/// `GET /v1/deliveries/dead[?endpoint=NAME]`, `POST /v1/deliveries/{id}/redeliver`,
/// `POST /v1/deliveries/redeliver?endpoint=NAME`.
struct DeliveryRoutes {
    let store: Store
    let hooks: APIHooks

    func register(_ routes: RouteTable) {
        routes.get("/v1/deliveries/dead") { request, _ in try await StoreThreads.run { try dead(QueryInput(request)) } }
        routes.post("/v1/deliveries/{id}/redeliver") { _, context in
            let id = try context.parameters.require("id")
            return try await StoreThreads.run { try redeliverOne(id) }
        }
        routes.post("/v1/deliveries/redeliver") { request, _ in try await StoreThreads.run { try redeliverEndpoint(QueryInput(request)) } }
    }

    func dead(_ q: QueryInput) throws -> Response {
        let endpoint = try q.string("endpoint")
        let limit = try q.int("limit", in: 1...1000) ?? 100
        let rows = try store.deadDeliveries(endpoint: endpoint, before: try IDCursor.decode(q), limit: limit)
        var w = JSONWriter(capacity: 512 * max(1, rows.count))
        w.beginObject()
        w.key("deliveries"); w.beginArray()
        for d in rows { Self.write(d, &w) }
        w.endArray()
        w.key("next_cursor")
        if rows.count == limit, let last = rows.last { w.string(String(last.message.id)) } else { w.null() }
        w.endObject()
        return JSONResponse.buffer(w.buffer)
    }

    /// Queues a dead message again now. Asking again while it waits (pending or in flight) changes
    /// nothing and is not an error; a message that was delivered, expired or cancelled is a 409.
    func redeliverOne(_ raw: String) throws -> Response {
        guard raw.count <= 18, raw.allSatisfy({ $0.isASCII && $0.isNumber }), let id = Int64(raw),
              let before = try store.delivery(id: id) else {
            throw Problem.notFound("no delivery \(raw)")
        }
        var redelivered = false
        switch before.message.state {
        case .dead:
            redelivered = try store.redeliver(ids: [id], now: hooks.now()) > 0
            hooks.outboxChanged()
        case .pending, .leased:
            break
        default:
            throw Problem(status: .conflict, detail: "delivery \(id) is \(before.message.state.rawValue); only dead deliveries can be redelivered")
        }
        let after = try store.delivery(id: id) ?? before
        var w = JSONWriter()
        w.beginObject()
        w.key("delivery"); Self.write(after, &w)
        w.key("redelivered"); w.bool(redelivered)
        w.endObject()
        return JSONResponse.buffer(w.buffer)
    }

    func redeliverEndpoint(_ q: QueryInput) throws -> Response {
        let endpoint = try q.required("endpoint")
        let n = try store.redeliver(endpoint: endpoint, now: hooks.now())
        if n > 0 { hooks.outboxChanged() }
        return JSONResponse.make(.object(["endpoint": .string(endpoint), "redelivered": .int(n)]))
    }

    /// A message with its attempts, keys in sorted order.
    static func write(_ d: DeadDelivery, _ w: inout JSONWriter) {
        let m = d.message
        w.beginObject()
        w.key("assignment_id"); w.string(m.assignmentID)
        w.key("attempts"); w.beginArray()
        for a in d.attempts {
            w.beginObject()
            w.key("at"); w.instant(a.at)
            w.key("attempt"); w.int(a.attempt)
            w.key("duration_ms"); w.int(a.durationMs)
            w.key("error"); w.string(a.error)
            w.key("status"); w.int(a.status)
            w.endObject()
        }
        w.endArray()
        w.key("created_at"); w.instant(m.createdAt)
        w.key("endpoint"); w.string(m.endpoint)
        w.key("event")
        if let event = try? JSONDecoder().decode(JSONValue.self, from: m.body) { w.value(event) } else { w.null() }
        w.key("id"); w.int(m.id)
        w.key("last_error"); w.string(m.lastError)
        w.key("run_at"); w.instant(m.runAt)
        w.key("state"); w.string(m.state.rawValue)
        w.key("type"); w.string(m.type)
        w.key("updated_at"); w.instant(d.updatedAt)
        w.key("webhook_id"); w.string(m.eventID)
        w.endObject()
    }
}

/// `GET /v1/inbox/files`: the files the inbox handled, newest first, with their outcome.
struct InboxRoutes {

    let store: Store

    func register(_ routes: RouteTable) {
        routes.get("/v1/inbox/files") { request, _ in try await StoreThreads.run { try list(QueryInput(request)) } }
    }

    func list(_ q: QueryInput) throws -> Response {
        let outcome = try q.oneOf("outcome", InboxFileOutcome.self)
        let kind = try q.oneOf("kind", InboxFileKind.self)
        let limit = try q.int("limit", in: 1...1000) ?? 100
        let rows = try store.inboxFiles(outcome: outcome, kind: kind, before: try IDCursor.decode(q), limit: limit)
        var w = JSONWriter(capacity: 256 * max(1, rows.count))
        w.beginObject()
        w.key("files"); w.beginArray()
        for f in rows {
            w.beginObject()
            w.key("id"); w.int(f.id)
            w.key("kind"); w.string(f.kind.rawValue)
            w.key("name"); w.string(f.name)
            w.key("outcome"); w.string(f.outcome.rawValue)
            w.key("received_at"); w.instant(f.receivedAt)
            w.key("sha256"); w.string(f.sha256)
            w.key("summary")
            if let s = try? JSONDecoder().decode(JSONValue.self, from: Data(f.summary.utf8)), case .object = s { w.value(s) } else {
                w.value(.object([:]))
            }
            w.endObject()
        }
        w.endArray()
        w.key("next_cursor")
        if rows.count == limit, let last = rows.last { w.string(String(last.id)) } else { w.null() }
        w.endObject()
        return JSONResponse.buffer(w.buffer)
    }
}
