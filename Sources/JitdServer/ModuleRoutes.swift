import Foundation
import Hummingbird
import JitdCore
import JitdStore

/// `GET /v1/modules/{id}/progress`: how far the staff who must take a module have got.
///
/// Eligible staff are the people with a shift in the store between `window_days` ago and the end
/// of the planning horizon, in a role and unit the module names. A person counts as completed
/// while their latest completion holds (within `recur_days` when the module recurs). Per unit,
/// a person counts in every unit they were rostered on. The projected 90 % date is the end of
/// the planned (or notified, acknowledged) assignment that would bring completions to 90 % of
/// the eligible, if they all happen; `null` when the plan does not get there.
struct ModuleRoutes {
    let store: Store
    let hooks: APIHooks

    func register(_ routes: RouteTable) {
        routes.get("/v1/modules/{id}/progress") { request, context in
            let id = try context.parameters.require("id")
            return try await StoreThreads.run { try progress(id, QueryInput(request)) }
        }
    }

    struct Tally {
        var eligible: Set<String> = []
        var completed: Set<String> = []
        /// Eligible people past the due date (or lapse) untrained, as `training.overdue` announced.
        var overdue: Set<String> = []

        /// The end of the assignment that brings completions to 90 %, walking `upcoming` in order of end.
        func projection(_ upcoming: [Assignment]) -> Instant? {
            let target = (eligible.count * 9 + 9) / 10
            guard completed.count < target else { return nil }
            var done = completed
            for a in upcoming where eligible.contains(a.staffID) && !done.contains(a.staffID) {
                done.insert(a.staffID)
                if done.count >= target { return a.interval.end }
            }
            return nil
        }

        func write(_ w: inout JSONWriter, upcoming: [Assignment]) {
            let planned = Set(upcoming.lazy.filter { eligible.contains($0.staffID) && !completed.contains($0.staffID) }.map(\.staffID))
            w.key("completed"); w.int(completed.count)
            w.key("eligible"); w.int(eligible.count)
            w.key("overdue"); w.int(overdue.count)
            w.key("planned"); w.int(planned.count)
            w.key("projected_90_percent_at"); w.instant(projection(upcoming))
            w.key("reached_90_percent"); w.bool(!eligible.isEmpty && completed.count * 10 >= eligible.count * 9)
            w.key("share")
            if eligible.isEmpty { w.null() } else { w.double(Double(completed.count) / Double(eligible.count)) }
        }
    }

    func progress(_ id: String, _ q: QueryInput) throws -> Response {
        let days = try q.int("window_days", in: 1...366) ?? 30
        guard let module = hooks.modules().first(where: { $0.id == id }) else {
            throw Problem.notFound("no module \(id) in the catalog in force")
        }
        let now = hooks.now()
        let window = Interval(start: now.adding(seconds: -Int64(days) * 86_400), end: now.adding(seconds: hooks.horizonSeconds()))
        let input = try store.progressInputs(moduleID: id, window: window, now: now)
        func holds(_ staff: String) -> Bool {
            guard let done = input.latestCompletion[staff] else { return false }
            guard let recur = module.recurDays else { return true }
            return done.adding(seconds: Int64(recur) * 86_400) > now
        }
        var overall = Tally()
        var units: [String: Tally] = [:]
        for p in input.posts where module.isEligible(role: p.role, unit: p.unit) {
            overall.eligible.insert(p.staffID)
            units[p.unit, default: Tally()].eligible.insert(p.staffID)
            if holds(p.staffID) {
                overall.completed.insert(p.staffID)
                units[p.unit]!.completed.insert(p.staffID)
            } else if input.overdue.contains(p.staffID) {
                overall.overdue.insert(p.staffID)
                units[p.unit]!.overdue.insert(p.staffID)
            }
        }
        var w = JSONWriter()
        w.beginObject()
        w.key("as_of"); w.instant(now)
        w.key("module_id"); w.string(module.id)
        w.key("overall"); w.beginObject(); overall.write(&w, upcoming: input.upcoming); w.endObject()
        w.key("title"); w.string(module.title)
        w.key("units"); w.beginArray()
        for (unit, tally) in units.sorted(by: { $0.key < $1.key }) {
            w.beginObject()
            tally.write(&w, upcoming: input.upcoming)
            w.key("unit"); w.string(unit)
            w.endObject()
        }
        w.endArray()
        w.key("window"); w.beginObject(); w.key("from"); w.instant(window.start); w.key("to"); w.instant(window.end); w.endObject()
        w.endObject()
        return JSONResponse.buffer(w.buffer)
    }
}
