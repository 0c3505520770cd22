/// The search's moves on a `Board`: placing one need (the recreate of every step), and the ruins
/// that take part of the plan out so that it can be placed again differently.
extension Board {
    /// How a need chooses among the places it fits.
    enum SlotRule {
        /// The first fitting start, shifts in time order.
        case earliest
        /// A fitting start from a random point of a random shift.
        case random
        /// The shift whose training minutes per hour stay lowest (fairness), earliest start in it.
        case even
    }

    func isPlaced(_ n: Int32) -> Bool { placement[Int(n)].isPlaced }

    static func pick(_ count: Int, _ rng: inout SplitMix64) -> Int { Int(rng.next() % UInt64(max(1, count))) }

    // MARK: Placing one need

    /// Places need `n` where it fits now, by `rule`; returns whether it was placed. A drill need
    /// joins a team with room or forms a new team with unplaced needs of the same module.
    mutating func insert(_ n: Int32, _ rule: SlotRule, _ rng: inout SplitMix64) -> Bool {
        guard !isPlaced(n) else { return false }
        switch modules[Int(needs[Int(n)].module)].kind {
        case .online: return insertOnline(n, rule, &rng)
        case .classroom: return insertClass(n, rule, &rng)
        case .drill: return joinTeam(n, rule, &rng) || formTeam(n, rule, &rng)
        }
    }

    /// Places need `n` where the last plan had it, when that fits now: an online session at its
    /// shift and start, a class seat in its session, a drill member in its team (joined while the
    /// team is live with room, or formed again at its start with unplaced needs of the module).
    mutating func insertAtPrevious(_ n: Int32) -> Bool {
        let k = previousShift[Int(n)], s = previousStart[Int(n)]
        guard k >= 0, s >= needs[Int(n)].opens else { return false }
        let m = modules[Int(needs[Int(n)].module)]
        switch m.kind {
        case .online:
            guard fits(n, shift: k, start: s) else { return false }
            place(n, shift: k, start: s)
            return true
        case .classroom:
            let c = previousClass[Int(n)]
            guard c >= 0, seats[Int(c)] < classes[Int(c)].capacity, fits(n, shift: k, start: s) else { return false }
            place(n, shift: k, start: s, group: c)
            return true
        case .drill:
            guard let group = previousTeam[n] else { return false }
            let unit = shifts[Int(k)].unit
            if let t = (unitTeams[post(needs[Int(n)].module, unit)] ?? []).last(where: { teams[Int($0)].group == group && teams[Int($0)].size > 0 }) {
                guard teams[Int(t)].start == s, teams[Int(t)].size < teams[Int(t)].hi, fits(n, shift: k, start: s) else { return false }
                place(n, shift: k, start: s, group: t)
                return true
            }
            guard fits(n, shift: k, start: s) else { return false }
            return tryTeam(n, shift: k, at: s, module: m)
        }
    }

    private mutating func insertOnline(_ n: Int32, _ rule: SlotRule, _ rng: inout SplitMix64) -> Bool {
        guard let (k, s) = onlineSlot(n, rule, &rng) else { return false }
        place(n, shift: k, start: s)
        return true
    }

    /// Where need `n`'s online session fits now, by `rule`. Not mutating, so that the search's
    /// hottest path reads the board in place (a mutating caller of `firstStart` would copy it).
    private func onlineSlot(_ n: Int32, _ rule: SlotRule, _ rng: inout SplitMix64) -> (Int32, Int64)? {
        let list = shiftsOf(n)
        guard !list.isEmpty else { return nil }
        switch rule {
        case .earliest:
            for k in list {
                if let s = firstStart(n, shift: k, from: shifts[Int(k)].lo) { return (k, s) }
            }
        case .random:
            let first = Self.pick(list.count, &rng)
            for i in 0..<list.count {
                let k = list[list.startIndex + (first + i) % list.count]
                let f = shifts[Int(k)]
                let span = max(0, f.hi - f.lo)
                let from = f.lo + Int64(rng.next() % UInt64(span / step + 1)) * step
                if let s = firstStart(n, shift: k, from: from) ?? firstStart(n, shift: k, from: f.lo) { return (k, s) }
            }
        case .even:
            let minutes = modules[Int(needs[Int(n)].module)].minutes
            var best: (Int64, Int32, Int64)? = nil
            for k in list {
                let cost = unevennessTerm(Int(k), minutes: minutesUsed[Int(k)] + minutes) - unevennessTerm(Int(k), minutes: minutesUsed[Int(k)])
                if let b = best, b.0 <= cost { continue }
                if let s = firstStart(n, shift: k, from: shifts[Int(k)].lo) { best = (cost, k, s) }
            }
            if let (_, k, s) = best { return (k, s) }
        }
        return nil
    }

