/// Places micro-training into the gaps of a roster without taking any unit below its
/// coverage minimum. Pure: the same input gives the same plan, byte for byte.
public struct Planner: Sendable {
    /// How the construction orders its work, and whether the plan is then improved.
    public enum Strategy: Sendable {
        /// jitd: the weighted greedy with least-trained people first, then the improvement search.
        case full
        /// The weighted greedy alone, needs of equal rank by staff id: the baseline for fairness and gain figures.
        case plainGreedy
        /// Modules in catalog-id order (prerequisites first), each need at its first feasible slot:
        /// the naive baseline of the quality table.
        case firstFit
    }

    public var strategy: Strategy
    /// Steps of the improvement search per person on the roster, for experiments (the benchmarks
    /// vary it to show what more search would buy); `nil`: the shipped budget
    /// (`PlannerRun.searchBudget`). A count, never a clock.
    public var searchStepsPerPerson: Int? = nil
    /// Experiment knob (benchmarks only): 0 strict fairness tie-break, 1 plateau walk ignoring fairness.
    public var acceptance = 0

    public init(_ strategy: Strategy = .full) { self.strategy = strategy }

    public func plan(_ input: PlanningInput) -> Plan {
        var run = PlannerRun(input: input)
        run.fair = strategy == .full
        run.byWeight = strategy != .firstFit
        run.startsFromPrevious = strategy == .full
        run.bookHistory()
        run.keepCommitted()
        run.placeNeeds()
        if strategy == .full {
            let budget = searchStepsPerPerson.map { PlannerRun.SearchBudget(perPerson: $0, pool: 0, atScalePerHundred: 100 * $0) } ?? PlannerRun.searchBudget
            run.search(budget, acceptance: acceptance)
        }
        return run.result()
    }
}

/// The mutable state of one planning run.
struct PlannerRun {
    let input: PlanningInput
    let policy: Policy
    let step: Int64
    /// No assignment starts before this: now plus the shortest notification lead of any unit, on
    /// the grid (each shift's own unit lead is in `PersonCalendar.Rules`).
    let earliest: Instant
    let modules: [String: Module]
    var grid: StaffingGrid
    var people: [String: PersonCalendar] = [:]
    var assignments: [Assignment] = []
    var cancellations: [Cancellation] = []
    /// Where each person's module is placed in this plan (or was committed before).
    var placed: [String: [String: Interval]] = [:]
    /// Bumped whenever slack comes back (a session taken out), which voids `PersonCalendar.full`.
    var slackEpoch = 0
    /// People in each class session (by group id), committed ones included.
    var seats: [String: Int] = [:]
    var unmet: [UnmetNeed] = []
    var needs: [Need] = []
    /// Needs that may not start before an instant (boosters), by need key.
    var notBefore: [String: Instant] = [:]
    /// Needs for which a personally free time was refused only by staffing, or by a full class.
    var blockedByStaffing: Set<String> = []
    var blockedByCapacity: Set<String> = []
    /// Latest completion per person and module.
    let completed: [String: [String: Instant]]
    /// Least-trained first among needs of equal rank.
    var fair = true
    /// Modules ranked by weight (else by id: first-fit).
    var byWeight = true
    /// Whether the construction starts from `input.previous` (jitd; the baselines ignore it).
    var startsFromPrevious = false

    /// How much training a person already carries, when ordering is fair.
    func load(_ staff: String) -> Int { fair ? people[staff]?.trainedMinutes ?? 0 : 0 }

