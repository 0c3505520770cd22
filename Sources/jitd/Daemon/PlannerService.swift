import Foundation
import JitdCore
import JitdStore
import Logging
import ServiceLifecycle

/// Re-plans when something changed (a roster, completions, the catalog) and on a timer, and saves
/// the plan with its outbox messages in one transaction.
struct PlannerService: Service {
    let runtime: Runtime
    let heartbeat: Heartbeat

    func run() async throws {
        let interval = Double(runtime.config.policy.replanIntervalMinutes * 60)
        while !Task.isCancelled && !Task.isShuttingDownGracefully {
            await withGracefulShutdownHandler {
                await runtime.planChanged.wait(seconds: interval)
            } onGracefulShutdown: {
                runtime.planChanged.notify()
            }
            if Task.isShuttingDownGracefully { break }
            do { try replan() } catch { runtime.logger.error("planning failed: \(error); trying again on the next change") }
            heartbeat.beat(.planner)
        }
    }

    /// Plans from the store's current state and saves the result. Returns what changed.
    @discardableResult
    func replan() throws -> (Plan, PlanChange) {
        let now = runtime.clock()
        let input = try snapshot(now: now)
        let started = DispatchTime.now()
        let plan = Planner().plan(input)
        let ms = Double(DispatchTime.now().uptimeNanoseconds - started.uptimeNanoseconds) / 1e6
        let modules = Dictionary(runtime.catalog.current.map { ($0.id, $0) }, uniquingKeysWith: { a, _ in a })
        let names = Dictionary(input.shifts.compactMap { s in s.name.map { (s.staffID, $0) } }, uniquingKeysWith: { a, _ in a })
        let runtime = self.runtime
        let change = try runtime.store.savePlan(plan, now: now, leadSeconds: Int64(runtime.config.policy.notifyLeadMinutes) * 60,
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
        runtime.outboxChanged.notify()
        runtime.logger.info("planned in \(String(format: "%.1f", ms)) ms: \(plan.assignments.count) assignments, \(plan.unmet.count) unmet; +\(change.added) −\(change.removed) =\(change.kept), \(change.cancelled) cancelled")
        return (plan, change)
    }

    func snapshot(now: Instant) throws -> PlanningInput {
        let horizonEnd = now.adding(seconds: Int64(runtime.config.policy.horizonHours) * 3600)
        var input = PlanningInput(
            now: now, policy: runtime.config.policy, siteZone: runtime.config.siteZone, unitZones: runtime.config.unitZones,
            shifts: try runtime.store.shifts(overlapping: Interval(start: now.adding(seconds: -86_400), end: horizonEnd)),
            coverage: runtime.config.coverage, modules: runtime.catalog.current,
            completions: try runtime.store.completions(),
            committed: try runtime.store.committedAssignments(endingAfter: now))
        input.staffFirstSeen = try runtime.store.staffFirstSeen()
        return input
    }
}

/// Proof that the daemon's loops are alive, for the systemd watchdog.
final class Heartbeat: @unchecked Sendable {
    enum Loop: CaseIterable { case planner, inbox }
    private let lock = NSLock()
    private var last: [Loop: UInt64] = [:]

    init() { for l in Loop.allCases { last[l] = DispatchTime.now().uptimeNanoseconds } }

    func beat(_ loop: Loop) { lock.withLock { last[loop] = DispatchTime.now().uptimeNanoseconds } }

    /// Whether every loop has beaten within `seconds`.
    func allAlive(within seconds: Double) -> Bool {
        let now = DispatchTime.now().uptimeNanoseconds
        return lock.withLock { last.values.allSatisfy { Double(now - $0) / 1e9 <= seconds } }
    }
}
