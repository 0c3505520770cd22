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
        board.moduleTeams = Array(repeating: [], count: moduleList.count)
        board.moduleNeeds = Array(repeating: [], count: moduleList.count)

        // Needs, with what their prerequisites ask.
        let ordered = needs.filter { personIndex[$0.staffID] != nil && moduleIndex[$0.moduleID] != nil }
            .sorted { ($0.staffID, $0.moduleID) < ($1.staffID, $1.moduleID) }
        var needIndex: [String: Int32] = [:]
        for (i, n) in ordered.enumerated() { needIndex[n.key] = Int32(i) }
        board.personNeeds = Array(repeating: [], count: board.staffIDs.count)
        for (i, n) in ordered.enumerated() {
            let p = personIndex[n.staffID]!
            let m = modules[n.moduleID]!
            let person = people[n.staffID]!
            let eligible = person.shifts.indices.filter { k in
                let b = board.shifts[Int(calendarShift[Int(p)][k])]
                return m.isEligible(role: person.shifts[k].role, unit: person.shifts[k].unit) && b.key >= 0 && b.lo < b.hi
            }.map { calendarShift[Int(p)][$0] }
            let prerequisites = m.prerequisites.map { pre -> Board.Prerequisite in
                var held: Int64? = nil
                if let pm = modules[pre], let done = lastCompletion(n.staffID, pre) {
                    held = pm.recurDays.map { done.seconds + Int64($0) * 86_400 } ?? .max
                }
                let need = needIndex[n.staffID + "\u{1F}" + pre] ?? -1
                let fixed = need < 0 ? placed[n.staffID]?[pre]?.end.seconds : nil
                return Board.Prerequisite(need: need, fixedEnd: fixed, heldUntil: held)
            }
            board.needs.append(Board.NeedFacts(person: p, module: moduleIndex[n.moduleID]!, weight: Int32(n.weight),
                                               due: n.due?.seconds ?? .max, shifts: eligible, prerequisites: prerequisites,
                                               dependants: []))
            board.personNeeds[Int(p)].append(Int32(i))
            board.moduleNeeds[Int(moduleIndex[n.moduleID]!)].append(Int32(i))
        }
        for (i, n) in board.needs.enumerated() {
            if board.modules[Int(n.module)].kind == .drill {
                for u in Set(n.shifts.map { board.shifts[Int($0)].unit }).sorted() {
                    board.drillNeeds[Int(n.module) * board.unitNames.count + Int(u), default: []].append(Int32(i))
                }
            }
            for pre in n.prerequisites where pre.need >= 0 { board.needs[Int(pre.need)].dependants.append(Int32(i)) }
        }

        // Ranks: prerequisites inherit the weight of what builds on them, and go first.
        func lift(_ n: Int32, _ w: Int32, _ depth: Int) {
            guard depth < 32, board.needs[Int(n)].rank < w else { return }
            board.needs[Int(n)].rank = w
            for pre in board.needs[Int(n)].prerequisites where pre.need >= 0 { lift(pre.need, w, depth + 1) }
        }
        func depth(_ n: Int32, _ d: Int) -> Int32 {
            guard d < 32 else { return 0 }
            return board.needs[Int(n)].prerequisites.filter { $0.need >= 0 }.map { depth($0.need, d + 1) + 1 }.max() ?? 0
        }
        for n in board.needs.indices {
            lift(Int32(n), board.needs[n].weight, 0)
            board.needs[n].depth = depth(Int32(n), 0)
        }

        // The plan so far: the construction's placements, and the fixed sessions around them.
        board.placement = Array(repeating: Board.Placement(), count: board.needs.count)
        let committed = Set(input.committed.map(\.id))
        var teamIndex: [String: Int32] = [:]
        var placedAt: [Int32: [Int64: Int32]] = [:] // person → start → need
        for a in assignments.sorted(by: Assignment.canonicalOrder) {
            guard let p = personIndex[a.staffID], let m = moduleIndex[a.moduleID] else { continue }
            var group: Int32 = -1
            if let g = a.group, board.modules[Int(m)].kind == .drill {
                if teamIndex[g] == nil {
                    teamIndex[g] = Int32(board.teams.count)
                    board.teams.append(Board.Team(module: m, unit: unitIndex[a.unit]!, start: a.interval.start.seconds,
                                                  members: [], fixed: 0, group: g))
                    board.moduleTeams[Int(m)].append(Int32(board.teams.count - 1))
                }
                group = teamIndex[g]!
            } else if let g = a.group {
                group = classIndex[g] ?? -1
            }
            if committed.contains(a.id) {
                if group >= 0 && board.modules[Int(m)].kind == .drill { board.teams[Int(group)].fixed += 1 }
                continue
            }
            guard let n = needIndex[a.staffID + "\u{1F}" + a.moduleID],
                  let k = people[a.staffID]!.shiftIndex(holding: a.interval, unit: a.unit, role: a.role) else { continue }
            board.placement[Int(n)] = Board.Placement(shift: calendarShift[Int(p)][k], start: a.interval.start.seconds, group: group)
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
        board.settleTotals()
        return board
    }

    /// Takes the board's plan as this run's: assignments, people's sessions and caps, slack, seats.
    mutating func adopt(_ board: Board) {
        let committed = Set(input.committed.map(\.id))
        var kept = assignments.filter { committed.contains($0.id) }
        for (p, staff) in board.staffIDs.enumerated() {
            var person = people[staff]!
            for n in board.personNeeds[p] { placed[staff]?[board.modules[Int(board.needs[Int(n)].module)].id] = nil }
            person.sessions = board.sessions[p].map {
                PersonCalendar.Session(interval: Interval(start: Instant(seconds: $0.start), end: Instant(seconds: $0.end)), gap: $0.gap)
            }
            for b in board.personShifts[p] {
                let k = Int(board.shifts[Int(b)].calendarIndex)
                person.use[k] = PersonCalendar.ShiftUse(minutes: Int(board.minutesUsed[Int(b)]), sessions: Int(board.sessionsUsed[Int(b)]))
            }
            person.trainedMinutes = person.use.reduce(0) { $0 + $1.minutes }
            person.full = [:]
            people[staff] = person
        }
        for (n, at) in board.placement.enumerated() where at.isPlaced {
            let need = board.needs[n]
            let staff = board.staffIDs[Int(need.person)]
            let module = board.modules[Int(need.module)]
            let shift = people[staff]!.shifts[Int(board.shifts[Int(at.shift)].calendarIndex)]
            let iv = Interval(start: Instant(seconds: at.start), end: Instant(seconds: at.start + module.length))
            let group: String? = at.group < 0 ? nil : module.kind == .drill ? board.teams[Int(at.group)].group : board.classes[Int(at.group)].group
            kept.append(Assignment(id: Assignment.makeID(staffID: staff, moduleID: module.id, start: iv.start, retired: input.retiredIDs),
                                   staffID: staff, moduleID: module.id, unit: shift.unit, role: shift.role, interval: iv, group: group))
            placed[staff, default: [:]][module.id] = iv
        }
        assignments = kept
        grid = board.grid
        for (c, session) in board.classes.enumerated() { seats[session.group] = Int(board.seats[c]) }
        slackEpoch += 1
    }
}
