extension PlannerRun {
    /// A person who could join a group session: their need and the shift they would leave.
    struct Candidate {
        var need: Need
        var shift: Int
        var key: StaffingGrid.Key
    }

    /// A pending need with the earliest time it may start (after publication and prerequisites).
    struct Pending {
        var need: Need
        var from: Instant
    }

    /// Splits needs into those that may be placed (with their earliest start) and those whose
    /// prerequisites are neither held nor placed, which are given up at once.
    mutating func pendingNeeds(_ module: Module, _ needs: [Need]) -> [Pending] {
        var out: [Pending] = []
        for need in needs {
            if let from = earliestStart(module, for: need.staffID) { out.append(Pending(need: need, from: from)) }
            else { giveUp(need, prerequisiteMissing: true) }
        }
        return out
    }

    /// Who among `pending` could attend `iv`, optionally only from one unit, least trained first.
    func candidates(_ pending: [Pending], _ module: Module, at iv: Interval, unit: String? = nil) -> [Candidate] {
        // Each candidate's load is looked up once, and the comparison captures nothing of `self`
        // (a closure that reads `self` copies the whole run each time it is made; drills ask
        // for candidates at every slot of a shift).
        var out: [(load: Int, candidate: Candidate)] = []
        for p in pending where iv.start >= p.from {
            guard let person = people[p.need.staffID] else { continue }
            for (k, s) in person.shifts.enumerated()
            where (unit == nil || s.unit == unit) && s.interval.start < iv.end && iv.start < s.interval.end
                && module.isEligible(role: s.role, unit: s.unit) && person.isFree(iv, inShift: k) {
                out.append((load(p.need.staffID), Candidate(need: p.need, shift: k, key: .init(unit: s.unit, role: s.role))))
                break
            }
        }
        out.sort { ($0.load, $0.candidate.need.staffID) < ($1.load, $1.candidate.need.staffID) }
        return out.map(\.candidate)
    }

    /// Takes candidates in order while their units can spare them, up to `limit`.
    /// Marks those refused for staffing.
    mutating func pick(_ candidates: [Candidate], over iv: Interval, limit: Int) -> [Candidate] {
        var taken: [Candidate] = []
        var perKey: [StaffingGrid.Key: Int] = [:], perUnit: [String: Int] = [:]
        for c in candidates where taken.count < limit {
            let n = (perKey[c.key] ?? 0) + 1, u = (perUnit[c.key.unit] ?? 0) + 1
            if grid.canRelease(c.key, over: iv, people: n, unitPeople: u) {
                perKey[c.key] = n
                perUnit[c.key.unit] = u
                taken.append(c)
            } else {
                blockedByStaffing.insert(c.need.key)
            }
        }
        return taken
    }

    /// Drills: `group_min`…`group_max` people of one unit released together, earliest first.
    /// Each unit is searched on its own, only at slots where enough of its people could leave.
    mutating func placeDrill(_ module: Module, _ needs: [Need]) {
        let length = Int64(module.minutes) * 60
        let lo = max(1, module.groupMin ?? 2), hi = max(lo, module.groupMax ?? lo)
        var byUnit: [String: [Pending]] = [:]
        for p in pendingNeeds(module, needs) {
            for unit in Set(people[p.need.staffID]?.shifts.filter { module.isEligible(role: $0.role, unit: $0.unit) }.map(\.unit) ?? []) {
                byUnit[unit, default: []].append(p)
            }
        }
        var placedStaff: Set<String> = []
        for unit in byUnit.keys.sorted() {
            let open = byUnit[unit]!
            for (start, who) in drillStarts(open, module, unit: unit, length: length, atLeast: lo) {
                let iv = Interval(start: start, end: start.adding(seconds: length))
                var can: [Candidate] = []
                for (i, k) in who where !placedStaff.contains(open[i].need.staffID) {
                    let s = people[open[i].need.staffID]!.shifts[k]
                    if people[open[i].need.staffID]!.isFree(iv, inShift: k) {
                        can.append(Candidate(need: open[i].need, shift: k, key: .init(unit: s.unit, role: s.role)))
                    }
                }
                guard can.count >= lo else { continue }
                can.sort { (load($0.need.staffID), $0.need.staffID) < (load($1.need.staffID), $1.need.staffID) }
                while can.count >= lo {
                    var team = pick(can, over: iv, limit: hi)
                    guard team.count >= lo else { break }
                    let group = "g_" + StableHash.hex("\(module.id)\u{1F}\(unit)\u{1F}\(iv.start.seconds)\u{1F}\(team[0].need.staffID)")
                    // A group id that members were already scheduled under keeps those bounds too.
                    let (glo, ghi) = teamRange(module, group: group)
                    if team.count > ghi { team.removeLast(team.count - ghi) }
                    guard team.count >= glo else { break }
                    for c in team { record(c.need, module, shift: c.shift, at: iv, group: group) }
                    let done = Set(team.map(\.need.staffID))
                    placedStaff.formUnion(done)
                    can.removeAll { done.contains($0.need.staffID) }
                }
            }
        }
        for p in byUnit.values.joined() where !placedStaff.contains(p.need.staffID) {
            placedStaff.insert(p.need.staffID) // report each need once
            giveUp(p.need)
        }
    }

    /// Grid starts at which at least `atLeast` of the unit's open people have room in an eligible
    /// trainable window, with who (index into `open`, shift index) could come.
    func drillStarts(_ open: [Pending], _ module: Module, unit: String, length: Int64, atLeast: Int) -> [(Instant, [(Int, Int)])] {
        var who: [Int64: [(Int, Int)]] = [:]
        for (i, p) in open.enumerated() {
            guard let person = people[p.need.staffID] else { continue }
            var seen: Set<Int64> = []
            for k in person.shifts.indices
            where person.shifts[k].unit == unit && module.isEligible(role: person.shifts[k].role, unit: unit)
                && person.hasRoom(k, minutes: module.minutes) {
                let w = person.open(k)
                var t = max(w.start, p.from, earliest).ceiled(to: step)
                while t.seconds + length <= min(w.end, input.horizon.end).seconds {
                    if seen.insert(t.seconds).inserted { who[t.seconds, default: []].append((i, k)) }
                    t = t.adding(seconds: step)
                }
            }
        }
        return who.filter { $0.value.count >= atLeast }.sorted { $0.key < $1.key }.map { (Instant(seconds: $0.key), $0.value) }
    }

    /// Classroom sessions: fixed times and capacities; people attend from a shift that covers the session.
    mutating func placeClassroom(_ module: Module, _ needs: [Need]) {
        var open = pendingNeeds(module, needs)
        let length = Int64(module.minutes) * 60
        for session in module.sessions.sorted(by: { ($0.start, $0.location) < ($1.start, $1.location) }) {
            let iv = Interval(start: session.start, end: session.start.adding(seconds: length))
            guard iv.start >= earliest, iv.end <= input.horizon.end, !open.isEmpty else { continue }
            let group = classGroup(module, session)
            let room = session.capacity - seats[group, default: 0]
            let can = candidates(open, module, at: iv)
            let class_ = pick(can, over: iv, limit: max(0, room))
            if class_.count == room {
                let taken = Set(class_.map(\.need.staffID))
                for c in can where !taken.contains(c.need.staffID) { blockedByCapacity.insert(c.need.key) }
            }
            for c in class_ { record(c.need, module, shift: c.shift, at: iv, group: group) }
            let done = Set(class_.map(\.need.staffID))
            open.removeAll { done.contains($0.need.staffID) }
        }
        for p in open { giveUp(p.need) }
    }
}
