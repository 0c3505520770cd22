/// Headcount, coverage minimum and people in training per unit and role, on the planning grid.
///
/// Slot `i` is `[origin + i·step, origin + (i+1)·step)`. A person counts as on shift in a
/// slot only when a shift covers the whole slot; a coverage minimum counts for a slot
/// when it is in force at any moment of it (a window shorter than a slot too). Both choices err
/// on the safe side.
///
/// A rule of role `*` counts everyone on its unit: the unit's `*` key holds the headcount of all
/// its roles, and releasing anyone of the unit takes from it as well as from their role.
struct StaffingGrid {
    struct Key: Hashable, Comparable {
        var unit: String
        var role: String
        static func < (a: Key, b: Key) -> Bool { (a.unit, a.role) < (b.unit, b.role) }
    }

    let origin: Instant
    let step: Int64
    let count: Int
    private(set) var headcount: [Key: [Int]] = [:]
    private(set) var minimum: [Key: [Int]] = [:]
    /// Headcount − minimum − in training, per key id and slot: what `canRelease` reads.
    private var slackColumns: [[Int]] = []
    private var ids: [Key: Int] = [:]
    /// Per key, the slots between the first and last shift of its unit: where understaffing is reported.
    private var rosterSpan: [String: Range<Int>] = [:]
    /// Per key id, the id of its unit's `*` key when a `*` rule binds that unit (and the key is not it).
    private var anyRoleID: [Int?] = []

    init(input: PlanningInput, origin: Instant, end: Instant) {
        self.origin = origin
        self.step = Int64(input.policy.slotMinutes) * 60
        self.count = Int((end.seconds - origin.seconds + step - 1) / step)
        let anyRoleUnits = Set(input.coverage.filter { $0.role == CoverageRule.anyRole }.map(\.unit))
        func countsAnyRole(_ unit: String) -> Bool { anyRoleUnits.contains("*") || anyRoleUnits.contains(unit) }
        for shift in input.shifts where shift.kind == .shift {
            let covered = coveredSlots(shift.interval)
            var keys = [Key(unit: shift.unit, role: shift.role)]
            if countsAnyRole(shift.unit) && shift.role != CoverageRule.anyRole { keys.append(Key(unit: shift.unit, role: CoverageRule.anyRole)) }
            for key in keys {
                var column = headcount[key] ?? Array(repeating: 0, count: count)
                for i in covered { column[i] += 1 }
                headcount[key] = column
            }
            let touched = touchedSlots(shift.interval)
            if !touched.isEmpty {
                let old = rosterSpan[shift.unit] ?? touched
                rosterSpan[shift.unit] = min(old.lowerBound, touched.lowerBound)..<max(old.upperBound, touched.upperBound)
            }
        }
        for unit in rosterSpan.keys {
            for rule in input.coverage where rule.unit == "*" || rule.unit == unit {
                let key = Key(unit: unit, role: rule.role)
                if headcount[key] == nil { headcount[key] = Array(repeating: 0, count: count) }
            }
        }
        for key in headcount.keys {
            let rules = input.coverage.filter { $0.applies(toUnit: key.unit, role: key.role) }
            let zone = input.zone(of: key.unit)
            minimum[key] = (0..<count).map { i in
                let start = slotStart(i)
                let last = start.adding(seconds: step - 1)
                let a = zone.local(start), b = zone.local(last)
                return rules.reduce(0) { m, r in r.isActive(anyMomentFrom: a, through: b) ? max(m, r.min) : m }
            }
        }
        for (n, key) in headcount.keys.sorted().enumerated() {
            ids[key] = n
            slackColumns.append(zip(headcount[key]!, minimum[key]!).map { $0 - $1 })
        }
        anyRoleID = headcount.keys.sorted().map { key in
            key.role == CoverageRule.anyRole ? nil : ids[Key(unit: key.unit, role: CoverageRule.anyRole)]
        }
    }

    /// A small integer for a key, for the hot paths; `nil` for a unit and role nobody works.
    func id(_ key: Key) -> Int? { ids[key] }

    func slotStart(_ i: Int) -> Instant { origin.adding(seconds: Int64(i) * step) }