    init(input: PlanningInput) {
        self.input = input
        self.policy = input.policy
        self.step = Int64(input.policy.slotMinutes) * 60
        let lead = ([input.policy] + input.unitPolicies.values).map(\.notifyLeadMinutes).min()!
        self.earliest = input.now.adding(minutes: lead).ceiled(to: step)
        self.modules = Dictionary(input.modules.map { ($0.id, $0) }, uniquingKeysWith: { a, _ in a })
        self.grid = StaffingGrid(input: input, origin: input.now.floored(to: step), end: input.horizon.end)
        var completed: [String: [String: Instant]] = [:]
        for c in input.completions where completed[c.staffID]?[c.moduleID].map({ $0 < c.completedAt }) ?? true {
            completed[c.staffID, default: [:]][c.moduleID] = c.completedAt
        }
        self.completed = completed
        // Only what can matter: shifts and busy blocks that reach into the horizon.
        let reach = Interval(start: input.now.adding(seconds: -86_400), end: input.horizon.end)
        var rules: [String: PersonCalendar.Rules] = [:]
        // Each person's shifts in time order, so that "first" means earliest across units too.
        let ordered = input.shifts.filter { $0.interval.overlaps(reach) }.sorted { a, b in
            a.interval.start != b.interval.start ? a.interval.start < b.interval.start : Shift.canonicalOrder(a, b)
        }
        for s in ordered {
            switch s.kind {
            case .shift:
                let r = rules[s.unit] ?? PersonCalendar.Rules(input.policy(of: s.unit), now: input.now, step: step)
                rules[s.unit] = r
                people[s.staffID, default: PersonCalendar()].add(s, rules: r)
            case .busy:
                people[s.staffID, default: PersonCalendar()].busy.append(s.interval)
            }
        }
    }

    // MARK: Committed assignments

    /// Books the sessions that ended, were completed or were missed into their people's shifts:
    /// they count toward the caps and the spacing of what is placed next to them, and are never
    /// moved. A session no shift holds any more (the roster changed) still counts for spacing.
    mutating func bookHistory() {
        for a in (input.booked + input.unheardCancellations).sorted(by: Assignment.canonicalOrder) {
            guard var person = people[a.staffID] else { continue }
            let k = person.shiftIndex(holding: a.interval, unit: a.unit, role: a.role)
                ?? person.shifts.indices.first { person.shifts[$0].unit == a.unit && person.shifts[$0].role == a.role
                    && person.shifts[$0].interval.overlaps(a.interval) }
            if let k { person.book(a.interval, inShift: k) } else {
                person.sessions.append(.init(interval: a.interval, gap: Int64(input.policy(of: a.unit).minMinutesBetweenSessions) * 60))
            }
            people[a.staffID] = person
            if a.interval.end > input.now { placed[a.staffID, default: [:]][a.moduleID] = a.interval }
        }
        // A cancellation nobody heard: the person may be away, on a shift that still holds them.
        for a in input.unheardCancellations.sorted(by: Assignment.canonicalOrder) where a.interval.end > input.now {
            guard people[a.staffID]?.shiftIndex(holding: a.interval, unit: a.unit, role: a.role) != nil else { continue }
            grid.release(StaffingGrid.Key(unit: a.unit, role: a.role), over: a.interval)
            if let g = a.group, modules[a.moduleID]?.kind == .classroom { seats[g, default: 0] += 1 }
        }
    }

    /// Keeps what people were already told, unless the roster no longer allows it.
    mutating func keepCommitted() {
        for a in input.committed.sorted(by: Assignment.canonicalOrder) where a.interval.end > input.now {
            let key = StaffingGrid.Key(unit: a.unit, role: a.role)
            let person = people[a.staffID]
            let k = person?.shiftIndex(holding: a.interval, unit: a.unit, role: a.role)
            let started = a.interval.start <= input.now
            if !started {
                guard let k, person!.busy.allSatisfy({ !$0.overlaps(a.interval) }) else {
                    cancellations.append(Cancellation(assignment: a, reason: "roster_changed"))
                    continue
                }
                guard grid.canRelease(key, over: a.interval) else {
                    cancellations.append(Cancellation(assignment: a, reason: "understaffed"))
                    continue
                }
                people[a.staffID]!.book(a.interval, inShift: k)
            } else if let k {
                people[a.staffID]!.book(a.interval, inShift: k)
            }
            grid.release(key, over: a.interval)
            assignments.append(a)
            placed[a.staffID, default: [:]][a.moduleID] = a.interval
            if let g = a.group { seats[g, default: 0] += 1 }
        }
        // Either can leave work for the other (a drill may be a prerequisite; a dependent may be a
        // drill member).
        var settled = -1
        while cancellations.count != settled {
            settled = cancellations.count
            cancelUnmetDependents()
            cancelShrunkDrills()
        }
    }

