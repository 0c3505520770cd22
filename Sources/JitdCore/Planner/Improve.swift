/// The improvement search: a large-neighbourhood search (ruin and recreate) over units and time
/// windows, in which every kind of module competes on its weight.
///
/// Each step picks a unit and a window of time, takes out every movable assignment of that unit's
/// people in the window (a drill's whole team, a class's seat), and places again what was taken
/// out together with everything those people still lack, most valuable first, in an order and from
/// a starting point that vary from step to step. The step is kept when the weighted score did not
/// fall, otherwise the run is restored exactly. Steps are drawn from a fixed-seed generator over
/// canonically ordered data and counted rather than timed, so the same input always gives the same
/// plan, byte for byte, whatever the order of its lists and however busy the machine.
extension PlannerRun {
    /// Needs by key, and each person's needs, for the search.
    struct NeedIndex {
        var byKey: [String: Need] = [:]
        var byStaff: [String: [Need]] = [:]

        init(_ needs: [Need]) {
            for n in needs {
                byKey[n.key] = n
                byStaff[n.staffID, default: []].append(n)
            }
        }
    }

    /// How many people one step reworks at most.
    static let peoplePerStep = 16
    /// How many of a person's unplaced needs one step tries to place.
    static let lackingPerPerson = 8

    mutating func improve(steps budget: Int) {
        guard !needs.isEmpty, budget > 0 else { return }
        let index = NeedIndex(needs)
        let committedIDs = Set(input.committed.map(\.id))
        staffByUnit = [:]
        for staff in people.keys.sorted() {
            var byUnit: [String: [Interval]] = [:]
            for s in people[staff]!.shifts { byUnit[s.unit, default: []].append(s.interval) }
            for (unit, shifts) in byUnit { staffByUnit[unit, default: []].append((staff, shifts)) }
        }
        let units = staffByUnit.keys.sorted()
        guard !units.isEmpty else { return }
        var rng = SplitMix64(seed: 0x6A69_7464)
        let span = max(step, input.horizon.end.seconds - earliest.seconds)
        let lengths: [Int64] = [2, 4, 8, 16, 1_000].map { $0 * 3600 }
        // Stop early once every need is placed, or after a long run of steps that gained nothing.
        var lacking = needs.count - needs.filter { placed[$0.staffID]?[$0.moduleID] != nil }.count
        var stalled = 0
        let patience = max(200, 20 * people.count)
        for _ in 0..<budget where lacking > 0 && stalled < patience {
            let unit = units[Int(rng.next() % UInt64(units.count))]
            let length = lengths[Int(rng.next() % UInt64(lengths.count))]
            let from = earliest.adding(seconds: Int64(rng.next() % UInt64(span / step + 1)) * step - length / 2)
            let window = Interval(start: from, end: from.adding(seconds: length))
            let saved = self
            let gain = ruinAndRecreate(unit: unit, window: window, index: index, committed: committedIDs, rng: &rng)
            if gain < 0 { self = saved }
            stalled = gain > 0 ? 0 : stalled + 1
            if gain > 0 { lacking = needs.count - needs.filter { placed[$0.staffID]?[$0.moduleID] != nil }.count }
        }
    }

