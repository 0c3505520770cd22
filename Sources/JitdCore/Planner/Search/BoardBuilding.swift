/// Moving a run's plan onto a `Board` for the search, and the board's plan back into the run.
extension PlannerRun {
    /// The board of this run's plan: every person, shift, module and need interned in canonical
    /// order (staff ids, module ids, each person's shifts in time order), so that the same input
    /// gives the same board whatever the order of its lists.
    func makeBoard() -> Board {
        var board = Board(step: step, horizonEnd: input.horizon.end.seconds, grid: grid)
        let horizon = input.horizon
        board.staffIDs = people.keys.sorted()
        var personIndex: [String: Int32] = [:]
        for (i, s) in board.staffIDs.enumerated() { personIndex[s] = Int32(i) }
        board.unitNames = Set(people.values.flatMap { $0.shifts.map(\.unit) }).sorted()
        var unitIndex: [String: Int32] = [:]
        for (i, u) in board.unitNames.enumerated() { unitIndex[u] = Int32(i) }
        board.unitPeople = Array(repeating: [], count: board.unitNames.count)

        // People and shifts; each calendar shift k of person p becomes board shift calendarShift[p][k].
        var calendarShift: [[Int32]] = []
        for (p, staff) in board.staffIDs.enumerated() {
            let person = people[staff]!
            var mine: [Int32] = []
            var units: Set<Int32> = []
            for (k, s) in person.shifts.enumerated() {
                let open = person.open(k)
                let rules = person.rules[k]
                let inside = min(s.interval.end, horizon.end).seconds - max(s.interval.start, horizon.start).seconds
                board.shifts.append(Board.ShiftFacts(
                    person: Int32(p), calendarIndex: Int32(k), unit: unitIndex[s.unit]!,
                    key: Int32(grid.id(StaffingGrid.Key(unit: s.unit, role: s.role)) ?? -1),
                    lo: max(open.start, earliest).seconds, hi: min(open.end, horizon.end).seconds,
                    maxMinutes: Int32(rules.maxMinutes), maxSessions: Int32(rules.maxSessions), gap: rules.gap,
                    horizonMinutes: Int32(max(0, inside / 60))))
                board.minutesUsed.append(Int32(person.use[k].minutes))
                board.sessionsUsed.append(Int32(person.use[k].sessions))
                mine.append(Int32(board.shifts.count - 1))
                units.insert(unitIndex[s.unit]!)
            }
            calendarShift.append(mine)
            board.personShifts.append(mine)
            board.busy.append(person.busy.map { ($0.start.seconds, $0.end.seconds) })
            for u in units.sorted() { board.unitPeople[Int(u)].append(Int32(p)) }
        }

        // Modules and class sessions.
        let moduleList = modules.values.sorted { $0.id < $1.id }
        var moduleIndex: [String: Int32] = [:]
        var classIndex: [String: Int32] = [:]
        for (i, m) in moduleList.enumerated() {
            moduleIndex[m.id] = Int32(i)
            let lo = max(1, m.groupMin ?? 2)
            var facts = Board.ModuleFacts(id: m.id, kind: m.kind, length: Int64(m.minutes) * 60, minutes: Int32(m.minutes),
                                          published: m.published.ceiled(to: step).seconds,
                                          lo: Int32(lo), hi: Int32(max(lo, m.groupMax ?? lo)), sessions: [])
            if m.kind == .classroom {
                for session in m.sessions.sorted(by: { ($0.start, $0.location) < ($1.start, $1.location) }) {
                    let group = classGroup(m, session)
                    guard classIndex[group] == nil else { continue }
                    classIndex[group] = Int32(board.classes.count)
                    facts.sessions.append(Int32(board.classes.count))
                    board.classes.append(Board.ClassFacts(module: Int32(i), start: session.start.seconds,
                                                          capacity: Int32(session.capacity), group: group))
                    board.seats.append(Int32(seats[group] ?? 0))
                }
            }
            board.modules.append(facts)
        }
        board.moduleNeeds = Array(repeating: [], count: moduleList.count)

        // Needs, in the run's order: NeedFinder's, by staff id (a person's needs are found by a
        // binary search of their list, sorted by module below).
        // Whether a module may be taken on a shift is asked once per module, unit and role.
        var roleIndex: [String: Int] = [:]
        var shiftPosts: [(unit: String, role: String)] = []
        for staff in board.staffIDs {
            for s in people[staff]!.shifts {
                if roleIndex[s.role] == nil { roleIndex[s.role] = roleIndex.count }
                shiftPosts.append((s.unit, s.role))
            }
        }
        let roleCount = roleIndex.count
        let shiftPost = shiftPosts.enumerated().map { Int(board.shifts[$0.offset].unit) * roleCount + roleIndex[$0.element.role]! }
        // Whether a module may be taken in a unit and role: 0 unknown, 1 yes, 2 no.
        var eligibleAt = [UInt8](repeating: 0, count: moduleList.count * board.unitNames.count * roleCount)
        board.personNeeds = Array(repeating: [], count: board.staffIDs.count)
        board.needs.reserveCapacity(needs.count)
        board.reasons.reserveCapacity(needs.count)
        var lastStaff = "", p: Int32 = -1
        var prerequisiteModules: [Int32: [String]] = [:]
        for n in needs {
            if n.staffID != lastStaff {
                lastStaff = n.staffID
                p = personIndex[n.staffID] ?? -1
            }
            guard p >= 0, let found = moduleIndex[n.moduleID] else {
                board.foreign.insert(n.key)
                continue
            }
            let mi = Int(found)
            let i = Int32(board.needs.count)
            let m = moduleList[mi]
            let first = Int32(board.needShifts.count)
            for b in board.personShifts[Int(p)] {
                let f = board.shifts[Int(b)]
                guard f.key >= 0, f.lo < f.hi else { continue }
                let at = (mi * board.unitNames.count) * roleCount + shiftPost[Int(b)]
                if eligibleAt[at] == 0 {
                    let post = shiftPosts[Int(b)]
                    eligibleAt[at] = m.isEligible(role: post.role, unit: post.unit) ? 1 : 2
                }
                if eligibleAt[at] == 1 { board.needShifts.append(b) }
            }
            if !m.prerequisites.isEmpty { prerequisiteModules[i] = m.prerequisites }
            board.needs.append(Board.NeedFacts(person: p, module: Int32(mi), weight: Int32(n.weight), rank: Int32(n.weight), depth: 0,
                                               due: n.due?.seconds ?? .max,
                                               opens: max(board.modules[mi].published, n.notBefore?.ceiled(to: step).seconds ?? .min),
                                               shiftsStart: first,
                                               shiftsCount: Int32(board.needShifts.count) - first,
                                               hasPrerequisites: !m.prerequisites.isEmpty, hasDependants: false))
            board.reasons.append(.noGap)
            board.personNeeds[Int(p)].append(i)
            board.moduleNeeds[mi].append(i)
        }
        // Each person's needs by module (boosters follow their module in NeedFinder's order, which
        // need not be their ids' order), for the binary search of `needOf`.
        for q in board.personNeeds.indices where board.personNeeds[q].count > 1 {
            board.personNeeds[q].sort { board.needs[Int($0)].module < board.needs[Int($1)].module }
        }
        // Their modules beside them, so that the search reads one short list, not the long one of all needs.
        let personModules = board.personNeeds.map { $0.map { board.needs[Int($0)].module } }
        func needOf(_ p: Int32, _ m: Int32) -> Int32? {
            let modules = personModules[Int(p)]
            var lo = 0, hi = modules.count
            while lo < hi {
                let mid = (lo + hi) / 2
                if modules[mid] < m { lo = mid + 1 } else { hi = mid }
            }
            return lo < modules.count && modules[lo] == m ? board.personNeeds[Int(p)][lo] : nil
        }
        // Prerequisites: a completion that holds, a fixed session, or the need that places it.
        for (i, pres) in prerequisiteModules.sorted(by: { $0.key < $1.key }) {
            let staff = board.staffIDs[Int(board.needs[Int(i)].person)]
            board.prerequisites[i] = pres.map { pre in
                var held: Int64? = nil
                if let pm = modules[pre], let done = lastCompletion(staff, pre) {
                    held = pm.recurDays.map { done.seconds + Int64($0) * 86_400 } ?? .max
                }
                let need = moduleIndex[pre].flatMap { needOf(board.needs[Int(i)].person, $0) } ?? -1
                let fixed = need < 0 ? placed[staff]?[pre]?.end.seconds : nil
                return Board.Prerequisite(need: need, fixedEnd: fixed, heldUntil: held)
            }
            for pre in board.prerequisites[i]! where pre.need >= 0 {
                board.dependants[pre.need, default: []].append(i)
                board.needs[Int(pre.need)].hasDependants = true
            }
        }
        for m in moduleList.indices where moduleList[m].kind == .drill {
            for n in board.moduleNeeds[m] {
                var seen: [Int32] = []
                for k in board.shiftsOf(n) where !seen.contains(board.shifts[Int(k)].unit) {
                    seen.append(board.shifts[Int(k)].unit)
                    board.drillNeeds[board.post(Int32(m), board.shifts[Int(k)].unit), default: []].append(n)
                }
            }
        }
        // The construction's reasons (`noGap` is every need's to begin with); its unmet list runs
        // module by module.
        var lastModule = "", um: Int32? = nil
        for u in unmet where u.reason != .noGap {
            if u.moduleID != lastModule {
                lastModule = u.moduleID
                um = moduleIndex[u.moduleID]
            }
            guard let m = um, let p = personIndex[u.staffID], let n = needOf(p, m) else { continue }
            board.reasons[Int(n)] = u.reason
        }

        // Ranks: prerequisites inherit the weight of what builds on them, and go first.
        func lift(_ n: Int32, _ w: Int32, _ depth: Int) {
            guard depth < 32, board.needs[Int(n)].rank < w || depth == 0 else { return }
            board.needs[Int(n)].rank = max(board.needs[Int(n)].rank, w)
            for pre in board.prerequisites[n] ?? [] where pre.need >= 0 { lift(pre.need, w, depth + 1) }
        }
        func depth(_ n: Int32, _ d: Int) -> Int32 {
            guard d < 32 else { return 0 }
            return (board.prerequisites[n] ?? []).filter { $0.need >= 0 }.map { depth($0.need, d + 1) + 1 }.max() ?? 0
        }
        for n in board.prerequisites.keys.sorted() {
            lift(n, board.needs[Int(n)].weight, 0)
            board.needs[Int(n)].depth = depth(n, 0)
        }

        for (g, b) in input.teamBounds { board.scheduledBounds[g] = (Int32(b.min), b.max.map { Int32(clamping: $0) } ?? .max) }

        // The plan so far: the construction's placements, and the fixed sessions around them.
        board.placement = Array(repeating: Board.Placement(), count: board.needs.count)
        board.assignmentOf = Array(repeating: -1, count: board.needs.count)
        let committed = Set(input.committed.map(\.id))
        var teamIndex: [String: Int32] = [:]
        var placedAt: [Int32: [Int64: Int32]] = [:] // person → start → need
        for (ai, a) in assignments.enumerated() {
            guard let p = personIndex[a.staffID], let m = moduleIndex[a.moduleID] else { continue }
            var group: Int32 = -1
            if let g = a.group, board.modules[Int(m)].kind == .drill {
                if teamIndex[g] == nil {
                    teamIndex[g] = Int32(board.teams.count)
                    let (lo, hi) = board.teamRange(m, group: g)
                    board.teams.append(Board.Team(module: m, unit: unitIndex[a.unit]!, start: a.interval.start.seconds,
                                                  members: [], fixed: 0, group: g, lo: lo, hi: hi))
                    board.unitTeams[board.post(m, unitIndex[a.unit]!), default: []].append(Int32(board.teams.count - 1))
                }
                group = teamIndex[g]!
            } else if let g = a.group {
                group = classIndex[g] ?? -1
            }
            if committed.contains(a.id) {
                if group >= 0 && board.modules[Int(m)].kind == .drill { board.teams[Int(group)].fixed += 1 }
                continue
            }
            guard let n = needOf(p, m),
                  let k = people[a.staffID]!.shiftIndex(holding: a.interval, unit: a.unit, role: a.role) else { continue }
            board.placement[Int(n)] = Board.Placement(shift: board.personShifts[Int(p)][k], start: a.interval.start.seconds, group: group)
            board.assignmentOf[Int(n)] = Int32(ai)
            if group >= 0 && board.modules[Int(m)].kind == .drill { board.teams[Int(group)].members.append(n) }
            placedAt[p, default: [:]][a.interval.start.seconds] = n
        }
        for (p, staff) in board.staffIDs.enumerated() {
            board.sessions.append(people[staff]!.sessions.map { s in
                let n = placedAt[Int32(p)]?[s.interval.start.seconds]
                let own = n.map { board.placement[Int($0)].start == s.interval.start.seconds } ?? false
                return Board.Session(start: s.interval.start.seconds, end: s.interval.end.seconds, gap: s.gap, need: own ? n! : -1)
            })
        }
        // The last plan's placements (see `PlanningInput.previous`), for the search's tie-breaker.
        if startsFromPrevious && !input.previous.isEmpty {
            board.previousShift = Array(repeating: -1, count: board.needs.count)
            board.previousStart = Array(repeating: 0, count: board.needs.count)
            board.previousClass = Array(repeating: -1, count: board.needs.count)
            for a in input.previous.sorted(by: Assignment.canonicalOrder) {
                guard let p = personIndex[a.staffID], let m = moduleIndex[a.moduleID], let n = needOf(p, m),
                      let k = people[a.staffID]!.shiftIndex(holding: a.interval, unit: a.unit, role: a.role) else { continue }
                if let g = a.group {
                    if board.modules[Int(m)].kind == .drill { board.previousTeam[n] = g }
                    else if let c = classIndex[g] { board.previousClass[Int(n)] = c } else { continue }
                }
                board.previousShift[Int(n)] = board.personShifts[Int(p)][k]
                board.previousStart[Int(n)] = a.interval.start.seconds
            }
        }
        board.initial = board.placement
        board.firstStart = board.shifts.map(\.lo).min() ?? input.now.seconds
        board.settleTotals()
        return board
    }

