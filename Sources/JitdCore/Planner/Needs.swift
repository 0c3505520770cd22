/// A (person, module) pair that is due, with what the planner needs to rank it.
public struct Need: Hashable, Sendable {
    public var staffID: String
    public var moduleID: String
    /// When it should be done by; `nil` when the module has no due date.
    public var due: Instant?
    public var weight: Int
    /// Not placed before this (a booster's window opens `Booster.toleranceDays` before its target).
    public var notBefore: Instant? = nil

    /// One string naming the pair, for sets.
    var key: String { staffID + "\u{1F}" + moduleID }
}

extension PlanningInput {
    /// The needs of the people on the roster (eligibility by role and unit, publication,
    /// completion and recertification), each with its due date: what a plan tries to place, and
    /// what the daemon watches for due dates passed untrained.
    public func needs() -> [Need] { NeedFinder(input: self).needs() }
}

/// Finds the needs of the people on the roster: eligibility by role and unit, publication,
/// completion and recertification. Prerequisites are left to the planner, which may place
/// them earlier in the same plan.
struct NeedFinder {
    let input: PlanningInput

    /// Latest completion per person and module.
    private var lastCompletion: [String: [String: Instant]] {
        var out: [String: [String: Instant]] = [:]
        for c in input.completions {
            let old = out[c.staffID]?[c.moduleID]
            if old == nil || old! < c.completedAt { out[c.staffID, default: [:]][c.moduleID] = c.completedAt }
        }
        return out
    }

    /// Whether a person holds a module at an instant (completed, and not yet due for recertification).
    static func holds(_ module: Module, completedAt: Instant?, at t: Instant) -> Bool {
        guard let done = completedAt else { return false }
        guard let recur = module.recurDays else { return true }
        return done.adding(seconds: Int64(recur) * 86_400) > t
    }

    func needs() -> [Need] {
        let horizon = input.horizon
        let completed = lastCompletion
        // The (unit, role) pairs each person works in the horizon, and when they first appear.
        var posts: [String: Set<[String]>] = [:]
        for s in input.shifts where s.kind == .shift && s.interval.overlaps(horizon) {
            posts[s.staffID, default: []].insert([s.unit, s.role])
        }
        var out: [Need] = []
        let modules = input.modules.filter { Booster.parse($0.id) == nil }.sorted { $0.id < $1.id }
        let boosters = Set(input.modules.map(\.id).filter { Booster.parse($0) != nil })
        for staff in posts.keys.sorted() {
            for module in modules {
                guard posts[staff]!.contains(where: { module.isEligible(role: $0[1], unit: $0[0]) }) else { continue }
                let done = completed[staff]?[module.id]
                // A recertification is due for renewal from `renew_window_days` before it lapses
                // (or as soon as it shows in the horizon, when that comes later).
                let renewalOpens = module.renewalWindowDays.map { max(horizon.end, input.now.adding(seconds: Int64($0) * 86_400)) }
                    ?? horizon.end
                if Self.holds(module, completedAt: done, at: renewalOpens) {
                    if let done { out += boosterNeeds(staff, module, completedAt: done, completed: completed[staff] ?? [:], known: boosters) }
                    continue
                }
                out.append(Need(staffID: staff, moduleID: module.id,
                                due: dueDate(module, completedAt: done, firstSeen: input.staffFirstSeen[staff]),
                                weight: module.priority.weight))
            }
        }
        return out
    }

    /// The boosters of a module the person completed at `completedAt`: booster N is due from
    /// `Booster.toleranceDays` before its target (the completion plus its reinforcement day) while
    /// that shows in the horizon, until `Booster.lateDays` after it, unless done since the
    /// completion.
    func boosterNeeds(_ staff: String, _ module: Module, completedAt: Instant, completed: [String: Instant], known: Set<String>) -> [Need] {
        var out: [Need] = []
        for (i, days) in module.reinforceDays.enumerated() {
            let id = Booster.moduleID(module.id, i + 1)
            guard known.contains(id) else { continue }
            let target = completedAt.adding(seconds: Int64(days) * 86_400)
            let opens = target.adding(seconds: -Int64(Booster.toleranceDays) * 86_400)
            let closes = target.adding(seconds: Int64(Booster.lateDays) * 86_400)
            guard opens < input.horizon.end, input.now < closes else { continue }
            if let done = completed[id], done >= completedAt { continue }
            out.append(Need(staffID: staff, moduleID: id, due: target.adding(seconds: Int64(Booster.toleranceDays) * 86_400),
                            weight: module.reinforcePriority.weight, notBefore: opens))
        }
        return out
    }

    private func dueDate(_ module: Module, completedAt: Instant?, firstSeen: Instant?) -> Instant? {
        if let done = completedAt, let recur = module.recurDays {
            return done.adding(seconds: Int64(recur) * 86_400)
        }
        guard let days = module.dueDays else { return nil }
        return max(module.published, firstSeen ?? module.published).adding(seconds: Int64(days) * 86_400)
    }
}
