/// How fast a module reaches everyone eligible: when 50 %, 90 % and 100 % of eligible staff are
/// projected trained by the plan, next to the lower bound the roster itself imposes (each
/// person's earliest possible slot if slack were unlimited and nothing else were planned).
public struct SurgeReport: Sendable, Equatable {
    public var moduleID: String
    public var eligible: Int
    /// Already holding the module at the start of the horizon.
    public var alreadyTrained: Int
    /// Instants at which 50 %, 90 % and 100 % are trained; `nil` when not reached in the horizon.
    public var planned: [Int: Instant]
    public var bound: [Int: Instant]

    public static let percents = [50, 90, 100]

    public init(plan: Plan, input: PlanningInput, moduleID: String) {
        self.moduleID = moduleID
        let module = input.modules.first { $0.id == moduleID }
        var eligibleStaff: Set<String> = []
        for s in input.shifts where s.kind == .shift && s.interval.overlaps(input.horizon) {
            if module?.isEligible(role: s.role, unit: s.unit) == true { eligibleStaff.insert(s.staffID) }
        }
        eligible = eligibleStaff.count
        var held: Set<String> = []
        for c in input.completions where c.moduleID == moduleID && eligibleStaff.contains(c.staffID) {
            if let module, NeedFinder.holds(module, completedAt: c.completedAt, at: input.now) { held.insert(c.staffID) }
        }
        alreadyTrained = held.count
        let plannedEnds = plan.assignments.filter { $0.moduleID == moduleID && !held.contains($0.staffID) }.map(\.interval.end)
        let boundEnds = module.map { Self.earliestEnds($0, input: input, people: eligibleStaff.subtracting(held)) } ?? []
        planned = Self.percentiles(plannedEnds, eligible: eligible, held: held.count, now: input.now)
        bound = Self.percentiles(boundEnds, eligible: eligible, held: held.count, now: input.now)
    }

    static func percentiles(_ ends: [Instant], eligible: Int, held: Int, now: Instant) -> [Int: Instant] {
        let sorted = ends.sorted()
        var out: [Int: Instant] = [:]
        for p in percents {
            let needed = (eligible * p + 99) / 100 - held
            if needed <= 0 { out[p] = now } else if needed <= sorted.count { out[p] = sorted[needed - 1] }
        }
        return out
    }

    /// Each person's earliest possible end: first grid slot in an eligible shift, clear of the
    /// buffers and busy blocks, at or after publication and the notification lead.
    static func earliestEnds(_ m: Module, input: PlanningInput, people: Set<String>) -> [Instant] {
        let step = Int64(input.policy.slotMinutes) * 60, length = Int64(m.minutes) * 60
        let busy = Dictionary(grouping: input.shifts.filter { $0.kind == .busy }, by: \.staffID)
        var best: [String: Instant] = [:]
        for s in input.shifts where s.kind == .shift && people.contains(s.staffID) && m.isEligible(role: s.role, unit: s.unit) {
            let p = input.policy(of: s.unit)
            let buffer = Int64(p.handoverBufferMinutes) * 60
            let from = max(input.now.adding(minutes: p.notifyLeadMinutes).ceiled(to: step), m.published.ceiled(to: step))
            var t = max(s.interval.start.adding(seconds: buffer), from).ceiled(to: step)
            let last = min(s.interval.end.adding(seconds: -buffer), input.horizon.end)
            while t.seconds + length <= last.seconds {
                let iv = Interval(start: t, end: t.adding(seconds: length))
                if !(busy[s.staffID] ?? []).contains(where: { $0.interval.overlaps(iv) }) {
                    if best[s.staffID].map({ iv.end < $0 }) ?? true { best[s.staffID] = iv.end }
                    break
                }
                t = t.adding(seconds: step)
            }
        }
        return Array(best.values)
    }

    public var json: JSONValue {
        func times(_ d: [Int: Instant]) -> JSONValue {
            .object(Dictionary(uniqueKeysWithValues: Self.percents.map { ("p\($0)", d[$0].map { JSONValue.string($0.rfc3339) } ?? .null) }))
        }
        return .object(["module_id": .string(moduleID), "eligible": .int(eligible), "already_trained": .int(alreadyTrained),
                        "planned": times(planned), "lower_bound": times(bound)])
    }

    public var table: String {
        var out = "Surge \(moduleID): \(eligible) eligible, \(alreadyTrained) already trained\n"
        for p in Self.percents {
            out += "  \(p)%: planned \(planned[p]?.rfc3339 ?? "not in horizon"), roster lower bound \(bound[p]?.rfc3339 ?? "not in horizon")\n"
        }
        return out
    }
}
