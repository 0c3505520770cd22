/// The improvement search: ruin and recreate on a `Board`, in which every kind of module competes
/// on its weight.
///
/// Each step takes part of the plan out (a ruin), then places again what was taken out together
/// with what the people it touched still lack, most valuable first. Three ruins:
///
/// - *a unit and a window*: every movable session of up to a dozen of a unit's people in a window
///   of one hour to the whole horizon;
/// - *a person over the whole horizon*, sometimes with a colleague who shares their slack;
/// - *an ejection*: an unplaced need is forced in at a random place it could take if others made
///   room (the person's sessions in the way, others' sessions holding the unit's slack, a class
///   seat; for a drill, a new team whose members drop what stands in their way).
///
/// A step is kept when the weighted score rose, or stayed with no less weight of needs due inside
/// the horizon (`Board.urgentWeight`) and training not less even (see `Board.unevenness`);
/// otherwise the journal takes it back exactly. After the steps, `Board.evenOut` trades sessions
/// at equal weight for evenness (`EvenOut.swift`), and `settleHome` brings moved sessions back
/// where it can. Steps are counted, never
/// timed, and drawn from a fixed-seed generator over canonically ordered data, so the same input
/// always gives the same plan, byte for byte.
extension PlannerRun {
    /// Steps of the search, a count and never a clock: `perPerson` for each person within `pool`
    /// steps for the whole hospital, and never fewer than `atScalePerHundred` per hundred people.
    /// A hospital of up to 25 people (`pool / perPerson`) is searched in full; from there the pool
    /// is shared out, down to 1.5 steps per person at 5,000 people, a rate that then holds at any
    /// size, so the search's time grows with the staff and no faster. A step costs about 35 µs
    /// on the 5,000-staff bench (48 h), so the search adds about 0.3 s there (0.5 s in all with
    /// building the board and taking its plan back). It stops sooner when every need is placed,
    /// or after `patiencePerPerson` steps per person in a row that improved nothing.
    ///
    /// A re-plan that starts from the last plan (`PlanningInput.previous`, which the daemon gives
    /// every re-plan, every few minutes) stops after `warmPatience` such steps instead: the last
    /// plan already holds what the searches before it found, so the search's work adds up over
    /// re-plans, and what is left to do is mostly around what changed. In the simulation of
    /// operation (320 staff) a simulated day runs about three times faster, at the cost measured
    /// in docs/simulation.md; an offline `jitd plan` has no last plan and searches with the full
    /// budget, as before.
    struct SearchBudget {
        var perPerson: Int
        var pool: Int
        var atScalePerHundred: Int
        var patiencePerPerson = 100
        var warmPatience = 300

        func steps(people: Int) -> Int { max(atScalePerHundred * people / 100, min(perPerson * people, pool)) }
    }

    static let searchBudget = SearchBudget(perPerson: 300, pool: 7_500, atScalePerHundred: 150)

    mutating func search(_ budget: SearchBudget = Self.searchBudget, acceptance: Int = 0) {
        guard !needs.isEmpty, budget.perPerson > 0 else { return }
        var board = makeBoard()
        guard !board.needs.isEmpty else { return }
        board.acceptance = acceptance
        let warm = startsFromPrevious && !input.previous.isEmpty
        board.improve(steps: budget.steps(people: board.staffIDs.count),
                      patience: warm ? budget.warmPatience : max(1_000, budget.patiencePerPerson * board.staffIDs.count))
        board.evenOut()
        board.settleHome()
        adopt(board)
    }
}

extension Board {
    /// How many of a person's unplaced needs a step tries to place again.
    static let lackingPerPerson = 8
    /// How many people a unit-and-window ruin reworks at most.
    static let peoplePerWindow = 12

