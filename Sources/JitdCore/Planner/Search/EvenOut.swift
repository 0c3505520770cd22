/// The last pass of the improvement search: at equal weight, sessions of other lengths and in
/// other shifts, so that training per shift hour is even.
///
/// The search judges evenness only on the steps it happens to take, and at 5,000 staff it takes
/// about 1.5 per person, so most people are never reworked. Yet a person usually holds sessions
/// of different lengths in shifts of different lengths, and has needs of the same weight left
/// over. This pass visits every online session once per round and makes the change of three kinds
/// that makes training most even (`Board.unevenness`):
///
/// - *replace*: an unplaced need of the same person, weight and urgency, of another length, takes
///   its place (a longer module in a shift below the plan's rate, a shorter one above it);
/// - *move*: the session goes to another of the person's shifts;
/// - *swap*: it changes shifts with a session of another length of the same person (a 20-minute
///   module moves from a clipped day shift to the person's weekend shift, a 5-minute one back).
///
/// The weight, the weight due inside the horizon and the sessions kept from the last plan never
/// fall, and every hard rule is checked as for any placement. Sessions are visited in index order
/// and changes tried in a fixed order, so the pass is deterministic; it costs one scan of the
/// person's needs and sessions per session.
extension Board {
    /// How many changes one session tries, the most even first.
    static let evenOutTries = 4

    private enum Change {
        case replace(by: Int32)
        case move(to: Int32)
        case swap(with: Int32)

        var order: Int32 {
            switch self {
            case .replace(let q): return q
            case .move(let k): return k
            case .swap(let q): return q
            }
        }
    }

    mutating func evenOut(rounds: Int = 3) {
        guard rateCoefficient > 0 else { return }
        // The first round visits everyone; the next ones only the people whose sessions changed.
        var visit = [Bool](repeating: true, count: staffIDs.count)
        for _ in 0..<rounds {
            var changed = [Bool](repeating: false, count: staffIDs.count)
            var any = false
            for n in placement.indices where visit[Int(needs[n].person)] && isMovableOnline(Int32(n)) {
                if evenOut(Int32(n)) {
                    changed[Int(needs[n].person)] = true
                    any = true
                }
            }
            if !any { break }
            visit = changed
        }
    }

    private func isMovableOnline(_ n: Int32) -> Bool {
        let at = placement[Int(n)]
        return at.isPlaced && at.group < 0 && modules[Int(needs[Int(n)].module)].kind == .online
    }

    /// The change in `unevenness` when shift `k`'s training minutes change by `delta`.
    private func shiftCost(_ k: Int32, _ delta: Int32) -> Int64 {
        unevennessTerm(Int(k), minutes: minutesUsed[Int(k)] + delta) - unevennessTerm(Int(k), minutes: minutesUsed[Int(k)])
    }

    /// Makes the change to online session `n` that makes training most even, when one fits; whether it did.
    private mutating func evenOut(_ n: Int32) -> Bool {
        let need = needs[Int(n)]
        let p = Int(need.person)
        let k = placement[Int(n)].shift
        let length = modules[Int(need.module)].minutes
        let urgent = isUrgent(n)
        let mine = shiftsOf(n)
        var options: [(gain: Int64, change: Change)] = []
        // Replace: the first unplaced need of each other length.
        var lengths: [Int32] = []
        for q in personNeeds[p] where q != n && !isPlaced(q) {
            let f = needs[Int(q)]
            let m = modules[Int(f.module)]
            guard f.weight == need.weight, m.kind == .online, m.minutes != length, !lengths.contains(m.minutes),
                  isUrgent(q) == urgent, shiftsOf(q).contains(k) else { continue }
            lengths.append(m.minutes)
            let gain = -shiftCost(k, m.minutes - length)
            if gain > 0 { options.append((gain, .replace(by: q))) }
        }
        // Move, and swap with a session of another length in another shift.
        for k2 in mine where k2 != k && shifts[Int(k2)].horizonMinutes > 0 {
            let move = -(shiftCost(k, -length) + shiftCost(k2, length))
            if move > 0 { options.append((move, .move(to: k2))) }
            for s in sessions[p] where s.need >= 0 && placement[Int(s.need)].shift == k2 && isMovableOnline(s.need) {
                let other = modules[Int(needs[Int(s.need)].module)].minutes
                guard other != length, shiftsOf(s.need).contains(k) else { continue }
                let gain = -(shiftCost(k, other - length) + shiftCost(k2, length - other))
                if gain > 0 { options.append((gain, .swap(with: s.need))) }
            }
        }
        guard !options.isEmpty else { return false }
        options.sort { ($0.gain, $1.change.order) > ($1.gain, $0.change.order) }
        for (_, change) in options.prefix(Self.evenOutTries) where attempt(n, change) { return true }
        return false
    }

    /// Makes `change` to session `n` and keeps it when it fits, loses no weight, no weight due
    /// inside the horizon, no kept session and no dependant, and training is more even.
    private mutating func attempt(_ n: Int32, _ change: Change) -> Bool {
        let w0 = weight, r0 = urgentWeight, k0 = kept, u0 = unevenness, m0 = mark
        let k = placement[Int(n)].shift, s = placement[Int(n)].start
        var ok: Bool
        switch change {
        case .replace(let q):
            remove(n)
            ok = placeIn(q, shift: k, near: s)
        case .move(let k2):
            remove(n)
            ok = placeIn(n, shift: k2, near: nil)
        case .swap(let q):
            let k2 = placement[Int(q)].shift, s2 = placement[Int(q)].start
            remove(n)
            remove(q)
            ok = placeIn(q, shift: k, near: s) && placeIn(n, shift: k2, near: s2)
        }
        let gone: Set<Int32> = { if case .replace = change { return [n] } else { return [] } }()
        ok = ok && weight == w0 && urgentWeight == r0 && kept >= k0 && unevenness < u0
            && removedSince(m0).allSatisfy { gone.contains($0) }
        if !ok { rollback(to: m0) }
        forgetJournal()
        return ok
    }

    /// Places need `n` in shift `k`, at `near` when it fits there, else at the shift's first start that fits.
    private mutating func placeIn(_ n: Int32, shift k: Int32, near: Int64?) -> Bool {
        guard !isPlaced(n), let s = startIn(n, shift: k, near: near) else { return false }
        place(n, shift: k, start: s)
        return true
    }

    private func startIn(_ n: Int32, shift k: Int32, near: Int64?) -> Int64? {
        if let s = near, s >= needs[Int(n)].opens, fits(n, shift: k, start: s) { return s }
        return firstStart(n, shift: k, from: shifts[Int(k)].lo)
    }
}
