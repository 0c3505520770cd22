/// The improvement search's picture of a plan (see `Search.swift`): people, shifts, modules and
/// needs as small integers, one placement per need, and a journal of every change, so that a
/// step that did not pay is taken back exactly by undoing its own changes, never by copying
/// the plan.
///
/// Invariants between steps: every placement keeps SPEC's hard rules (the person's shift,
/// buffers, lead, busy blocks, caps, spacing, prerequisites, staffing, class seats), and every
/// drill team with a placed member has `lo...hi` people (kept commitments count). Inside a step
/// a team may be short for a while; `dissolveShortTeams` restores the rule before the step is
/// judged. Committed and booked sessions are fixed: they hold their person's time, caps and
/// spacing, their unit's slack and their class's seats, and are never moved.
struct Board {
    // MARK: Facts that do not change

    struct ShiftFacts {
        var person: Int32
        /// The shift's index among its person's shifts in `PlannerRun.people`.
        var calendarIndex: Int32
        var unit: Int32
        /// The grid's key id of the shift's unit and role; -1 when nobody of it may leave.
        var key: Int32
        /// Where a new session may lie: clear of the handover buffers, not before the unit's
        /// notification lead nor the run's first slot, and inside the horizon.
        var lo: Int64
        var hi: Int64
        var maxMinutes: Int32
        var maxSessions: Int32
        var gap: Int64
        /// Minutes of the shift inside the horizon, for the fairness term (0: outside).
        var horizonMinutes: Int32
    }

    struct ModuleFacts {
        var id: String
        var kind: ModuleKind
        var length: Int64
        var minutes: Int32
        /// Publication on the grid: no session starts before.
        var published: Int64
        /// Team bounds of a drill.
        var lo: Int32
        var hi: Int32
        /// Class sessions (indices into `classes`), by time.
        var sessions: [Int32]
    }

    struct ClassFacts {
        var module: Int32
        var start: Int64
        var capacity: Int32
        var group: String
    }

    /// What a need's prerequisite asks: a valid completion at the start, or a session of it
    /// (fixed, or placed for the need `need`) that ends first.
    struct Prerequisite {
        var need: Int32
        var fixedEnd: Int64?
        /// A completion holds until this instant (`Int64.max`: for ever); `nil`: none.
        var heldUntil: Int64?
    }

    /// A need, as plain values (no arrays inside, so that reading one costs nothing).
    struct NeedFacts {
        var person: Int32
        var module: Int32
        var weight: Int32
        /// The weight of the most valuable need that builds on this one (its own at least), and how
        /// many prerequisites deep it lies: a step places prerequisites first, as valuable as what
        /// depends on them.
        var rank: Int32
        var depth: Int32
        var due: Int64
        /// No session starts before this: the module's publication, and a booster's window (on the grid).
        var opens: Int64
        /// The person's shifts in which the module may be taken (eligible by unit and role), in
        /// time order: `needShifts[shiftsStart ..< shiftsStart + shiftsCount]`.
        var shiftsStart: Int32
        var shiftsCount: Int32
        var hasPrerequisites: Bool
        var hasDependants: Bool
    }

    let step: Int64
    let horizonEnd: Int64
    var shifts: [ShiftFacts] = []
    var modules: [ModuleFacts] = []
    var classes: [ClassFacts] = []
    var needs: [NeedFacts] = []
    var needShifts: [Int32] = []
    /// What the prerequisites of a need ask, for the needs that have any.
    var prerequisites: [Int32: [Prerequisite]] = [:]
    /// Needs of the same person whose modules build on a need, for the needs that have any.
    var dependants: [Int32: [Int32]] = [:]
    var staffIDs: [String] = []
    var unitNames: [String] = []
    /// Each person's shifts (indices into `shifts`) in time order, busy blocks and needs.
    var personShifts: [[Int32]] = []
    var busy: [[(Int64, Int64)]] = []
    var personNeeds: [[Int32]] = []
    /// People with a shift on each unit.
    var unitPeople: [[Int32]] = []
    /// Needs of each module, for teams and classes.
    var moduleNeeds: [[Int32]] = []
    /// Needs of each drill module by unit (key `post(module, unit)`): who may form a team there.
    var drillNeeds: [Int: [Int32]] = [:]
    /// The first instant any session may start.
    var firstStart: Int64 = 0

    // MARK: What the run needs back (see `PlannerRun.adopt`)