    /// A session not yet started whose prerequisite no longer comes first (the prerequisite's
    /// own session was declined, cancelled or lost its shift, and no completion valid at the
    /// start holds it) is cancelled; its need is placed again after the prerequisite (SPEC: a
    /// prerequisite is met by a completion valid at the dependent's start, or by a placed
    /// session of it that ends first). Repeated, since a cancelled session can be another's
    /// prerequisite.
    mutating func cancelUnmetDependents() {
        var ended: [String: [String: [Interval]]] = [:]
        for a in input.booked { ended[a.staffID, default: [:]][a.moduleID, default: []].append(a.interval) }
        // The kept sessions by person and module, kept up to date as sessions are dropped, so a
        // pass costs what the kept sessions hold rather than their square.
        var kept: [String: [String: [Interval]]] = [:]
        for a in assignments { kept[a.staffID, default: [:]][a.moduleID, default: []].append(a.interval) }
        var dropped = true
        while dropped {
            dropped = false
            for i in assignments.indices.reversed() {
                let a = assignments[i]
                guard a.interval.start > input.now, let m = modules[a.moduleID], !m.prerequisites.isEmpty else { continue }
                let unmet = m.prerequisites.contains { p in
                    let before: (Interval) -> Bool = { $0.end <= a.interval.start }
                    if (kept[a.staffID]?[p] ?? []).contains(where: before) { return false }
                    if (ended[a.staffID]?[p] ?? []).contains(where: before) { return false }
                    guard let pm = modules[p] else { return false }
                    return !NeedFinder.holds(pm, completedAt: lastCompletion(a.staffID, p), at: a.interval.start)
                }
                guard unmet else { continue }
                if let j = kept[a.staffID]?[a.moduleID]?.firstIndex(of: a.interval) { kept[a.staffID]![a.moduleID]!.remove(at: j) }
                uncommit(i, reason: "prerequisite_unmet")
                dropped = true
            }
        }
    }

    /// A drill whose group fell below `group_min` (a member declined, or lost their shift) and
    /// has not started is cancelled whole; its members' needs are placed again (SPEC). From the
    /// moment the team must be confirmed (`Module.teamConfirmedBy`), members whose message no
    /// endpoint has accepted (`PlanningInput.unconfirmed`) do not count.
    mutating func cancelShrunkDrills() {
        let kept = Dictionary(grouping: assignments.indices.filter { assignments[$0].group != nil }, by: { assignments[$0].group! })
        var drop: [Int] = []
        for (_, members) in kept.sorted(by: { $0.key < $1.key }) {
            let first = assignments[members[0]]
            guard let m = modules[first.moduleID], m.kind == .drill, first.interval.start > input.now else { continue }
            let confirming = input.now >= Module.teamConfirmedBy(start: first.interval.start,
                                                                 leadMinutes: input.policy(of: first.unit).notifyLeadMinutes)
            let counted = confirming ? members.filter { !input.unconfirmed.contains(assignments[$0].id) }.count : members.count
            // The minimum in force, and the one the team was scheduled under (see `teamBounds`).
            guard counted < max(2, m.groupMin ?? 2, input.teamBounds[first.group!]?.min ?? 0) else { continue }
            drop += members
        }
        for i in drop.sorted(by: >) { uncommit(i, reason: "group_too_small") }
    }

    /// Takes a kept assignment out of the plan and cancels it for `reason`. The person hears of
    /// it only once an endpoint takes the `assignment.cancelled`, so in this plan the session
    /// keeps its time, its place in the shift's caps, the unit's slack and its class seat, and
    /// its need waits: the next plan frees them once the cancellation was delivered
    /// (`PlanningInput.unheardCancellations`). Placing the person again at once put them into
    /// two drills ten minutes apart when the first one's cancellation did not get through.
    mutating func uncommit(_ i: Int, reason: String) {
        let a = assignments.remove(at: i)
        cancellations.append(Cancellation(assignment: a, reason: reason))
    }

