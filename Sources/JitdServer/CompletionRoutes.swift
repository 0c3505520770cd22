import Foundation
import Hummingbird
import JitdCore
import JitdStore

/// `POST /v1/completions`: an LMS reports who completed what, up to `maxCompletions` at a time.
///
/// The body is `{"completions": [{"staff_id", "module_id", "completed_at"}]}`. It is applied
/// whole in one transaction, or, when any item is bad, refused whole with a 400 listing every
/// bad item (`index`, `field`, `message`). Like the completions CSV of the inbox, a module id the
/// catalog does not know is kept (the LMS may know more modules than jitd plans).
struct CompletionRoutes {
    let store: Store
    let hooks: APIHooks
    let limits: APILimits

    func register(_ routes: RouteTable) {
        routes.post("/v1/completions") { request, _ in try await post(request) }
    }

    func post(_ request: Request) async throws -> Response {
        let body = try await JSONBody.read(request, limit: limits.maxBodyBytes)
        let now = hooks.now()
        let list = try Self.parse(body, max: limits.maxCompletions, latest: now.adding(seconds: 86_400))
        let hooks = self.hooks
        let recur = Dictionary(hooks.modules().map { ($0.id, $0.recurDays) }, uniquingKeysWith: { a, _ in a })
        let store = self.store
        let applied = try await StoreThreads.run {
            try store.applyCompletions(list, source: "api", now: now, holdsUntil: { c in
                guard let days = recur[c.moduleID] ?? nil else { return nil }
                return c.completedAt.adding(seconds: Int64(days) * 86_400)
            }, cancelledEvents: { a, reason in hooks.cancelledEvents(a, reason, now) }, learningEvents: hooks.learningEvents)
        }
        if applied.added > 0 || applied.assignmentsCancelled > 0 || applied.assignmentsCompleted > 0 {
            hooks.replan()
            hooks.outboxChanged()
        }
        return JSONResponse.make(.object([
            "received": .int(list.count), "added": .int(applied.added),
            "assignments_completed": .int(applied.assignmentsCompleted), "assignments_cancelled": .int(applied.assignmentsCancelled),
        ]))
    }

    /// The completions of a body, or a 400 naming every bad field.
    /// Completions later than `latest` (a day after now) are refused: one dated in the future
    /// (a typo in the year, a clock gone wrong) would hold for years.
    static func parse(_ body: JSONValue, max: Int, latest: Instant) throws -> [Completion] {
        guard case .object(let top) = body else {
            throw Problem.badRequest("the body must be a JSON object {\"completions\": [...]}, not \(JSONBody.typeName(body))")
        }
        guard let listValue = top["completions"] else {
            throw Problem.badRequest("'completions' is required: a list of {staff_id, module_id, completed_at}",
                                     errors: [.init(field: "completions", message: "required")])
        }
        guard case .array(let items) = listValue else {
            throw Problem.badRequest("'completions' must be an array, not \(JSONBody.typeName(listValue))",
                                     errors: [.init(field: "completions", message: "must be an array")])
        }
        guard items.count <= max else {
            throw Problem.badRequest("'completions' has \(items.count) items; at most \(max) are accepted per request",
                                     errors: [.init(field: "completions", message: "at most \(max) items")])
        }
        var out: [Completion] = []
        out.reserveCapacity(items.count)
        var errors: [Problem.FieldError] = []
        for (i, item) in items.enumerated() {
            let path = "completions[\(i)]"
            guard case .object(let o) = item else {
                errors.append(.init(index: i, field: path, message: "must be an object, not \(JSONBody.typeName(item))"))
                continue
            }
            var bad = false
            func text(_ key: String) -> String? {
                guard let v = o[key] else {
                    errors.append(.init(index: i, field: "\(path).\(key)", message: "required"))
                    bad = true
                    return nil
                }
                guard case .string(let s) = v else {
                    errors.append(.init(index: i, field: "\(path).\(key)", message: "must be a string, not \(JSONBody.typeName(v))"))
                    bad = true
                    return nil
                }
                guard !s.isEmpty else {
                    errors.append(.init(index: i, field: "\(path).\(key)", message: "must not be empty"))
                    bad = true
                    return nil
                }
                return s
            }
            let staff = text("staff_id"), module = text("module_id"), at = text("completed_at")
            var when: Instant? = nil
            if let at {
                when = StrictTime.parse(at)
                if when == nil {
                    errors.append(.init(index: i, field: "\(path).completed_at",
                                        message: "must be an RFC 3339 date-time with an offset, such as 2026-11-24T12:00:00Z"))
                    bad = true
                } else if let t = when, t > latest {
                    errors.append(.init(index: i, field: "\(path).completed_at",
                                        message: "is more than a day in the future; a completion is recorded once it happened"))
                    bad = true
                }
            }
            if !bad, let staff, let module, let when {
                out.append(Completion(staffID: staff, moduleID: module, completedAt: when))
            }
        }
        if let first = errors.first {
            let more = errors.count > 1 ? " (and \(errors.count - 1) more)" : ""
            throw Problem.badRequest("nothing was recorded: \(first.field) \(first.message)\(more)", errors: errors)
        }
        return out
    }
}