    /// Why each need was left out by the construction.
    var reasons: [UnmetReason] = []
    /// The construction's assignment (index into `PlannerRun.assignments`) of each need, and its placement.
    var assignmentOf: [Int32] = []
    var initial: [Placement] = []
    /// Needs of the run the board does not hold (their person has no calendar or their module is unknown).
    var foreign: Set<String> = []

    /// A module on a unit, as one key.
    func post(_ module: Int32, _ unit: Int32) -> Int { Int(module) * unitNames.count + Int(unit) }
    /// Teams whose members changed in the current step (see `dissolveShortTeams`).
    var touchedTeams: [Int32] = []
    var acceptance = 0
    /// Scratch for the recreate: the step that last took each need into its pool.
    var stamps: [UInt32] = []
    var stamp: UInt32 = 0

    // MARK: The plan, changed only through `place`, `remove` and `newTeam`

    struct Session {
        var start: Int64
        var end: Int64
        var gap: Int64
        /// The need it was placed for; -1 for a fixed (committed or booked) session.
        var need: Int32
    }

    struct Team {
        var module: Int32
        var unit: Int32
        var start: Int64
        var members: [Int32]
        /// Kept commitments in the team.
        var fixed: Int32
        var group: String
        /// Its size bounds: the module's, within those it was scheduled under (`Board.teamRange`).
        var lo: Int32
        var hi: Int32
        var size: Int32 { Int32(members.count) + fixed }
    }

    struct Placement {
        var shift: Int32 = -1
        var start: Int64 = 0
        /// The drill team (index into `teams`) or class session (index into `classes`); -1 for online.
        var group: Int32 = -1
        var isPlaced: Bool { shift >= 0 }
    }

    enum Op {
        case placed(Int32)
        case removed(Int32, Placement)
        case teamCreated
    }

    var sessions: [[Session]] = []
    var minutesUsed: [Int32] = []
    var sessionsUsed: [Int32] = []
    var grid: StaffingGrid
    var seats: [Int32] = []
    var teams: [Team] = []
    /// Teams of each drill module by unit (key `post(module, unit)`), in the order they were formed.
    var unitTeams: [Int: [Int32]] = [:]
    var placement: [Placement] = []
    /// The priority-weighted number of needs placed: what the search maximises.
    private(set) var weight = 0
    /// The weight placed of needs that fall due inside the horizon (`isUrgent`): the first tie-breaker, so that at equal
    /// weight a need due soon is not traded for one due later (a surge of a module due in two days
    /// keeps its sessions when another module of the same weight could take them).
    private(set) var urgentWeight = 0
    /// Σ over shifts of h·(m/h − μ)², up to a constant, for a shift's training minutes m and
    /// minutes in the horizon h, with μ the construction's training minutes per shift minute
    /// over the whole plan: Σ m²/h − 2μ·Σ m. Smallest when every shift trains at the same rate,
    /// so it measures how unevenly training is spread across people and across day, night and
    /// weekend shifts; without the −2μm term it would favour fewer minutes rather than even ones
    /// (a long module of the same weight on a shift below the rate could only count against the
    /// plan). The search's tie-breaker.
    private(set) var unevenness: Int64 = 0
    /// 2μ in the units of `unevennessTerm` (per minute of training), fixed when the board is built.
    private(set) var rateCoefficient: Int64 = 0
    private(set) var journal: [Op] = []

    /// The bounds drill teams with members already were scheduled under, by group id
    /// (`PlanningInput.teamBounds`; `Int32.max`: no maximum).
    var scheduledBounds: [String: (lo: Int32, hi: Int32)] = [:]

    /// A team's size bounds: module `m`'s, within those its group id was scheduled under.
    func teamRange(_ m: Int32, group: String) -> (lo: Int32, hi: Int32) {
        let f = modules[Int(m)]
        guard let b = scheduledBounds[group] else { return (f.lo, f.hi) }
        return (max(f.lo, b.lo), min(f.hi, b.hi))
    }

    // MARK: The last plan (`PlanningInput.previous`), all empty without one

    /// Each need's placement in the last plan: its shift (-1: none) and start, its class session
    /// (index into `classes`, -1: none) and, for a drill, its team's group id.
    var previousShift: [Int32] = []
    var previousStart: [Int64] = []
    var previousClass: [Int32] = []
    var previousTeam: [Int32: String] = [:]
    /// How many needs are placed exactly as in the last plan (same shift, start and session or
    /// team, so the same assignment id): the tie-breaker after the weight and the weight due
    /// inside the horizon, before evenness, so that among plans of equal weight a re-plan keeps
    /// what the last plan said. Always 0 without a last plan.
    private(set) var kept = 0