    /// A shift of need `n`'s person in which a session at `s` fits, if any.
    func shiftFitting(_ n: Int32, at s: Int64, unit: Int32? = nil) -> Int32? {
        shiftsOf(n).first { k in (unit == nil || shifts[Int(k)].unit == unit!) && fits(n, shift: k, start: s) }
    }

    private mutating func insertClass(_ n: Int32, _ rule: SlotRule, _ rng: inout SplitMix64) -> Bool {
        let m = modules[Int(needs[Int(n)].module)]
        let list = m.sessions
        guard !list.isEmpty else { return false }
        let first = rule == .random ? Self.pick(list.count, &rng) : 0
        for i in 0..<list.count {
            let c = list[(first + i) % list.count]
            let session = classes[Int(c)]
            guard seats[Int(c)] < session.capacity, session.start >= needs[Int(n)].opens,
                  let k = shiftFitting(n, at: session.start) else { continue }
            place(n, shift: k, start: session.start, group: c)
            return true
        }
        return false
    }

    /// Joins a live team of the need's module that has room, on a unit of one of the person's shifts.
    private mutating func joinTeam(_ n: Int32, _ rule: SlotRule, _ rng: inout SplitMix64) -> Bool {
        let m = needs[Int(n)].module
        var list: [Int32] = []
        var units: [Int32] = []
        for k in shiftsOf(n) where !units.contains(shifts[Int(k)].unit) {
            units.append(shifts[Int(k)].unit)
            list += unitTeams[post(m, shifts[Int(k)].unit)] ?? []
        }
        guard !list.isEmpty else { return false }
        let first = rule == .random ? Self.pick(list.count, &rng) : 0
        for i in 0..<list.count {
            let t = list[(first + i) % list.count]
            let team = teams[Int(t)]
            guard team.size > 0, team.size < team.hi, team.start >= needs[Int(n)].opens,
                  let k = shiftFitting(n, at: team.start, unit: team.unit) else { continue }
            place(n, shift: k, start: team.start, group: t)
            return true
        }
        return false
    }

    /// The most starts one attempt to form a team tries.
    static let teamStartsPerTry = 24

    /// Forms a new team that need `n` leads, at the first start (by `rule`) at which enough
    /// unplaced needs of the module on that unit can leave together.
    private mutating func formTeam(_ n: Int32, _ rule: SlotRule, _ rng: inout SplitMix64) -> Bool {
        let list = shiftsOf(n)
        guard !list.isEmpty else { return false }
        let m = modules[Int(needs[Int(n)].module)]
        var tries = Self.teamStartsPerTry
        let first = rule == .random ? Self.pick(list.count, &rng) : 0
        for i in 0..<list.count where tries > 0 {
            let k = list[list.startIndex + (first + i) % list.count]
            let f = shifts[Int(k)]
            var from = f.lo
            if rule == .random { from += Int64(rng.next() % UInt64(max(0, f.hi - f.lo) / step + 1)) * step }
            while tries > 0, let s = firstStart(n, shift: k, from: from) {
                tries -= 1
                if tryTeam(n, shift: k, at: s, module: m) { return true }
                from = s + step
            }
        }
        return false
    }

    /// Places need `n` in shift `k` at `s` as the leader of a new team and fills it with unplaced
    /// needs of the module on that unit that fit; keeps it only when it reaches the minimum.
    mutating func tryTeam(_ n: Int32, shift k: Int32, at s: Int64, module m: ModuleFacts, target: Int32? = nil) -> Bool {
        let unit = shifts[Int(k)].unit
        let module = needs[Int(n)].module
        let start = mark
        let t = newTeam(module: module, unit: unit, start: s, leader: n)
        place(n, shift: k, start: s, group: t)
        let goal = min(target ?? m.hi, teams[Int(t)].hi)
        for q in drillNeeds[post(module, unit)] ?? [] where teams[Int(t)].size < goal {
            guard q != n, !isPlaced(q), let kq = shiftFitting(q, at: s, unit: unit) else { continue }
            place(q, shift: kq, start: s, group: t)
        }
        if teams[Int(t)].size >= teams[Int(t)].lo { return true }
        rollback(to: start)
        return false
    }