    mutating func improve(steps: Int, patience: Int) {
        var rng = SplitMix64(seed: 0x6A69_7464)
        let total = needs.reduce(0) { $0 + Int($1.weight) }
        let hours: [Int64] = [1, 2, 4, 8, 16, 1_000]
        var idle = 0
        for _ in 0..<steps where weight < total && idle < patience {
            let w0 = weight, r0 = urgentWeight, k0 = kept, u0 = unevenness, m0 = mark
            touchedTeams = []
            var touched: [Int32] = []
            let kind = rng.next() % 100
            if kind < 35 {
                touched = ruinWindow(hours: hours[Self.pick(hours.count, &rng)], &rng)
            } else if kind < 65 {
                touched = ruinPerson(&rng)
            } else {
                guard let n = randomUnplaced(&rng), forceIn(n, &rng) else {
                    rollback(to: m0)
                    forgetJournal()
                    idle += 1
                    continue
                }
                touched = [needs[Int(n)].person]
            }
            recreate(since: m0, people: touched, &rng)
            _ = dissolveShortTeams()
            // Weight first, then the weight of needs due inside the horizon, then the placements
            // kept from the last plan (none without one), then evenness.
            let dw = weight - w0, dr = urgentWeight - r0, dk = kept - k0, du = unevenness - u0
            let worse = shortFixedTeam || dw < 0
                || (dw == 0 && (dr < 0 || (dr == 0 && (dk < 0 || (dk == 0 && du > 0 && acceptance == 0)))))
            if worse { rollback(to: m0) }
            idle = !worse && (dw > 0 || dr > 0 || dk > 0 || du < 0) ? 0 : idle + 1
            forgetJournal()
        }
    }

    /// Moves every online session the search moved back to where the construction had put it,
    /// when that place is still free and training becomes no less even there (a few passes, so
    /// that chains unwind). The search's steps re-place whole people and windows, so a plan made
    /// 5 minutes later differs from the last in most of its sessions; the construction alone
    /// keeps 98 % of them. This brings back what it can (on the churn bench, 28 % → 40 % of future
    /// sessions kept); what the search gained (weight, needs due soon, evenness) stays, and with
    /// it the needs it swapped for others of the same weight, which it cannot bring back.
    mutating func settleHome(passes: Int = 4) {
        var moved = 1
        for _ in 0..<passes where moved > 0 {
            moved = 0
            for n in placement.indices { if goHome(Int32(n)) { moved += 1 } }
        }
    }

    /// Moves need `n` back to its construction's place (see `settleHome`); whether it moved.
    mutating func goHome(_ n32: Int32) -> Bool {
        let n = Int(n32)
        let now = placement[n], home = initial[n]
        guard now.isPlaced, home.isPlaced, now.group < 0, home.group < 0,
              now.shift != home.shift || now.start != home.start else { return false }
        let m0 = mark, u0 = unevenness, k0 = kept
        var moved = false
        remove(n32)
        if isPlaced(n32) || !fits(n32, shift: home.shift, start: home.start) {
            rollback(to: m0)
        } else {
            place(n32, shift: home.shift, start: home.start)
            // Its dependants stay placed (`remove` took out any left without the prerequisite).
            // Home is the last plan's place when the construction could keep it: going there
            // is worth some unevenness; leaving a kept place never is.
            if kept < k0 || (kept == k0 && unevenness > u0) || !dependantsPlaced(since: m0) { rollback(to: m0) } else { moved = true }
        }
        forgetJournal()
        return moved
    }

    /// Whether every need taken out since `mark` is placed again (a dependant that lost its
    /// prerequisite for a moment is not).
    func dependantsPlaced(since mark: Int) -> Bool { removedSince(mark).isEmpty }

    /// An unplaced need, the most valuable of a few drawn at random.
    func randomUnplaced(_ rng: inout SplitMix64) -> Int32? {
        var best: Int32? = nil
        var found = 0
        for _ in 0..<32 where found < 3 {
            let n = Int32(Self.pick(needs.count, &rng))
            guard !isPlaced(n), needs[Int(n)].shiftsCount > 0 else { continue }
            found += 1
            if best == nil || needs[Int(n)].weight > needs[Int(best!)].weight { best = n }
        }
        return best
    }

    /// Takes out the movable sessions of up to `peoplePerWindow` people of a random unit in a window
    /// of `hours` around a random instant; returns the people.
    mutating func ruinWindow(hours: Int64, _ rng: inout SplitMix64) -> [Int32] {
        guard !unitNames.isEmpty else { return [] }
        let unit = Self.pick(unitNames.count, &rng)
        let lo = firstStart
        let span = max(step, horizonEnd - lo)
        let centre = lo + Int64(rng.next() % UInt64(span / step + 1)) * step
        let window = (centre - hours * 1800, centre + hours * 1800)
        var people = unitPeople[unit].filter { p in
            personShifts[Int(p)].contains { k in shifts[Int(k)].unit == unit && shifts[Int(k)].lo < window.1 && window.0 < shifts[Int(k)].hi }
        }
        if people.count > Self.peoplePerWindow {
            people = people.map { ($0, rng.next()) }.sorted { $0.1 < $1.1 }.prefix(Self.peoplePerWindow).map(\.0)
        }
        for p in people { clear(person: p, overlapping: window) }
        return people
    }

