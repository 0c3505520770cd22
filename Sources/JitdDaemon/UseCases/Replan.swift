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
    /// `quietIfUnchanged` logs a plan that changed nothing at `debug` (the loop's timer re-plans
    /// on a quiet day are no news for the journal); the start-up plan is always logged.
    @discardableResult
    public func replan(quietIfUnchanged: Bool = false) throws -> (Plan, PlanChange) {
        let now = runtime.now()
        let config = runtime.config
        try RecurringRosterExtender(runtime: runtime).extend()
        let rt = runtime
        let missed = try rt.store.markMissed(endedBy: now.adding(seconds: -Int64(config.policy.missedAfterMinutes) * 60), now: now) { a in
            rt.route("assignment.missed", unit: a.unit) { _ in .assignmentMissed(a, at: now) }
        }
        if !missed.isEmpty { runtime.logger.notice("\(missed.count) sessions ended without a completion: missed; their needs are placed again") }
        let input = try snapshot(now: now, config: config)
        runtime.status.record(shifts: input.shifts)
        let started = DispatchTime.now()
        let plan = Planner().plan(input)
        let ms = Double(DispatchTime.now().uptimeNanoseconds - started.uptimeNanoseconds) / 1e6
        DaemonMetrics.planned(plan, nanoseconds: DispatchTime.now().uptimeNanoseconds - started.uptimeNanoseconds)
        let modules = Dictionary(runtime.catalog.current.map { ($0.id, $0) }, uniquingKeysWith: { a, _ in a })
        let names = Dictionary(input.shifts.compactMap { s in s.name.map { (s.staffID, $0) } }, uniquingKeysWith: { a, _ in a })
        let runtime = self.runtime
        // The group bounds in force of the plan's drill teams, recorded with their new members.
        var teamBounds: [String: TeamBounds] = [:]
        for a in plan.assignments {
            guard let g = a.group, teamBounds[g] == nil, let m = modules[a.moduleID], m.kind == .drill else { continue }
            teamBounds[g] = TeamBounds(min: m.groupMin ?? 2, max: m.groupMax)
        }
        let change = try runtime.store.savePlan(plan, now: now, leadSeconds: Int64(config.policy.notifyLeadMinutes) * 60,
            unitLeadSeconds: config.unitPolicies.mapValues { Int64($0.notifyLeadMinutes) * 60 }, teamBounds: teamBounds,
            scheduled: { a in
                guard let m = modules[Booster.parse(a.moduleID)?.module ?? a.moduleID] else { return [] }
                let confirmBy = m.kind == .drill
                    ? Module.teamConfirmedBy(start: a.interval.start, leadMinutes: input.policy(of: a.unit).notifyLeadMinutes) : nil
                return runtime.route("assignment.scheduled", unit: a.unit, name: names[a.staffID]) {
                    .assignmentScheduled(a, module: m, name: $0, at: now, confirmBy: confirmBy)
                }
            },
            cancelled: { a, reason in
                runtime.route("assignment.cancelled", unit: a.unit) { _ in .assignmentCancelled(a, reason: reason, at: now) }
            })
        try runtime.store.announceShortages(plan.understaffed.filter { $0.interval.end > now }, now: now) { w in
            runtime.route("staffing.below_minimum", unit: w.unit) { _ in .belowMinimum(w, at: now) }
        }
        try watch(input, plan, now: now, config: config)
        do { try runtime.announceRequirements(plan, input) } catch {
            runtime.logger.error("cannot queue 'assigned' statements for learning record stores (the next plan tries again): \(error)")
        }
        runtime.latestPlan.record(plan, input)
        runtime.outboxChanged.notify()
        runtime.statusChanged.notify()
        let changed = change.added > 0 || change.removed > 0 || change.cancelled > 0
        runtime.logger.log(level: changed || !quietIfUnchanged ? .info : .debug, "planned in \(String(format: "%.1f", ms)) ms: \(plan.assignments.count) assignments, \(plan.unmet.count) unmet; +\(change.added) −\(change.removed) =\(change.kept), \(change.cancelled) cancelled\(change.held > 0 ? ", \(change.held) held for their due messages" : "")")
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
            shifts: shifts, coverage: config.coverage, modules: Booster.planned(runtime.catalog.current),
            completions: try runtime.store.latestCompletions(of: staff))
        let commitments = try runtime.store.planningCommitments(now: now, reach: now.adding(seconds: -86_400))
        input.committed = commitments.live
        // The last plan's sessions nobody was told of yet: the planner starts from them and keeps
        // them where it can, so that a timer re-plan does not reshuffle the future.
        input.previous = try runtime.store.uncommittedPlan(startingAfter: now)
        // The bounds the drill teams among them were scheduled under.
        input.teamBounds = try runtime.store.drillTeamBounds(of: Set((input.committed + input.previous).compactMap(\.group)))
        input.unconfirmed = try runtime.store.unconfirmedTeamMembers(startingAfter: now)
        input.booked = commitments.booked
        input.unheardCancellations = commitments.unheardCancellations
        input.retiredIDs = commitments.retiredIDs
        input.staffFirstSeen = try runtime.store.staffFirstSeen(of: staff)
        input.unitPolicies = config.unitPolicies
        // A declined time is not offered again: it becomes a busy block of that person.
        let declined = try runtime.store.assignments(state: .declined, from: now, limit: 100_000)
        input.shifts += declined.map {
            Shift(staffID: $0.assignment.staffID, role: $0.assignment.role, unit: $0.assignment.unit, kind: .busy,
                  interval: $0.assignment.interval)
        }
        return input
    }

    /// What a re-plan watches for besides the plan: units whose roster ran out (`roster.stale`
    /// once per spell, cleared when shifts appear again), and needs whose due date or lapse
    /// passed untrained (`training.overdue` once per person, module and due date).
    func watch(_ input: PlanningInput, _ plan: Plan, now: Instant, config: Config) throws {
        let runtime = self.runtime
        let ahead = input.horizon
        var ruled = Set(config.coverage.map(\.unit).filter { $0 != "*" })
        if config.coverage.contains(where: { $0.unit == "*" }) {
            ruled.formUnion(try runtime.store.rosteredUnits())
            ruled.formUnion(config.units.map(\.name))
        }
        let staffed = Set(input.shifts.filter { $0.kind == .shift && $0.interval.overlaps(ahead) }.map(\.unit))
        let stale = try runtime.store.recordStaleUnits(ruled.subtracting(staffed), now: now) { s in
            runtime.route("roster.stale", unit: s.unit) { _ in
                .rosterStale(unit: s.unit, lastShiftEnd: s.lastShiftEnd, since: s.since, horizonHours: config.policy.horizonHours, at: now)
            }
        }
        runtime.status.setStaleUnits(stale.map(\.unit))

        let titles = Dictionary(input.modules.map { ($0.id, $0.title) }, uniquingKeysWith: { a, _ in a })
        var unitOf: [String: String] = [:]
        for s in input.shifts.sorted(by: Shift.canonicalOrder) where s.kind == .shift && unitOf[s.staffID] == nil { unitOf[s.staffID] = s.unit }
        let held = Set(input.completions.map { $0.staffID + "\u{1F}" + $0.moduleID })
        let overdue = input.needs().compactMap { n -> OverdueNeed? in
            guard let due = n.due, due <= now, let unit = unitOf[n.staffID] else { return nil }
            return OverdueNeed(staffID: n.staffID, moduleID: n.moduleID, due: due, unit: unit)
        }
        let announced = try runtime.store.recordOverdue(overdue, now: now) { o in
            runtime.route("training.overdue", unit: o.unit) { _ in
                .trainingOverdue(staffID: o.staffID, moduleID: o.moduleID, title: titles[o.moduleID] ?? o.moduleID, unit: o.unit,
                                 due: o.due, recertification: held.contains(o.staffID + "\u{1F}" + o.moduleID), at: now)
            }
        }
        if announced > 0 { runtime.logger.notice("\(announced) people passed a due date untrained: training.overdue") }
        if !plan.unmet.isEmpty || announced > 0 { runtime.statusChanged.notify() }
    }
}