    init(step: Int64, horizonEnd: Int64, grid: StaffingGrid) {
        self.step = step
        self.horizonEnd = horizonEnd
        self.grid = grid
    }

    // MARK: Queries

    /// Whether need `n` falls due inside the horizon (not before the first start: an overdue need
    /// is late already and counts only by its weight).
    func isUrgent(_ n: Int32) -> Bool { needs[Int(n)].due > firstStart && needs[Int(n)].due <= horizonEnd }

    /// Whether placement `p` of need `n` is its placement in the last plan.
    func isKept(_ n: Int32, _ p: Placement) -> Bool {
        guard !previousShift.isEmpty, previousShift[Int(n)] == p.shift, previousStart[Int(n)] == p.start else { return false }
        guard p.group >= 0 else { return previousClass[Int(n)] < 0 && previousTeam[n] == nil }
        return modules[Int(needs[Int(n)].module)].kind == .drill ? teams[Int(p.group)].group == previousTeam[n] : previousClass[Int(n)] == p.group
    }

    /// The shifts in which need `n` may be placed, in time order.
    func shiftsOf(_ n: Int32) -> ArraySlice<Int32> {
        let f = needs[Int(n)]
        return needShifts[Int(f.shiftsStart) ..< Int(f.shiftsStart + f.shiftsCount)]
    }

    func end(_ n: Int32) -> Int64 { placement[Int(n)].start + modules[Int(needs[Int(n)].module)].length }

    /// Whether the prerequisites of need `n` hold for a start at `s`; else the earliest later
    /// start at which they might (a placed or fixed session of the prerequisite ends then), or
    /// `nil` when no later start will do.
    func prerequisitesAllow(_ n: Int32, at s: Int64) -> (ok: Bool, from: Int64?) {
        guard needs[Int(n)].hasPrerequisites else { return (true, s) }
        var later: Int64 = s
        for p in prerequisites[n] ?? [] {
            if let until = p.heldUntil, s < until { continue }
            var ready: Int64? = p.fixedEnd
            if p.need >= 0, placement[Int(p.need)].isPlaced {
                let e = end(p.need)
                ready = min(ready ?? e, e)
            }
            guard let r = ready else { return (false, nil) }
            if r > s { later = max(later, r) }
        }
        return later == s ? (true, s) : (false, later)
    }

    /// Every personal rule of SPEC for a session `[s, e)` of need `n` in shift `k`, prerequisites
    /// aside: inside the shift's open part, room under the caps, clear of busy blocks, spaced from
    /// the person's other sessions. On a refusal, the earliest later start worth trying (`nil`: none).
    func personAllows(_ n: Int32, shift k: Int32, start s: Int64, end e: Int64) -> (ok: Bool, from: Int64?) {
        let f = shifts[Int(k)]
        guard e <= f.hi else { return (false, nil) }
        guard s >= f.lo else { return (false, f.lo) }
        let minutes = Int32((e - s) / 60)
        guard sessionsUsed[Int(k)] < f.maxSessions, minutesUsed[Int(k)] + minutes <= f.maxMinutes else { return (false, nil) }
        let p = Int(f.person)
        var next: Int64 = s
        for b in busy[p] where b.0 < e && s < b.1 { next = max(next, b.1) }
        for q in sessions[p] {
            let g = max(f.gap, q.gap)
            if !(q.end + g <= s || e + g <= q.start) { next = max(next, q.end + g) }
        }
        return next == s ? (true, s) : (false, next)
    }

    /// The first start at or after `from` at which need `n` (online or drill) fits shift `k`
    /// for its person and, unless `ignoringStaffing`, for the unit's slack.
    @inline(__always)
    func firstStart(_ n: Int32, shift k: Int32, from: Int64, ignoringStaffing: Bool = false) -> Int64? {
        let f = shifts[Int(k)]
        let m = modules[Int(needs[Int(n)].module)]
        var s = ceil(max(from, f.lo, needs[Int(n)].opens))
        while s + m.length <= f.hi {
            let person = personAllows(n, shift: k, start: s, end: s + m.length)
            guard person.ok else {
                guard let later = person.from else { return nil }
                s = ceil(max(later, s + step))
                continue
            }
            let pre = prerequisitesAllow(n, at: s)
            guard pre.ok else {
                guard let later = pre.from else { return nil }
                s = ceil(max(later, s + step))
                continue
            }
            if ignoringStaffing || f.key < 0 { return f.key < 0 ? nil : s }
            if let short = grid.firstShortSlot(Int(f.key), over: Interval(start: Instant(seconds: s), end: Instant(seconds: s + m.length))) {
                s = ceil(max(grid.slotStart(short + 1).seconds, s + step))
                continue
            }
            return s
        }
        return nil
    }