    /// One step of the search; returns the change in weighted score (the caller restores on a loss).
    mutating func ruinAndRecreate(unit: String, window: Interval, index: NeedIndex, committed: Set<String>,
                                  rng: inout SplitMix64) -> Int {
        var onShift = (staffByUnit[unit] ?? []).filter { $0.shifts.contains { $0.overlaps(window) } }.map(\.staff)
        // A step reworks a few people, so that its cost does not grow with the unit.
        if onShift.count > Self.peoplePerStep {
            onShift = onShift.map { ($0, rng.next()) }.sorted { $0.1 < $1.1 }.prefix(Self.peoplePerStep).map(\.0)
        }
        let affected = Set(onShift)
        guard !affected.isEmpty else { return 0 }
        var groups: Set<String> = []
        var out: [Int] = []
        for (i, a) in assignments.enumerated() where a.unit == unit && a.interval.overlaps(window) && affected.contains(a.staffID)
            && !committed.contains(a.id) && index.byKey[a.staffID + "\u{1F}" + a.moduleID] != nil {
            if modules[a.moduleID]?.kind == .drill, let g = a.group { groups.insert(g) }
            out.append(i)
        }
        // A drill's team leaves together.
        if !groups.isEmpty {
            let taken = Set(out)
            for (i, a) in assignments.enumerated() where !taken.contains(i) && (a.group.map { groups.contains($0) } ?? false) { out.append(i) }
        }
        out.removeAll { isPrerequisiteInUse(assignments[$0]) }
        var removedWeight = 0
        var pool: [Need] = []
        for i in out.sorted(by: >) {
            let a = assignments[i]
            guard let k = people[a.staffID]?.shiftIndex(holding: a.interval, unit: a.unit, role: a.role),
                  let need = index.byKey[a.staffID + "\u{1F}" + a.moduleID] else { continue }
            unrecord(at: i, shift: k)
            removedWeight += need.weight
            pool.append(need)
        }
        // What the affected people still lack: their most valuable needs first, a few of them (a
        // shift takes only a few sessions, and a person of a big catalog lacks dozens of modules).
        var removed: [String: Set<String>] = [:]
        for need in pool { removed[need.staffID, default: []].insert(need.moduleID) }
        for staff in affected.sorted() {
            let mine = placed[staff] ?? [:], removedHere = removed[staff] ?? []
            var lacking = (index.byStaff[staff] ?? []).filter { mine[$0.moduleID] == nil && !removedHere.contains($0.moduleID) }
            if lacking.count > Self.lackingPerPerson {
                let keyed = lacking.map { ($0, rng.next()) }
                lacking = keyed.sorted { ($0.0.weight, $1.0.due?.seconds ?? .max, $0.1) > ($1.0.weight, $0.0.due?.seconds ?? .max, $1.1) }
                    .prefix(Self.lackingPerPerson).map(\.0)
            }
            pool += lacking
        }
        let keyed = pool.map { ($0, rng.next()) }
        let ordered = keyed.sorted { a, b in
            (a.0.weight, b.0.due?.seconds ?? .max, b.1) > (b.0.weight, a.0.due?.seconds ?? .max, a.1)
        }.map(\.0)
        let pivot = rng.next() % 2 == 0 ? window.start : nil
        var addedWeight = 0
        var drillPool: [String: [Need]] = [:]
        for need in ordered where placed[need.staffID]?[need.moduleID] == nil {
            guard let module = modules[need.moduleID], let from = earliestStart(module, for: need.staffID) else { continue }
            switch module.kind {
            case .online, .classroom:
                let first = pivot.flatMap { p in p > from ? placeSingle(need, module, from: p) : nil }
                if let (k, iv, g) = first ?? placeSingle(need, module, from: from) {
                    record(need, module, shift: k, at: iv, group: g)
                    addedWeight += need.weight
                }
            case .drill:
                if joinDrill(need, module, from: from) {
                    addedWeight += need.weight
                    continue
                }
                drillPool[module.id, default: []].append(need)
                let team = formDrill(module, drillPool[module.id]!, unit: unit)
                addedWeight += team.reduce(0) { $0 + $1.weight }
                let done = Set(team.map(\.staffID))
                drillPool[module.id]!.removeAll { done.contains($0.staffID) }
            }
        }
        return addedWeight - removedWeight
    }

