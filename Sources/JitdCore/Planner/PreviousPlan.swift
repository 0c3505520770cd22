extension PlannerRun {
    /// Starts the construction from the last plan (`PlanningInput.previous`): every placement of
    /// it that is still a need and still keeps every rule (the person's shift, buffers, lead,
    /// busy blocks, caps, spacing, prerequisites at its start, publication, staffing, class
    /// seats) is placed again where it was, under the same id; a drill team only when enough of
    /// its members (with any of its members already told) still fit to reach `group_min`, and
    /// under its old group id. What no longer fits is left to the construction and the search
    /// like any other need. Placements are taken in time order, so that a prerequisite placed
    /// before its dependant is there when the dependant is checked.
    mutating func keepPrevious() {
        // The needs the last plan placed, looked up by person first: a hospital has far more needs
        // than placements, so only their people's needs are keyed.
        var modulesOf: [String: Set<String>] = [:]
        for a in input.previous { modulesOf[a.staffID, default: []].insert(a.moduleID) }
        var open: [String: Need] = [:]
        var lastStaff = "", wanted: Set<String>? = nil
        for n in needs {
            if n.staffID != lastStaff {
                lastStaff = n.staffID
                wanted = modulesOf[n.staffID]
            }
            guard let w = wanted, w.contains(n.moduleID), placed[n.staffID]?[n.moduleID] == nil else { continue }
            open[n.key] = n
        }
        let list = input.previous.sorted(by: Assignment.canonicalOrder)
        var teamsDone: Set<String> = []
        var members: [String: [Assignment]] = [:]
        for a in list where a.group != nil && modules[a.moduleID]?.kind == .drill { members[a.group!, default: []].append(a) }
        for a in list {
            guard let module = modules[a.moduleID], a.interval.end <= input.horizon.end,
                  a.interval.seconds == Int64(module.minutes) * 60 else { continue }
            switch module.kind {
            case .online:
                guard let need = open[a.staffID + "\u{1F}" + a.moduleID], let k = previousFits(a, module),
                      grid.canRelease(StaffingGrid.Key(unit: a.unit, role: a.role), over: a.interval) else { continue }
                record(need, module, shift: k, at: a.interval)
                open[need.key] = nil
            case .classroom:
                guard let need = open[a.staffID + "\u{1F}" + a.moduleID], let g = a.group,
                      let session = module.sessions.first(where: { $0.start == a.interval.start && classGroup(module, $0) == g }),
                      seats[g, default: 0] < session.capacity, let k = previousFits(a, module),
                      grid.canRelease(StaffingGrid.Key(unit: a.unit, role: a.role), over: a.interval) else { continue }
                record(need, module, shift: k, at: a.interval, group: g)
                open[need.key] = nil
            case .drill:
                guard let g = a.group, teamsDone.insert(g).inserted else { continue }
                let (lo, hi) = teamRange(module, group: g)
                // The team's members of the last plan, each from the shift that held them.
                var can: [Candidate] = []
                for b in members[g] ?? [] where b.moduleID == a.moduleID && b.interval == a.interval && b.unit == a.unit {
                    guard let need = open[b.staffID + "\u{1F}" + b.moduleID], let k = previousFits(b, module) else { continue }
                    can.append(Candidate(need: need, shift: k, key: .init(unit: b.unit, role: b.role)))
                }
                // Members already told (kept commitments) hold their seats in the team.
                let told = seats[g, default: 0]
                let team = pick(can, over: a.interval, limit: max(0, hi - told))
                guard told + team.count >= lo else { continue }
                for c in team {
                    record(c.need, module, shift: c.shift, at: a.interval, group: g)
                    open[c.need.key] = nil
                }
            }
        }
    }

    /// The person's shift that still holds the last plan's placement `a` under every personal
    /// rule and the module's eligibility, publication and prerequisites (staffing aside).
    private func previousFits(_ a: Assignment, _ module: Module) -> Int? {
        guard let person = people[a.staffID], let k = person.shiftIndex(holding: a.interval, unit: a.unit, role: a.role),
              module.isEligible(role: a.role, unit: a.unit), person.isFree(a.interval, inShift: k),
              let from = earliestStart(module, for: a.staffID), from <= a.interval.start else { return nil }
        // A prerequisite held by a completion must still hold at the start itself.
        for p in module.prerequisites where placed[a.staffID]?[p] == nil {
            guard let pm = modules[p], NeedFinder.holds(pm, completedAt: lastCompletion(a.staffID, p), at: a.interval.start) else { return nil }
        }
        return k
    }
}