    // MARK: Needs

    mutating func placeNeeds() {
        needs = NeedFinder(input: input).needs().filter { placed[$0.staffID]?[$0.moduleID] == nil }
        for n in needs { if let t = n.notBefore { notBefore[n.key] = t } }
        if startsFromPrevious && !input.previous.isEmpty { keepPrevious() }
        let byModule = Dictionary(grouping: needs.filter { placed[$0.staffID]?[$0.moduleID] == nil }, by: \.moduleID)
        for module in moduleOrder(byModule) {
            let pending = byModule[module.id] ?? []
            guard module.published < input.horizon.end else {
                unmet += pending.map { UnmetNeed(staffID: $0.staffID, moduleID: $0.moduleID, reason: .notPublished) }
                continue
            }
            switch module.kind {
            case .online: placeOnline(module, pending)
            case .drill: placeDrill(module, pending)
            case .classroom: placeClassroom(module, pending)
            }
        }
    }

    /// Modules in the order they are planned: highest weight (a prerequisite inherits the weight
    /// of what depends on it), prerequisites before dependants, rigid kinds first, earlier due
    /// first, shorter first (a short module leaves more slack and minutes for the rest).
    func moduleOrder(_ byModule: [String: [Need]]) -> [Module] {
        var weight: [String: Int] = [:]
        var depth: [String: Int] = [:]
        func depthOf(_ id: String, _ seen: Set<String>) -> Int {
            if let d = depth[id] { return d }
            guard let m = modules[id], !seen.contains(id) else { return 0 }
            let d = m.prerequisites.map { depthOf($0, seen.union([id])) + 1 }.max() ?? 0
            depth[id] = d
            return d
        }
        func lift(_ id: String, _ w: Int, _ seen: Set<String>) {
            guard let m = modules[id], !seen.contains(id) else { return }
            weight[id] = max(weight[id] ?? 0, w)
            for p in m.prerequisites { lift(p, w, seen.union([id])) }
        }
        for m in input.modules { lift(m.id, m.priority.weight, []) }
        func rigidity(_ k: ModuleKind) -> Int { k == .classroom ? 0 : k == .drill ? 1 : 2 }
        let keyed = input.modules.map { m in
            (m, -(weight[m.id] ?? 0), depthOf(m.id, []), rigidity(m.kind),
             byModule[m.id]?.compactMap { $0.due?.seconds }.min() ?? .max)
        }
        guard byWeight else { return keyed.sorted { ($0.2, $0.0.id) < ($1.2, $1.0.id) }.map(\.0) }
        return keyed.sorted {
            ($0.1, $0.2, $0.3, $0.4, $0.0.minutes, $0.0.id) < ($1.1, $1.2, $1.3, $1.4, $1.0.minutes, $1.0.id)
        }.map(\.0)
    }

    /// The earliest start a need may take: published, the first slot, and after its prerequisites.
    /// `nil` when a prerequisite is neither held nor placed.
    func earliestStart(_ module: Module, for staff: String) -> Instant? {
        var t = max(earliest, module.published.ceiled(to: step))
        if let opens = notBefore[staff + "\u{1F}" + module.id] { t = max(t, opens.ceiled(to: step)) }
        for p in module.prerequisites {
            if let iv = placed[staff]?[p] {
                t = max(t, iv.end.ceiled(to: step))
            } else if let pm = modules[p], NeedFinder.holds(pm, completedAt: lastCompletion(staff, p), at: t) {
                continue
            } else {
                return nil
            }
        }
        return t
    }

    /// A drill team's size bounds: its module's in force (`group_max` absent: `group_min`), within
    /// those it was scheduled under when it has members already (`PlanningInput.teamBounds`).
    func teamRange(_ module: Module, group: String?) -> (lo: Int, hi: Int) {
        var lo = max(1, module.groupMin ?? 2), hi = max(lo, module.groupMax ?? lo)
        if let g = group, let b = input.teamBounds[g] {
            lo = max(lo, b.min)
            hi = min(hi, b.max ?? hi)
        }
        return (lo, hi)
    }