    // MARK: Ruins

    /// The needs taken out since `mark` and not placed again.
    func removedSince(_ mark: Int) -> [Int32] {
        var out: [Int32] = []
        for op in journal[mark...] {
            if case .removed(let n, _) = op, !isPlaced(n) { out.append(n) }
        }
        return out
    }

    /// Takes out person `p`'s movable sessions overlapping `window` (all when `nil`).
    mutating func clear(person p: Int32, overlapping window: (Int64, Int64)? = nil) {
        let mine = sessions[Int(p)].filter { s in s.need >= 0 && (window.map { s.start < $0.1 && $0.0 < s.end } ?? true) }
        for s in mine { remove(s.need) }
    }

    /// Makes room for need `n` of person `p` in shift `k` at `[s, e)`: takes out the person's
    /// sessions that stand too close and, while a cap is reached, other sessions of that shift.
    /// `false` when a fixed session or a busy block is in the way.
    mutating func makePersonalRoom(_ n: Int32, shift k: Int32, start s: Int64, end e: Int64, _ rng: inout SplitMix64) -> Bool {
        let f = shifts[Int(k)]
        let p = Int(f.person)
        guard s >= f.lo, e <= f.hi, !busy[p].contains(where: { $0.0 < e && s < $0.1 }) else { return false }
        for q in sessions[p] {
            let g = max(f.gap, q.gap)
            guard !(q.end + g <= s || e + g <= q.start) else { continue }
            if q.need < 0 { return false }
        }
        for q in sessions[p] where q.need >= 0 {
            let g = max(f.gap, q.gap)
            if !(q.end + g <= s || e + g <= q.start) { remove(q.need) }
        }
        let minutes = Int32((e - s) / 60)
        while sessionsUsed[Int(k)] >= f.maxSessions || minutesUsed[Int(k)] + minutes > f.maxMinutes {
            let movable = sessions[p].filter { $0.need >= 0 && placement[Int($0.need)].shift == k }
            guard !movable.isEmpty else { return false }
            remove(movable[Self.pick(movable.count, &rng)].need)
        }
        return true
    }

    /// Makes room in the unit's slack for one more of shift `k`'s unit and role over `[s, e)`,
    /// taking out sessions of others that hold it. `false` when fixed sessions or the roster hold it.
    /// The members of team `sparing` (being built) are not taken out.
    mutating func makeStaffingRoom(shift k: Int32, start s: Int64, end e: Int64, sparing: Int32 = -1, _ rng: inout SplitMix64) -> Bool {
        let key = Int(shifts[Int(k)].key)
        guard key >= 0 else { return false }
        let iv = Interval(start: Instant(seconds: s), end: Instant(seconds: e))
        let unit = shifts[Int(k)].unit
        let any = grid.anyRoleKey(of: key)
        while let slot = grid.firstShortSlot(key, over: iv) {
            let a = grid.slotStart(slot).seconds, b = a + step
            // Who holds the slack there: same unit and role, or anyone of the unit under a `*` rule.
            var holders: [Int32] = []
            for p in unitPeople[Int(unit)] {
                for q in sessions[Int(p)] where q.need >= 0 && q.start < b && a < q.end
                && !(sparing >= 0 && placement[Int(q.need)].group == sparing && modules[Int(needs[Int(q.need)].module)].kind == .drill) {
                    let qk = Int(shifts[Int(placement[Int(q.need)].shift)].key)
                    if qk == key || (any != nil && shifts[Int(placement[Int(q.need)].shift)].unit == unit) { holders.append(q.need) }
                }
            }
            guard !holders.isEmpty else { return false }
            remove(holders[Self.pick(holders.count, &rng)])
        }
        return true
    }