    /// Takes out every movable session of one person (one who lacks something, mostly), and
    /// sometimes those of a colleague on one of their shifts' unit that overlap that shift.
    mutating func ruinPerson(_ rng: inout SplitMix64) -> [Int32] {
        let p: Int32
        if rng.next() % 4 != 0, let n = randomUnplaced(&rng) { p = needs[Int(n)].person } else { p = Int32(Self.pick(staffIDs.count, &rng)) }
        clear(person: p)
        var out = [p]
        let mine = personShifts[Int(p)]
        if rng.next() % 2 == 0, !mine.isEmpty {
            let f = shifts[Int(mine[Self.pick(mine.count, &rng)])]
            let others = unitPeople[Int(f.unit)].filter { $0 != p }
            if !others.isEmpty {
                let q = others[Self.pick(others.count, &rng)]
                clear(person: q, overlapping: (f.lo, f.hi))
                out.append(q)
            }
        }
        return out
    }

    /// Places again what was taken out since `mark`, with what `people` still lack, most valuable first.
    mutating func recreate(since mark: Int, people: [Int32], _ rng: inout SplitMix64) {
        var pool = removedSince(mark)
        // Needs already in the pool are stamped with this step's number (no hashing).
        stamp &+= 1
        if stamps.count != needs.count { stamps = Array(repeating: 0, count: needs.count) }
        for n in pool { stamps[Int(n)] = stamp }
        var touched = people
        for n in pool { touched.append(needs[Int(n)].person) }
        touched.sort()
        var last: Int32 = -1
        for p in touched where p != last {
            last = p
            var lacking = personNeeds[Int(p)].filter { !isPlaced($0) && stamps[Int($0)] != stamp && needs[Int($0)].shiftsCount > 0 }
            if lacking.count > Self.lackingPerPerson {
                lacking = lacking.map { ($0, needs[Int($0)].weight, rng.next()) }
                    .sorted { ($0.1, $0.2) > ($1.1, $1.2) }.prefix(Self.lackingPerPerson).map(\.0)
            }
            for n in lacking where stamps[Int(n)] != stamp {
                stamps[Int(n)] = stamp
                pool.append(n)
            }
        }
        // Most valuable first (a prerequisite as valuable as what builds on it, and before it),
        // then earlier due, ties at random; now and then at random within the prerequisite order.
        // One packed key per need: rank, shallower first, earlier due first, then a random draw.
        let order = rng.next() % 10
        let keyed = pool.map { n -> (Int32, UInt64, UInt64) in
            let f = needs[Int(n)]
            let rank = order == 9 ? 0 : UInt64(min(max(0, Int64(f.rank)), 0xFFFF))
            let depth = UInt64(255 - min(max(0, Int64(f.depth)), 255))
            let due = order < 6 ? Self.dueMask - UInt64(min(max(0, f.due), Int64(Self.dueMask))) : 0
            return (n, rank << 48 | depth << 40 | due, rng.next())
        }
        let ordered = keyed.sorted { ($0.1, $0.2) > ($1.1, $1.2) }.map(\.0)
        let rules: [SlotRule] = [.earliest, .random, .random, .even]
        let rule = rules[Self.pick(rules.count, &rng)]
        // A need of the last plan goes back to its place there when that still fits (the search
        // moves it only when what takes its place pays); else where the rule says.
        for n in ordered where !isPlaced(n) {
            if !previousShift.isEmpty && previousShift[Int(n)] >= 0 && insertAtPrevious(n) { continue }
            _ = insert(n, rule, &rng)
        }
    }

    /// Due instants (seconds) as the low 40 bits of the recreate's sort key (later than 36,000 AD ties).
    static let dueMask: UInt64 = (1 << 40) - 1
}