    /// Whether need `n` may take `[s, s + length)` in shift `k` now: personal rules, prerequisites, staffing.
    func fits(_ n: Int32, shift k: Int32, start s: Int64) -> Bool {
        let f = shifts[Int(k)]
        guard f.key >= 0 else { return false }
        let e = s + modules[Int(needs[Int(n)].module)].length
        return personAllows(n, shift: k, start: s, end: e).ok && prerequisitesAllow(n, at: s).ok
            && grid.canRelease(Int(f.key), over: Interval(start: Instant(seconds: s), end: Instant(seconds: e)))
    }

    func ceil(_ t: Int64) -> Int64 {
        let r = t % step
        return r == 0 ? t : r > 0 ? t + step - r : t - r
    }

    /// The contribution of shift `k` to `unevenness` with `minutes` of training.
    func unevennessTerm(_ k: Int, minutes: Int32) -> Int64 {
        let h = Int64(shifts[k].horizonMinutes)
        guard h > 0 else { return 0 }
        return Int64(minutes) * Int64(minutes) * 1_000_000 / h - rateCoefficient * Int64(minutes)
    }

    // MARK: Changes

    /// Sums the weight and the unevenness of the plan as it stands (after building).
    mutating func settleTotals() {
        weight = 0
        urgentWeight = 0
        for (n, at) in placement.enumerated() where at.isPlaced {
            weight += Int(needs[n].weight)
            if isUrgent(Int32(n)) { urgentWeight += Int(needs[n].weight) }
        }
        var trained: Int64 = 0, open: Int64 = 0
        for k in shifts.indices where shifts[k].horizonMinutes > 0 {
            trained += Int64(minutesUsed[k])
            open += Int64(shifts[k].horizonMinutes)
        }
        rateCoefficient = open > 0 ? 2 * trained * 1_000_000 / open : 0
        kept = 0
        for (n, at) in placement.enumerated() where at.isPlaced && isKept(Int32(n), at) { kept += 1 }
        unevenness = 0
        for k in shifts.indices { unevenness += unevennessTerm(k, minutes: minutesUsed[k]) }
    }

    /// The journal's length: where `rollback(to:)` returns to.
    var mark: Int { journal.count }

    mutating func forgetJournal() { journal.removeAll(keepingCapacity: true) }

    mutating func newTeam(module: Int32, unit: Int32, start: Int64, leader: Int32) -> Int32 {
        let m = modules[Int(module)]
        var group = "g_" + StableHash.hex("\(m.id)\u{1F}\(unitNames[Int(unit)])\u{1F}\(start)\u{1F}\(staffIDs[Int(needs[Int(leader)].person)])")
        // A team formed again where its leader's team of the last plan was takes that team's
        // group id (so its members keep their ids), unless a live team holds it.
        if !previousShift.isEmpty, let old = previousTeam[leader], previousStart[Int(leader)] == start,
           previousShift[Int(leader)] >= 0, shifts[Int(previousShift[Int(leader)])].unit == unit,
           !(unitTeams[post(module, unit)] ?? []).contains(where: { teams[Int($0)].group == old && teams[Int($0)].size > 0 }) {
            group = old
        }
        let (lo, hi) = teamRange(module, group: group)
        teams.append(Team(module: module, unit: unit, start: start, members: [], fixed: 0, group: group, lo: lo, hi: hi))
        unitTeams[post(module, unit), default: []].append(Int32(teams.count - 1))
        journal.append(.teamCreated)
        return Int32(teams.count - 1)
    }

    /// Places need `n` in shift `k` at `s` (in drill team or class session `group`). The caller
    /// has checked that it fits.
    mutating func place(_ n: Int32, shift k: Int32, start s: Int64, group: Int32 = -1) {
        apply(n, Placement(shift: k, start: s, group: group))
        journal.append(.placed(n))
    }

