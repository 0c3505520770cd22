import Foundation
import JitdCore
import JitdIngest
import JitdStore
import Logging

/// The use case "re-plan": a snapshot of the store (the roster around the horizon, the history
/// of the people on it, what was promised), the planner on it, and the plan saved with its
/// outbox messages in one transaction.
public struct Replanner: Sendable {
    let runtime: Runtime

    public init(runtime: Runtime) { self.runtime = runtime }

    /// Plans from the store's current state and saves the result. Returns what changed.
    @discardableResult
    public func replan() throws -> (Plan, PlanChange) {
        let now = runtime.now()
        let config = runtime.config
        let input = try snapshot(now: now, config: config)
        runtime.status.record(shifts: input.shifts)
        let started = DispatchTime.now()
        let plan = Planner().plan(input)
        let ms = Double(DispatchTime.now().uptimeNanoseconds - started.uptimeNanoseconds) / 1e6
        DaemonMetrics.planned(plan, nanoseconds: DispatchTime.now().uptimeNanoseconds - started.uptimeNanoseconds)
        let modules = Dictionary(runtime.catalog.current.map { ($0.id, $0) }, uniquingKeysWith: { a, _ in a })
        let names = Dictionary(input.shifts.compactMap { s in s.name.map { (s.staffID, $0) } }, uniquingKeysWith: { a, _ in a })
        let runtime = self.runtime
        let change = try runtime.store.savePlan(plan, now: now, leadSeconds: Int64(config.policy.notifyLeadMinutes) * 60,
            scheduled: { a in
                guard let m = modules[a.moduleID] else { return [] }
                return runtime.route("assignment.scheduled", unit: a.unit, name: names[a.staffID]) {
                    .assignmentScheduled(a, module: m, name: $0, at: now)
                }
            },
            cancelled: { a, reason in
                runtime.route("assignment.cancelled", unit: a.unit) { _ in .assignmentCancelled(a, reason: reason, at: now) }
            })
        let understaffed = plan.understaffed.filter { $0.interval.end > now }.flatMap { w in
            runtime.route("staffing.below_minimum", unit: w.unit) { _ in .belowMinimum(w, at: now) }
        }
        try runtime.store.enqueue(understaffed, runAt: now)
        runtime.latestPlan.record(plan, input)
        runtime.outboxChanged.notify()
        runtime.statusChanged.notify()
        runtime.logger.info("planned in \(String(format: "%.1f", ms)) ms: \(plan.assignments.count) assignments, \(plan.unmet.count) unmet; +\(change.added) −\(change.removed) =\(change.kept), \(change.cancelled) cancelled\(change.held > 0 ? ", \(change.held) held for their due messages" : "")")
        return (plan, change)
    }

    public func snapshot(now: Instant, config: Config) throws -> PlanningInput {
        let horizonEnd = now.adding(seconds: Int64(config.policy.horizonHours) * 3600)
        let shifts = try runtime.store.shifts(overlapping: Interval(start: now.adding(seconds: -86_400), end: horizonEnd))
        // Only the history of the people on the roster: the completions table may hold millions
        // of rows for people long gone.
        let staff = Set(shifts.map(\.staffID))
        var input = PlanningInput(
            now: now, policy: config.policy, siteZone: config.siteZone, unitZones: config.unitZones,
            shifts: shifts, coverage: config.coverage, modules: runtime.catalog.current,
            completions: try runtime.store.latestCompletions(of: staff),
            committed: try runtime.store.committedAssignments(endingAfter: now))
        input.staffFirstSeen = try runtime.store.staffFirstSeen(of: staff)
        // A declined time is not offered again: it becomes a busy block of that person.
        let declined = try runtime.store.assignments(state: .declined, from: now, limit: 100_000)
        input.shifts += declined.map {
            Shift(staffID: $0.assignment.staffID, role: $0.assignment.role, unit: $0.assignment.unit, kind: .busy,
                  interval: $0.assignment.interval)
        }
        return input
    }
}
