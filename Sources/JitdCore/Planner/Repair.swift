extension PlannerRun {
    /// How many swaps the repair pass may try: a count, not a clock, so plans stay deterministic.
    /// Each swap copies the run's state to be able to undo it, so the budget falls with the square
    /// of the hospital's size: full polish up to ~30 people, a few hundred swaps at 300, none past ~6,000.
    var repairBudget: Int { min(40_000, 40_000_000 / max(1, people.count * people.count)) }

    /// Improves the greedy plan by swaps: for each unmet online or classroom need, most valuable
    /// first, eject one planned online assignment that stands in its way (same person, or same
    /// unit and role), place the unmet need, and place the ejected one elsewhere if it can.
    /// A swap is kept only when the weighted score rises; otherwise it is undone exactly.
    mutating func improve() {
        var budget = repairBudget
        let committedIDs = Set(input.committed.map(\.id))
        let weightOf = Dictionary(needs.map { ($0.key, $0) }, uniquingKeysWith: { a, _ in a })
        let open = unmet.filter { $0.reason == .noGap || $0.reason == .understaffed }
            .compactMap { weightOf[$0.staffID + "\u{1F}" + $0.moduleID] }
            .filter { modules[$0.moduleID]?.kind != .drill }
            .sorted { ($0.weight, $1.staffID, $1.moduleID) > ($1.weight, $0.staffID, $0.moduleID) }
        guard !open.isEmpty else { return }
        for u in open where budget > 0 {
            guard let module = modules[u.moduleID], let from = earliestStart(module, for: u.staffID) else { continue }
            let units = Set(people[u.staffID]?.shifts.map { "\($0.unit)\u{1F}\($0.role)" } ?? [])
            let rivals = assignments.indices.filter { i in
                let a = assignments[i]
                guard !committedIDs.contains(a.id), a.group == nil, modules[a.moduleID]?.kind == .online,
                      weightOf[a.staffID + "\u{1F}" + a.moduleID] != nil,
                      a.staffID == u.staffID || units.contains("\(a.unit)\u{1F}\(a.role)") else { return false }
                // Never move what this need, or something already placed, builds on.
                return !isPrerequisiteInUse(a) && !(a.staffID == u.staffID && module.prerequisites.contains(a.moduleID))
            }.sorted { (weightOf[assignments[$0].staffID + "\u{1F}" + assignments[$0].moduleID]!.weight, assignments[$0].id)
                < (weightOf[assignments[$1].staffID + "\u{1F}" + assignments[$1].moduleID]!.weight, assignments[$1].id) }
            var done = false
            for i in rivals.prefix(12) where budget > 0 && !done {
                budget -= 1
                done = trySwap(u, module, from: from, eject: [i], weights: weightOf)
            }
            // Failing single swaps, clear the person's whole day of movable training and rebuild it.
            let own = rivals.filter { assignments[$0].staffID == u.staffID }
            if !done && own.count > 1 && budget > 0 {
                budget -= own.count
                _ = trySwap(u, module, from: from, eject: own, weights: weightOf)
            }
        }
    }

    /// Whether a placed assignment is the prerequisite another placed assignment relies on.
    func isPrerequisiteInUse(_ a: Assignment) -> Bool {
        guard let mine = placed[a.staffID] else { return false }
        return mine.keys.contains { id in
            modules[id]?.prerequisites.contains(a.moduleID) == true
        }
    }

    /// Ejects the assignments at `indices`, places `u`, then re-places the ejected needs (most
    /// valuable first) where they still fit. Keeps the result when the weighted score rose, else
    /// restores the run exactly as it was.
    mutating func trySwap(_ u: Need, _ module: Module, from: Instant, eject indices: [Int], weights: [String: Need]) -> Bool {
        let saved = self
        var ejected: [(Need, Module)] = []
        for i in indices.sorted(by: >) {
            let a = assignments[i]
            guard let need = weights[a.staffID + "\u{1F}" + a.moduleID], let m = modules[a.moduleID],
                  let k = people[a.staffID]?.shiftIndex(holding: a.interval, unit: a.unit, role: a.role) else {
                self = saved
                return false
            }
            unrecord(at: i, shift: k)
            ejected.append((need, m))
        }
        guard let start = earliestStart(module, for: u.staffID), let (ku, ivu, group) = placeSingle(u, module, from: max(from, start)) else {
            self = saved
            return false
        }
        record(u, module, shift: ku, at: ivu, group: group)
        var gain = u.weight
        var lost: [Need] = []
        for (need, m) in ejected.sorted(by: { ($0.0.weight, $1.0.moduleID) > ($1.0.weight, $0.0.moduleID) }) {
            if let f = earliestStart(m, for: need.staffID), let (k, iv, g) = placeSingle(need, m, from: f) {
                record(need, m, shift: k, at: iv, group: g)
            } else {
                gain -= need.weight
                lost.append(need)
            }
        }
        guard gain > 0 else {
            self = saved
            return false
        }
        unmet.removeAll { $0.staffID == u.staffID && $0.moduleID == u.moduleID }
        unmet += lost.map { UnmetNeed(staffID: $0.staffID, moduleID: $0.moduleID, reason: .noGap) }
        return true
    }

    /// Where one need could go now: the first free slot for online modules, the first session
    /// with a seat for classes.
    mutating func placeSingle(_ u: Need, _ module: Module, from: Instant) -> (Int, Interval, String?)? {
        if module.kind == .online { return firstSlot(for: u, module, from: from).map { ($0.0, $0.1, nil) } }
        guard module.kind == .classroom, let person = people[u.staffID] else { return nil }
        let length = Int64(module.minutes) * 60
        for session in module.sessions.sorted(by: { ($0.start, $0.location) < ($1.start, $1.location) }) {
            let iv = Interval(start: session.start, end: session.start.adding(seconds: length))
            guard iv.start >= max(earliest, from), iv.end <= input.horizon.end else { continue }
            let group = "c_" + StableHash.hex("\(module.id)\u{1F}\(session.start.seconds)\u{1F}\(session.location)")
            guard assignments.filter({ $0.group == group }).count < session.capacity else { continue }
            for (k, s) in person.shifts.enumerated() where module.isEligible(role: s.role, unit: s.unit)
                && person.isFree(iv, inShift: k) && grid.canRelease(.init(unit: s.unit, role: s.role), over: iv) {
                return (k, iv, group)
            }
        }
        return nil
    }

    /// Undoes `record` for the assignment at index `i`.
    mutating func unrecord(at i: Int, shift k: Int) {
        let a = assignments.remove(at: i)
        people[a.staffID]!.unbook(a.interval, inShift: k)
        grid.release(.init(unit: a.unit, role: a.role), over: a.interval, people: -1)
        placed[a.staffID]?[a.moduleID] = nil
        // Freed slack may let other people's full shifts take a session again.
        for key in people.keys where !(people[key]!.full.isEmpty) { people[key]!.full = [:] }
    }
}