    /// Takes need `n` out of the plan, and with it every placed need of its person that relied on
    /// it as a prerequisite and is left without one.
    mutating func remove(_ n: Int32) {
        let old = placement[Int(n)]
        guard old.isPlaced else { return }
        unapply(n)
        journal.append(.removed(n, old))
        guard needs[Int(n)].hasDependants else { return }
        for d in dependantsWithoutPrerequisite(of: n) { remove(d) }
    }

    /// The placed dependants of need `n` whose prerequisites no longer allow them (not mutating,
    /// so that reading the board does not copy it).
    private func dependantsWithoutPrerequisite(of n: Int32) -> [Int32] {
        (dependants[n] ?? []).filter { placement[Int($0)].isPlaced && !prerequisitesAllow($0, at: placement[Int($0)].start).ok }
    }

    /// Undoes every change after `mark`, newest first.
    mutating func rollback(to mark: Int) {
        while journal.count > mark {
            switch journal.removeLast() {
            case .placed(let n): unapply(n)
            case .removed(let n, let p): apply(n, p)
            case .teamCreated:
                let t = teams.removeLast()
                unitTeams[post(t.module, t.unit)]!.removeLast()
            }
        }
    }

    private mutating func apply(_ n: Int32, _ p: Placement) {
        let need = needs[Int(n)]
        let m = modules[Int(need.module)]
        let k = Int(p.shift)
        let e = p.start + m.length
        placement[Int(n)] = p
        sessions[Int(need.person)].append(Session(start: p.start, end: e, gap: shifts[k].gap, need: n))
        unevenness -= unevennessTerm(k, minutes: minutesUsed[k])
        minutesUsed[k] += m.minutes
        sessionsUsed[k] += 1
        unevenness += unevennessTerm(k, minutes: minutesUsed[k])
        grid.release(Int(shifts[k].key), over: Interval(start: Instant(seconds: p.start), end: Instant(seconds: e)), people: 1)
        if p.group >= 0 {
            if m.kind == .drill {
                teams[Int(p.group)].members.append(n)
                touchedTeams.append(p.group)
            } else {
                seats[Int(p.group)] += 1
            }
        }
        weight += Int(need.weight)
        if isUrgent(n) { urgentWeight += Int(need.weight) }
        if isKept(n, p) { kept += 1 }
    }

    private mutating func unapply(_ n: Int32) {
        let need = needs[Int(n)]
        let m = modules[Int(need.module)]
        let p = placement[Int(n)]
        let k = Int(p.shift)
        if isKept(n, p) { kept -= 1 }
        placement[Int(n)] = Placement()
        let mine = Int(need.person)
        if let i = sessions[mine].firstIndex(where: { $0.need == n }) { sessions[mine].remove(at: i) }
        unevenness -= unevennessTerm(k, minutes: minutesUsed[k])
        minutesUsed[k] -= m.minutes
        sessionsUsed[k] -= 1
        unevenness += unevennessTerm(k, minutes: minutesUsed[k])
        grid.release(Int(shifts[k].key), over: Interval(start: Instant(seconds: p.start), end: Instant(seconds: p.start + m.length)), people: -1)
        if p.group >= 0 {
            if m.kind == .drill {
                if let i = teams[Int(p.group)].members.firstIndex(of: n) { teams[Int(p.group)].members.remove(at: i) }
                touchedTeams.append(p.group)
            } else {
                seats[Int(p.group)] -= 1
            }
        }
        weight -= Int(need.weight)
        if isUrgent(n) { urgentWeight -= Int(need.weight) }
    }

    /// Takes out every drill team that is short of its minimum (SPEC: a group below group_min
    /// does not run); returns the needs taken out.
    mutating func dissolveShortTeams() -> [Int32] {
        var out: [Int32] = []
        let touched = touchedTeams
        touchedTeams = []
        shortFixedTeam = false
        for t in touched where Int(t) < teams.count {
            let team = teams[Int(t)]
            guard team.size > 0, team.size < team.lo else { continue }
            // Kept commitments cannot be taken out: a step that leaves them short is undone.
            if team.fixed > 0 { shortFixedTeam = true }
            for n in team.members {
                out.append(n)
                remove(n)
            }
        }
        return out
    }

    /// Whether the last `dissolveShortTeams` found a team of kept commitments below its minimum.
    var shortFixedTeam = false
}