    /// Forces unplaced need `n` into the plan at a random place it could take if others made
    /// room (an ejection): its person's sessions in the way, others' sessions holding the slack,
    /// a class seat, or, for a drill, a new team whose members drop what stands in their way.
    mutating func forceIn(_ n: Int32, _ rng: inout SplitMix64) -> Bool {
        let need = needs[Int(n)]
        let m = modules[Int(need.module)]
        let mine = shiftsOf(n)
        guard !mine.isEmpty else { return false }
        // Now and then the person's whole plan makes way, to be placed again around the newcomer.
        if m.kind != .drill && rng.next() % 3 == 0 { clear(person: need.person) }
        switch m.kind {
        case .online:
            let k = mine[mine.startIndex + Self.pick(mine.count, &rng)]
            let f = shifts[Int(k)]
            let lo = ceil(max(f.lo, need.opens))
            guard lo + m.length <= f.hi else { return false }
            let s = lo + Int64(rng.next() % UInt64((f.hi - m.length - lo) / step + 1)) * step
            guard prerequisitesAllow(n, at: s).ok, makePersonalRoom(n, shift: k, start: s, end: s + m.length, &rng),
                  makeStaffingRoom(shift: k, start: s, end: s + m.length, &rng), fits(n, shift: k, start: s) else { return false }
            place(n, shift: k, start: s)
            return true
        case .classroom:
            let c = m.sessions[Self.pick(m.sessions.count, &rng)]
            let session = classes[Int(c)]
            let e = session.start + m.length
            guard session.start >= need.opens, session.capacity > 0,
                  let k = mine.first(where: { shifts[Int($0)].lo <= session.start && e <= shifts[Int($0)].hi }),
                  prerequisitesAllow(n, at: session.start).ok else { return false }
            if seats[Int(c)] >= session.capacity {
                let attendees = moduleNeeds[Int(need.module)].filter { placement[Int($0)].group == c }
                guard !attendees.isEmpty else { return false }
                remove(attendees[Self.pick(attendees.count, &rng)])
            }
            guard makePersonalRoom(n, shift: k, start: session.start, end: e, &rng),
                  makeStaffingRoom(shift: k, start: session.start, end: e, &rng), fits(n, shift: k, start: session.start) else { return false }
            place(n, shift: k, start: session.start, group: c)
            return true
        case .drill:
            return forceTeam(n, &rng)
        }
    }

    /// A new team led by drill need `n` at a random start of one of its shifts; members are the
    /// unplaced needs of the module on that unit, each dropping what stands in their way, up to a
    /// random size between the module's bounds.
    private mutating func forceTeam(_ n: Int32, _ rng: inout SplitMix64) -> Bool {
        let need = needs[Int(n)]
        let m = modules[Int(need.module)]
        let mine = shiftsOf(n)
        guard !mine.isEmpty else { return false }
        let k = mine[mine.startIndex + Self.pick(mine.count, &rng)]
        let f = shifts[Int(k)]
        let lo = ceil(max(f.lo, need.opens))
        guard lo + m.length <= f.hi else { return false }
        let s = lo + Int64(rng.next() % UInt64((f.hi - m.length - lo) / step + 1)) * step
        let e = s + m.length
        var goal = m.lo + Int32(rng.next() % UInt64(m.hi - m.lo + 1))
        let pool = (drillNeeds[post(need.module, f.unit)] ?? []).filter { $0 != n && !isPlaced($0) }
        guard pool.count + 1 >= Int(m.lo) else { return false }
        // Members either drop just what stands in the way, or everything they hold (placed again
        // by the recreate around the team).
        let wholly = rng.next() % 2 == 0
        if wholly { clear(person: need.person) }
        guard prerequisitesAllow(n, at: s).ok, makePersonalRoom(n, shift: k, start: s, end: e, &rng),
              makeStaffingRoom(shift: k, start: s, end: e, &rng), fits(n, shift: k, start: s) else { return false }
        let t = newTeam(module: need.module, unit: f.unit, start: s, leader: n)
        goal = min(max(goal, teams[Int(t)].lo), teams[Int(t)].hi)
        place(n, shift: k, start: s, group: t)
        let offset = Self.pick(pool.count, &rng)
        for i in 0..<pool.count where teams[Int(t)].size < goal {
            let q = pool[(offset + i) % pool.count]
            guard !isPlaced(q), prerequisitesAllow(q, at: s).ok,
                  let kq = shiftsOf(q).first(where: { shifts[Int($0)].unit == f.unit && shifts[Int($0)].lo <= s && e <= shifts[Int($0)].hi })
            else { continue }
            if fits(q, shift: kq, start: s) {
                place(q, shift: kq, start: s, group: t)
                continue
            }
            let before = mark
            if wholly { clear(person: needs[Int(q)].person) }
            if makePersonalRoom(q, shift: kq, start: s, end: e, &rng), makeStaffingRoom(shift: kq, start: s, end: e, sparing: t, &rng),
               fits(q, shift: kq, start: s), !isPlaced(q) {
                place(q, shift: kq, start: s, group: t)
            } else {
                rollback(to: before)
            }
        }
        return teams[Int(t)].size >= teams[Int(t)].lo
    }
}
