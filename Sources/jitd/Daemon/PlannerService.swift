import Foundation
import JitdCore
import JitdIngest
import JitdStore
import JitdSystemd
import Logging
import ServiceLifecycle

/// Re-plans when something changed (a roster, completions, the catalog) and on a timer, and saves
/// the plan with its outbox messages in one transaction.
///
/// The loop comes back to its wait at least every `beatPeriod` (half the watchdog timeout under
/// systemd) and beats ``Liveness`` each time, re-planning only when a change arrived or the
/// replan interval ran out: the watchdog sees a loop that is really going round, not one that
/// merely planned within the last `replan_interval_minutes`.
struct PlannerService: Service {
    let runtime: Runtime
    let liveness: Liveness
    var beatPeriod: Duration = .seconds(60)
    /// How long one plan may keep the loop away before the watchdog counts it as stuck.
    var planBudget: Duration = .seconds(300)

    static let loopName = "planner"

    func run() async throws {
        // Changes arrive on `runtime.planChanged` from any service; a forwarder turns each into a
        // flag plus a wake-up of the loop's own signal, so the loop can tell "something changed"
        // from "time to beat" without racing the signal's timer.
        let wake = ChangeSignal()
        let changed = ChangeFlag()
        await withGracefulShutdownHandler {
            await withTaskGroup(of: Void.self) { group in
                group.addTask {
                    while !Task.isCancelled && !Task.isShuttingDownGracefully {
                        await runtime.planChanged.wait(seconds: 3600)
                        changed.set()
                        wake.notify()
                    }
                }
                group.addTask { await loop(wake: wake, changed: changed) }
                await group.next()
                group.cancelAll()
            }
        } onGracefulShutdown: {
            runtime.planChanged.notify()
            wake.notify()
        }
    }

    private func loop(wake: ChangeSignal, changed: ChangeFlag) async {
        let clock = ContinuousClock()
        var nextPlan = clock.now + replanInterval
        while !Task.isCancelled && !Task.isShuttingDownGracefully {
            let untilPlan = clock.now.duration(to: nextPlan)
            await wake.wait(seconds: Self.seconds(min(max(untilPlan, .zero), beatPeriod)))
            if Task.isCancelled || Task.isShuttingDownGracefully { break }
            await FaultInjection.stallIfRequested(Self.loopName, logger: runtime.logger)
            liveness.beat(Self.loopName)
            guard changed.take() || clock.now >= nextPlan else { continue }
            liveness.busy(Self.loopName, for: planBudget)
            await Self.planning.perform {
                do { try replan() } catch { runtime.logger.error("planning failed: \(error); trying again on the next change") }
            }
            liveness.beat(Self.loopName)
            nextPlan = clock.now + replanInterval
        }
    }

    /// Plans are made on a queue of their own, not on Swift's cooperative pool (one thread a
    /// core): a big hospital's plan takes seconds of CPU, and saving it may wait for SQLite's
    /// write lock behind an inbox file; webhook deliveries and the API must go on meanwhile.
    static let planning = DispatchQueue(label: "jitd.planner")

    private var replanInterval: Duration { .seconds(max(1, runtime.config.policy.replanIntervalMinutes) * 60) }

    static func seconds(_ d: Duration) -> Double {
        let c = d.components
        return Double(c.seconds) + Double(c.attoseconds) / 1e18
    }

    /// Plans from the store's current state and saves the result. Returns what changed.
    @discardableResult
    func replan() throws -> (Plan, PlanChange) {
        let now = runtime.clock()
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
        runtime.outboxChanged.notify()
        runtime.statusChanged.notify()
        runtime.logger.info("planned in \(String(format: "%.1f", ms)) ms: \(plan.assignments.count) assignments, \(plan.unmet.count) unmet; +\(change.added) −\(change.removed) =\(change.kept), \(change.cancelled) cancelled")
        return (plan, change)
    }

    func snapshot(now: Instant, config: Config) throws -> PlanningInput {
        let horizonEnd = now.adding(seconds: Int64(config.policy.horizonHours) * 3600)
        var input = PlanningInput(
            now: now, policy: config.policy, siteZone: config.siteZone, unitZones: config.unitZones,
            shifts: try runtime.store.shifts(overlapping: Interval(start: now.adding(seconds: -86_400), end: horizonEnd)),
            coverage: config.coverage, modules: runtime.catalog.current,
            completions: try runtime.store.completions(),
            committed: try runtime.store.committedAssignments(endingAfter: now))
        input.staffFirstSeen = try runtime.store.staffFirstSeen()
        input.unitPolicies = config.unitPolicies
        // A declined time is not offered again: it becomes a busy block of that person.
        let declined = try runtime.store.assignments(state: .declined, from: now, limit: 100_000)
        input.shifts += declined.map {
            Shift(staffID: $0.assignment.staffID, role: $0.assignment.role, unit: $0.assignment.unit, kind: .busy,
                  interval: $0.assignment.interval)
        }
        return input
    }
}

/// A flag set by one task and taken (read and cleared) by another.
final class ChangeFlag: @unchecked Sendable {
    private let lock = NSLock()
    private var value = false

    func set() { lock.withLock { value = true } }

    /// Whether the flag was set since the last take; clears it.
    func take() -> Bool { lock.withLock { defer { value = false }; return value } }
}