    /// Takes the board's plan as this run's: assignments, people's sessions and caps, slack, seats,
    /// and the unmet needs with the reasons the construction found (a need the search took out
    /// and could not place again has no gap). Only what the search changed is rewritten.
    mutating func adopt(_ board: Board) {
        var changed: [Int] = []
        for n in board.placement.indices {
            let a = board.placement[n], b = board.initial[n]
            if a.shift != b.shift || a.start != b.start || a.group != b.group { changed.append(n) }
        }
        var dropped = Set<Int32>()
        for n in changed where board.assignmentOf[n] >= 0 { dropped.insert(board.assignmentOf[n]) }
        var kept = assignments.enumerated().filter { !dropped.contains(Int32($0.offset)) }.map(\.element)
        for p in Set(changed.map { board.needs[$0].person }).sorted() {
            let staff = board.staffIDs[Int(p)]
            var person = people[staff]!
            person.sessions = board.sessions[Int(p)].map {
                PersonCalendar.Session(interval: Interval(start: Instant(seconds: $0.start), end: Instant(seconds: $0.end)), gap: $0.gap)
            }
            for b in board.personShifts[Int(p)] {
                let k = Int(board.shifts[Int(b)].calendarIndex)
                person.use[k] = PersonCalendar.ShiftUse(minutes: Int(board.minutesUsed[Int(b)]), sessions: Int(board.sessionsUsed[Int(b)]))
            }
            person.trainedMinutes = person.use.reduce(0) { $0 + $1.minutes }
            person.full = [:]
            people[staff] = person
        }
        for n in changed {
            let need = board.needs[n]
            let staff = board.staffIDs[Int(need.person)]
            let module = board.modules[Int(need.module)]
            let at = board.placement[n]
            guard at.isPlaced else {
                placed[staff]?[module.id] = nil
                continue
            }
            let shift = people[staff]!.shifts[Int(board.shifts[Int(at.shift)].calendarIndex)]
            let iv = Interval(start: Instant(seconds: at.start), end: Instant(seconds: at.start + module.length))
            let group: String? = at.group < 0 ? nil : module.kind == .drill ? board.teams[Int(at.group)].group : board.classes[Int(at.group)].group
            // A drill member's id names its team (as the construction's `record` does).
            kept.append(Assignment(id: Assignment.makeID(staffID: staff, moduleID: module.id, start: iv.start,
                                                         team: module.kind == .drill ? group : nil, retired: input.retiredIDs),
                                   staffID: staff, moduleID: module.id, unit: shift.unit, role: shift.role, interval: iv, group: group))
            placed[staff, default: [:]][module.id] = iv
        }
        assignments = kept
        grid = board.grid
        for (c, session) in board.classes.enumerated() { seats[session.group] = Int(board.seats[c]) }
        slackEpoch += 1
        // Needs the board does not hold (no calendar or module) keep what the construction found.
        unmet = board.placement.indices.filter { !board.placement[$0].isPlaced }.map { n in
            UnmetNeed(staffID: board.staffIDs[Int(board.needs[n].person)], moduleID: board.modules[Int(board.needs[n].module)].id,
                      reason: board.reasons[n])
        } + (board.foreign.isEmpty ? [] : unmet.filter { board.foreign.contains($0.staffID + "\u{1F}" + $0.moduleID) })
    }
}