    /// Improves the greedy plan by swaps: for each unmet online or classroom need, most valuable
    /// first, eject one planned online assignment that stands in its way (same person, or same
    /// unit and role), place the unmet need, and place the ejected one elsewhere if it can.
    /// A swap is kept only when the weighted score rises; otherwise it is undone exactly.
    mutating func repair(budget: Int) {
        var budget = budget
        let committedIDs = Set(input.committed.map(\.id))
        let weightOf = Dictionary(needs.map { ($0.key, $0) }, uniquingKeysWith: { a, _ in a })
        let open = unmet.filter { $0.reason == .noGap || $0.reason == .understaffed }
            .compactMap { weightOf[$0.staffID + "\u{1F}" + $0.moduleID] }
            .filter { modules[$0.moduleID]?.kind != .drill }
            .sorted { ($0.weight, $1.staffID, $1.moduleID) > ($1.weight, $0.staffID, $0.moduleID) }
        guard !open.isEmpty else { return }
        for u in open where budget > 0 {
            budget -= 1 // looking for rivals costs what a swap does
            guard let module = modules[u.moduleID], let from = earliestStart(module, for: u.staffID) else { continue }
            let units = Set(people[u.staffID]?.shifts.map { "\($0.unit)\u{1F}\($0.role)" } ?? [])
            let rivals = assignments.indices.filter { i in
                let a = assignments[i]
                guard !committedIDs.contains(a.id), modules[a.moduleID]?.kind != .drill,
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

    /// Joins a team of the module that has room, at its time, on the unit of one of the person's shifts.
    mutating func joinDrill(_ need: Need, _ module: Module, from: Instant) -> Bool {
        let hi = max(max(1, module.groupMin ?? 2), module.groupMax ?? module.groupMin ?? 2)
        guard let person = people[need.staffID] else { return false }
        var sizes: [String: (Int, Assignment)] = [:]
        for a in assignments where a.moduleID == module.id {
            if let g = a.group { sizes[g] = ((sizes[g]?.0 ?? 0) + 1, a) }
        }
        for (g, (size, a)) in sizes.sorted(by: { ($0.value.1.interval.start, $0.key) < ($1.value.1.interval.start, $1.key) })
        where size < hi && a.interval.start >= from {
            for (k, s) in person.shifts.enumerated() where s.unit == a.unit && module.isEligible(role: s.role, unit: s.unit)
                && person.isFree(a.interval, inShift: k) && grid.canRelease(.init(unit: s.unit, role: s.role), over: a.interval) {
                record(need, module, shift: k, at: a.interval, group: g)
                return true
            }
        }
        return false
    }

    /// Forms one team on `unit` that `newcomer` (the last of `pool`) joins, at the earliest time
    /// enough of the pool can leave together; returns who joined.
    mutating func formDrill(_ module: Module, _ pool: [Need], unit: String) -> [Need] {
        let lo = max(1, module.groupMin ?? 2), hi = max(lo, module.groupMax ?? lo)
        guard pool.count >= lo, let newcomer = pool.last, let person = people[newcomer.staffID],
              let from = earliestStart(module, for: newcomer.staffID) else { return [] }
        let others = pendingNeeds(module, pool.dropLast())
        let length = Int64(module.minutes) * 60
        // Where each of the others could join at all: the open part of each of their shifts on
        // this unit that still has room, from their earliest start. A slot that fewer than
        // `lo - 1` of them reach is skipped before the full check (candidates, then staffing),
        // which gives the same teams at a fraction of the cost.
        var reach: [(pending: Pending, windows: [Interval])] = []
        for p in others {
            guard let other = people[p.need.staffID] else { continue }
            var windows: [Interval] = []
            for (k, s) in other.shifts.enumerated()
            where s.unit == unit && module.isEligible(role: s.role, unit: unit) && other.hasRoom(k, minutes: module.minutes) {
                let w = other.open(k)
                let start = max(w.start, p.from)
                if start.seconds + length <= w.end.seconds { windows.append(Interval(start: start, end: w.end)) }
            }
            if !windows.isEmpty { reach.append((p, windows)) }
        }
        guard reach.count + 1 >= lo else { return [] }
        for (k, s) in person.shifts.enumerated()
        where s.unit == unit && module.isEligible(role: s.role, unit: unit) && person.hasRoom(k, minutes: module.minutes) {
            let w = person.open(k)
            let key = StaffingGrid.Key(unit: unit, role: s.role)
            guard let keyID = grid.id(key) else { continue } // `pick` would refuse the newcomer at every slot
            var t = max(w.start, from).ceiled(to: step)
            while t.seconds + length <= min(w.end, input.horizon.end).seconds {
                let iv = Interval(start: t, end: t.adding(seconds: length))
                t = t.adding(seconds: step)
                guard person.isFree(iv, inShift: k) else { continue }
                // The newcomer comes first in the team or there is none: a slot their unit cannot
                // spare them at is refused here, as `pick` would refuse it.
                guard grid.canRelease(keyID, over: iv) else {
                    if notesBlocks { blockedByStaffing.insert(newcomer.key) }
                    continue
                }
                // Only those whose reach holds the slot can be candidates (`isFree` asks for the
                // open part of a shift with room), so the full check looks at them alone.
                var near: [Pending] = []
                for r in reach where r.windows.contains(where: { $0.contains(iv) }) { near.append(r.pending) }
                guard near.count + 1 >= lo else { continue }
                var can = [Candidate(need: newcomer, shift: k, key: key)]
                can += candidates(near, module, at: iv, unit: unit)
                guard can.count >= lo else { continue }
                let team = pick(can, over: iv, limit: hi)
                guard team.count >= lo, team[0].need.staffID == newcomer.staffID else { continue }
                let group = "g_" + StableHash.hex("\(module.id)\u{1F}\(unit)\u{1F}\(iv.start.seconds)\u{1F}\(team[0].need.staffID)")
                for c in team { record(c.need, module, shift: c.shift, at: iv, group: group) }
                return team.map(\.need)
            }
        }
        return []
    }

    /// Whether a placed assignment is the prerequisite another placed assignment relies on.
    func isPrerequisiteInUse(_ a: Assignment) -> Bool {
        guard let mine = placed[a.staffID] else { return false }
        return mine.keys.contains { id in
            modules[id]?.prerequisites.contains(a.moduleID) == true
        }
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
            let group = classGroup(module, session)
            guard seats[group, default: 0] < session.capacity else { continue }
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
        if let g = a.group { seats[g, default: 0] -= 1 }
        // Freed slack may let other people's full shifts take a session again.
        slackEpoch += 1
    }

    /// Rebuilds the list of unmet needs after the search: what is still not placed, with the
    /// reason the construction found (a need the search took out and could not place again has no gap).
    mutating func settleUnmet() {
        let reasons = Dictionary(unmet.map { ($0.staffID + "\u{1F}" + $0.moduleID, $0.reason) }, uniquingKeysWith: { a, _ in a })
        unmet = needs.filter { placed[$0.staffID]?[$0.moduleID] == nil }.map {
            UnmetNeed(staffID: $0.staffID, moduleID: $0.moduleID, reason: reasons[$0.key] ?? .noGap)
        }
    }
}