    /// The group id of a class session, shared by everyone who attends it.
    func classGroup(_ module: Module, _ session: ClassSession) -> String {
        "c_" + StableHash.hex("\(module.id)\u{1F}\(session.start.seconds)\u{1F}\(session.location)")
    }

    func lastCompletion(_ staff: String, _ module: String) -> Instant? { completed[staff]?[module] }

    mutating func record(_ need: Need, _ module: Module, shift k: Int, at iv: Interval, group: String? = nil) {
        let shift = people[need.staffID]!.shifts[k]
        people[need.staffID]!.book(iv, inShift: k)
        grid.release(.init(unit: shift.unit, role: shift.role), over: iv)
        placed[need.staffID, default: [:]][module.id] = iv
        if let group { seats[group, default: 0] += 1 }
        // A drill member's id names its team: the same person, module and start in another team
        // is another assignment, so a re-plan that forms the team anew replaces every member's
        // row and message instead of keeping an old row that names the old team.
        assignments.append(Assignment(id: Assignment.makeID(staffID: need.staffID, moduleID: module.id, start: iv.start,
                                                            team: module.kind == .drill ? group : nil, retired: input.retiredIDs),
                                      staffID: need.staffID, moduleID: module.id, unit: shift.unit, role: shift.role,
                                      interval: iv, group: group))
    }

    mutating func giveUp(_ need: Need, prerequisiteMissing: Bool = false) {
        let key = need.key
        let reason: UnmetReason = prerequisiteMissing ? .prerequisite
            : blockedByCapacity.contains(key) ? .capacity
            : blockedByStaffing.contains(key) ? .understaffed : .noGap
        unmet.append(UnmetNeed(staffID: need.staffID, moduleID: need.moduleID, reason: reason))
    }

    // MARK: Result

    func result() -> Plan {
        // Every assignment that is not a kept commitment was placed for one of `needs`, and a
        // need weighs what its module's priority does.
        let kept = Set(input.committed.map(\.id))
        let placedWeight = assignments.reduce(0) { $0 + (kept.contains($1.id) ? 0 : modules[$1.moduleID]?.priority.weight ?? 0) }
        return Plan(generatedAt: input.now, horizon: input.horizon,
                    assignments: assignments.sorted(by: Assignment.canonicalOrder),
                    unmet: unmet.sorted { ($0.staffID, $0.moduleID) < ($1.staffID, $1.moduleID) },
                    understaffed: grid.understaffedWindows(),
                    cancellations: cancellations,
                    needsTotal: needs.count,
                    weightPlaced: placedWeight,
                    weightTotal: needs.reduce(0) { $0 + $1.weight },
                    fairness: fairness())
    }

    func fairness() -> FairnessStats {
        var stats = FairnessStats()
        var members: [ShiftType: Set<String>] = [:]
        for (staff, person) in people {
            for (k, s) in person.shifts.enumerated() where s.interval.overlaps(input.horizon) {
                let type = ShiftType.of(s, zone: input.zone(of: s.unit))
                members[type, default: []].insert(staff)
                stats[type].minutes += person.use[k].minutes
                let inside = min(s.interval.end, input.horizon.end).seconds - max(s.interval.start, input.horizon.start).seconds
                stats[type].shiftMinutes += Int(inside / 60)
            }
        }
        for (type, set) in members { stats[type].people = set.count }
        return stats
    }
}

/// Day, night or weekend: the access groups whose training time should be even.
enum ShiftType: Hashable {
    case day, night, weekend

    static func of(_ s: Shift, zone: Zone) -> ShiftType {
        let local = zone.local(s.interval.start)
        let weekday = CivilDate.isoWeekday(days: CivilDate.days(year: local.year, month: local.month, day: local.day))
        if weekday >= 6 { return .weekend }
        return (6..<18).contains(local.hour) ? .day : .night
    }
}

extension FairnessStats {
    subscript(_ t: ShiftType) -> Bucket {
        get { t == .day ? day : t == .night ? night : weekend }
        set {
            switch t {
            case .day: day = newValue
            case .night: night = newValue
            case .weekend: weekend = newValue
            }
        }
    }
}
