/// Places micro-training into the gaps of a roster without taking any unit below its
/// coverage minimum. Pure: the same input gives the same plan, byte for byte.
public struct Planner: Sendable {
    /// How needs of equal priority and due date are ordered.
    public enum Ordering: Sendable {
        /// Least-trained people first, so minutes spread across people and shift types.
        case fair
        /// By staff id only: the plain greedy baseline the benchmarks compare against.
        case plainGreedy
    }

    public var ordering: Ordering

    public init(ordering: Ordering = .fair) { self.ordering = ordering }

    public func plan(_ input: PlanningInput) -> Plan {
        var run = PlannerRun(input: input)
        run.fair = ordering == .fair
        run.bookHistory()
        run.keepCommitted()
        run.placeNeeds()
        run.repair()
        return run.result()
    }
}

/// The mutable state of one planning run.
struct PlannerRun {
    let input: PlanningInput
    let policy: Policy
    let step: Int64
    /// No assignment starts before this: now plus the notification lead, on the grid.
    let earliest: Instant
    let modules: [String: Module]
    var grid: StaffingGrid
    var people: [String: PersonCalendar] = [:]
    var assignments: [Assignment] = []
    var cancellations: [Cancellation] = []
    /// Where each person's module is placed in this plan (or was committed before).
    var placed: [String: [String: Interval]] = [:]
    var unmet: [UnmetNeed] = []
    var needs: [Need] = []
    /// Needs for which a personally free time was refused only by staffing, or by a full class.
    var blockedByStaffing: Set<String> = []
    var blockedByCapacity: Set<String> = []
    /// Latest completion per person and module.
    let completed: [String: [String: Instant]]
    /// Least-trained first (see `Planner.Ordering`).
    var fair = true

    /// How much training a person already carries, when ordering is fair.
    func load(_ staff: String) -> Int { fair ? people[staff]?.trainedMinutes ?? 0 : 0 }

    init(input: PlanningInput) {
        self.input = input
        self.policy = input.policy
        self.step = Int64(input.policy.slotMinutes) * 60
        self.earliest = input.now.adding(minutes: input.policy.notifyLeadMinutes).ceiled(to: step)
        self.modules = Dictionary(input.modules.map { ($0.id, $0) }, uniquingKeysWith: { a, _ in a })
        self.grid = StaffingGrid(input: input, origin: input.now.floored(to: step), end: input.horizon.end)
        var completed: [String: [String: Instant]] = [:]
        for c in input.completions where completed[c.staffID]?[c.moduleID].map({ $0 < c.completedAt }) ?? true {
            completed[c.staffID, default: [:]][c.moduleID] = c.completedAt
        }
        self.completed = completed
        // Only what can matter: shifts and busy blocks that reach into the horizon.
        let reach = Interval(start: input.now.adding(seconds: -86_400), end: input.horizon.end)
        for s in input.shifts.sorted(by: Shift.canonicalOrder) where s.interval.overlaps(reach) {
            switch s.kind {
            case .shift:
                people[s.staffID, default: PersonCalendar()].shifts.append(s)
                people[s.staffID]!.use.append(.init())
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
        for a in input.booked.sorted(by: Assignment.canonicalOrder) {
            guard var person = people[a.staffID] else { continue }
            let k = person.shiftIndex(holding: a.interval, unit: a.unit, role: a.role, policy: policy)
                ?? person.shifts.indices.first { person.shifts[$0].unit == a.unit && person.shifts[$0].role == a.role
                    && person.shifts[$0].interval.overlaps(a.interval) }
            if let k { person.book(a.interval, inShift: k) } else { person.sessions.append(a.interval) }
            people[a.staffID] = person
            if a.interval.end > input.now { placed[a.staffID, default: [:]][a.moduleID] = a.interval }
        }
    }

    /// Keeps what people were already told, unless the roster no longer allows it.
    mutating func keepCommitted() {
        for a in input.committed.sorted(by: Assignment.canonicalOrder) where a.interval.end > input.now {
            let key = StaffingGrid.Key(unit: a.unit, role: a.role)
            let person = people[a.staffID]
            let k = person?.shiftIndex(holding: a.interval, unit: a.unit, role: a.role, policy: policy)
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
        }
        cancelShrunkDrills()
    }

    /// A drill whose group fell below `group_min` (a member declined, or lost their shift) and
    /// has not started is cancelled whole; its members' needs are placed again (SPEC).
    mutating func cancelShrunkDrills() {
        let kept = Dictionary(grouping: assignments.indices.filter { assignments[$0].group != nil }, by: { assignments[$0].group! })
        var drop: [Int] = []
        for (_, members) in kept.sorted(by: { $0.key < $1.key }) {
            let first = assignments[members[0]]
            guard let m = modules[first.moduleID], m.kind == .drill, first.interval.start > input.now,
                  members.count < max(2, m.groupMin ?? 2) else { continue }
            drop += members
        }
        for i in drop.sorted(by: >) {
            let a = assignments.remove(at: i)
            if let k = people[a.staffID]?.shiftIndex(holding: a.interval, unit: a.unit, role: a.role, policy: policy) {
                people[a.staffID]!.unbook(a.interval, inShift: k)
            }
            grid.release(StaffingGrid.Key(unit: a.unit, role: a.role), over: a.interval, people: -1)
            placed[a.staffID]?[a.moduleID] = nil
            cancellations.append(Cancellation(assignment: a, reason: "group_too_small"))
        }
    }

    // MARK: Needs

    mutating func placeNeeds() {
        needs = NeedFinder(input: input).needs().filter { placed[$0.staffID]?[$0.moduleID] == nil }
        let byModule = Dictionary(grouping: needs, by: \.moduleID)
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
        return keyed.sorted {
            ($0.1, $0.2, $0.3, $0.4, $0.0.minutes, $0.0.id) < ($1.1, $1.2, $1.3, $1.4, $1.0.minutes, $1.0.id)
        }.map(\.0)
    }

    /// The earliest start a need may take: published, the first slot, and after its prerequisites.
    /// `nil` when a prerequisite is neither held nor placed.
    func earliestStart(_ module: Module, for staff: String) -> Instant? {
        var t = max(earliest, module.published.ceiled(to: step))
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

    func lastCompletion(_ staff: String, _ module: String) -> Instant? { completed[staff]?[module] }

    mutating func record(_ need: Need, _ module: Module, shift k: Int, at iv: Interval, group: String? = nil) {
        let shift = people[need.staffID]!.shifts[k]
        people[need.staffID]!.book(iv, inShift: k)
        grid.release(.init(unit: shift.unit, role: shift.role), over: iv)
        placed[need.staffID, default: [:]][module.id] = iv
        assignments.append(Assignment(id: Assignment.makeID(staffID: need.staffID, moduleID: module.id, start: iv.start,
                                                            retired: input.retiredIDs),
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
        let weights = Dictionary(needs.map { ($0.key, $0.weight) }, uniquingKeysWith: max)
        let placedWeight = assignments.reduce(0) { $0 + (weights[$1.staffID + "\u{1F}" + $1.moduleID] ?? 0) }
        return Plan(generatedAt: input.now, horizon: input.horizon,
                    assignments: assignments.sorted(by: Assignment.canonicalOrder),
                    unmet: unmet.sorted { ($0.staffID, $0.moduleID) < ($1.staffID, $1.moduleID) },
                    understaffed: grid.understaffedWindows(),
                    cancellations: cancellations,
                    needsTotal: needs.count,
                    weightPlaced: placedWeight,
                    weightTotal: weights.values.reduce(0, +),
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
