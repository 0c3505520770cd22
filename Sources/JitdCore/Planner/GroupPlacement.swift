extension PlannerRun {
    /// A person who could join a group session: their need and the shift they would leave.
    struct Candidate {
        var need: Need
        var shift: Int
        var key: StaffingGrid.Key
    }

    /// Who among `pending` could attend `iv`, on the given units, in the order they should be picked:
    /// least trained first, then by id.
    func candidates(_ pending: [Need], _ module: Module, at iv: Interval, unit: String? = nil) -> [Candidate] {
        var out: [Candidate] = []
        for need in pending {
            guard let person = people[need.staffID], let from = earliestStart(module, for: need.staffID),
                  iv.start >= from else { continue }
            for (k, s) in person.shifts.enumerated()
            where (unit == nil || s.unit == unit) && module.isEligible(role: s.role, unit: s.unit)
                && person.isFree(iv, inShift: k, policy: policy) {
                out.append(Candidate(need: need, shift: k, key: .init(unit: s.unit, role: s.role)))
                break
            }
        }
        return out.sorted {
            (people[$0.need.staffID]!.trainedMinutes, $0.need.staffID) < (people[$1.need.staffID]!.trainedMinutes, $1.need.staffID)
        }
    }

    /// Takes candidates in order while their units can spare them, up to `limit`.
    /// Marks those refused for staffing.
    mutating func pick(_ candidates: [Candidate], over iv: Interval, limit: Int) -> [Candidate] {
        var taken: [Candidate] = []
        var perKey: [StaffingGrid.Key: Int] = [:]
        for c in candidates where taken.count < limit {
            let n = (perKey[c.key] ?? 0) + 1
            if grid.canRelease(c.key, over: iv, people: n) {
                perKey[c.key] = n
                taken.append(c)
            } else {
                blockedByStaffing.insert([c.need.staffID, c.need.moduleID])
            }
        }
        return taken
    }

    /// Drills: `group_min`…`group_max` people of one unit released together, earliest first.
    mutating func placeDrill(_ module: Module, _ pending: [Need]) {
        let length = Int64(module.minutes) * 60
        let lo = max(1, module.groupMin ?? 1), hi = max(lo, module.groupMax ?? lo)
        var open = pending
        let units = Set(pending.flatMap { n in people[n.staffID]?.shifts.map(\.unit) ?? [] }).sorted()
        var start = earliest
        while start.seconds + length <= input.horizon.end.seconds, !open.isEmpty {
            let iv = Interval(start: start, end: start.adding(seconds: length))
            for unit in units {
                while true {
                    let team = pick(candidates(open, module, at: iv, unit: unit), over: iv, limit: hi)
                    guard team.count >= lo else { break }
                    let group = "g_" + StableHash.hex("\(module.id)\u{1F}\(unit)\u{1F}\(iv.start.seconds)\u{1F}\(team[0].need.staffID)")
                    for c in team { record(c.need, module, shift: c.shift, at: iv, group: group) }
                    let done = Set(team.map(\.need.staffID))
                    open.removeAll { done.contains($0.staffID) }
                }
            }
            start = start.adding(seconds: step)
        }
        for need in open { giveUp(need, prerequisiteMissing: earliestStart(module, for: need.staffID) == nil) }
    }

    /// Classroom sessions: fixed times and capacities; people attend from a shift that covers the session.
    mutating func placeClassroom(_ module: Module, _ pending: [Need]) {
        var open = pending
        let length = Int64(module.minutes) * 60
        for session in module.sessions.sorted(by: { ($0.start, $0.location) < ($1.start, $1.location) }) {
            let iv = Interval(start: session.start, end: session.start.adding(seconds: length))
            guard iv.start >= earliest, iv.end <= input.horizon.end, !open.isEmpty else { continue }
            let can = candidates(open, module, at: iv)
            let class_ = pick(can, over: iv, limit: session.capacity)
            if class_.count == session.capacity {
                let taken = Set(class_.map(\.need.staffID))
                for c in can where !taken.contains(c.need.staffID) { blockedByCapacity.insert([c.need.staffID, module.id]) }
            }
            let group = "c_" + StableHash.hex("\(module.id)\u{1F}\(session.start.seconds)\u{1F}\(session.location)")
            for c in class_ { record(c.need, module, shift: c.shift, at: iv, group: group) }
            let done = Set(class_.map(\.need.staffID))
            open.removeAll { done.contains($0.staffID) }
        }
        for need in open { giveUp(need, prerequisiteMissing: earliestStart(module, for: need.staffID) == nil) }
    }
}