    /// Slots wholly inside an interval.
    func coveredSlots(_ iv: Interval) -> Range<Int> {
        let lo = Int(max(0, (iv.start.seconds - origin.seconds + step - 1) / step))
        let hi = Int(min(Int64(count), floorDiv(iv.end.seconds - origin.seconds, step)))
        return lo < hi ? lo..<hi : 0..<0
    }

    /// Slots that share any moment with an interval.
    func touchedSlots(_ iv: Interval) -> Range<Int> {
        let lo = Int(max(0, floorDiv(iv.start.seconds - origin.seconds, step)))
        let hi = Int(min(Int64(count), (iv.end.seconds - origin.seconds + step - 1) / step))
        return lo < hi ? lo..<hi : 0..<0
    }

    /// Slack left at slot `i`: on shift − minimum − already in training.
    func slack(_ key: Key, _ i: Int) -> Int {
        guard let id = ids[key] else { return 0 }
        return slackColumns[id][i]
    }

    /// Whether `people` more can leave `key` over the interval (and, where a `*` rule binds the
    /// unit, `unitPeople` more of the unit, by default as many).
    func canRelease(_ key: Key, over iv: Interval, people: Int = 1, unitPeople: Int? = nil) -> Bool {
        guard let id = ids[key] else { return false }
        return canRelease(id, over: iv, people: people, unitPeople: unitPeople)
    }

    func canRelease(_ id: Int, over iv: Interval, people: Int = 1, unitPeople: Int? = nil) -> Bool {
        let column = slackColumns[id]
        for i in touchedSlots(iv) where column[i] < people { return false }
        if let any = anyRoleID[id] {
            let n = unitPeople ?? people
            for i in touchedSlots(iv) where slackColumns[any][i] < n { return false }
        }
        return true
    }

    /// The first slot of `iv` in which fewer than `people` more of key `id` may leave (or of its
    /// unit, where a `*` rule binds it); `nil` when they all may.
    func firstShortSlot(_ id: Int, over iv: Interval, people: Int = 1) -> Int? {
        let column = slackColumns[id]
        let any = anyRoleID[id]
        for i in touchedSlots(iv) {
            if column[i] < people { return i }
            if let a = any, slackColumns[a][i] < people { return i }
        }
        return nil
    }

    /// The id of the `*` key of key `id`'s unit, when a `*` rule binds that unit.
    func anyRoleKey(of id: Int) -> Int? { anyRoleID[id] }

    /// Releases `people` more of key `id` over the interval (a negative count brings them back).
    mutating func release(_ id: Int, over iv: Interval, people: Int) {
        for i in touchedSlots(iv) { slackColumns[id][i] -= people }
        if let any = anyRoleID[id] { for i in touchedSlots(iv) { slackColumns[any][i] -= people } }
    }

    mutating func release(_ key: Key, over iv: Interval, people: Int = 1) {
        guard let id = ids[key] else { return }
        for i in touchedSlots(iv) { slackColumns[id][i] -= people }
        if let any = anyRoleID[id] { for i in touchedSlots(iv) { slackColumns[any][i] -= people } }
    }

    /// Runs of slots where a unit is short before training, merged while the shortfall is the same.
    func understaffedWindows() -> [UnderstaffedWindow] {
        var out: [UnderstaffedWindow] = []
        for key in headcount.keys.sorted() {
            guard let h = headcount[key], let m = minimum[key], let span = rosterSpan[key.unit] else { continue }
            var runStart: Int? = nil
            var runShort = 0
            func close(at i: Int) {
                if let s = runStart {
                    out.append(UnderstaffedWindow(unit: key.unit, role: key.role,
                                                  interval: Interval(start: slotStart(s), end: slotStart(i)),
                                                  shortBy: runShort))
                }
                runStart = nil
            }
            for i in span {
                let short = m[i] - h[i]
                if short > 0 {
                    if runStart == nil || short != runShort { close(at: i); runStart = i; runShort = short }
                } else {
                    close(at: i)
                }
            }
            close(at: span.upperBound)
        }
        return out
    }
}
