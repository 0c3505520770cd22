/// What the planner knows about one person: their shifts, busy blocks, sessions placed so far
/// and the training each shift already carries.
struct PersonCalendar {
    struct ShiftUse { var minutes = 0, sessions = 0 }

    var shifts: [Shift] = []
    var busy: [Interval] = []
    var sessions: [Interval] = []
    var use: [ShiftUse] = []
    var trainedMinutes = 0
    /// Shifts known to hold no slot for a session at least this long starting at or after `from`.
    /// Both only get harder as the run books more, so later needs can skip such shifts.
    var full: [Int: (length: Int64, from: Int64, staffing: Bool)] = [:]

    func isKnownFull(_ k: Int, length: Int64, from: Instant) -> (Bool, staffing: Bool) {
        guard let f = full[k], length >= f.length, from.seconds >= f.from else { return (false, false) }
        return (true, f.staffing)
    }

    /// The part of shift `k` where training may happen, after and before the handover buffers.
    func trainable(_ k: Int, policy: Policy) -> Interval {
        let buffer = Int64(policy.handoverBufferMinutes) * 60
        return Interval(start: shifts[k].interval.start.adding(seconds: buffer),
                        end: shifts[k].interval.end.adding(seconds: -buffer))
    }

    /// Whether shift `k` can take one more session of `minutes` at all (caps not yet reached).
    func hasRoom(_ k: Int, minutes: Int, policy: Policy) -> Bool {
        use[k].sessions < policy.maxSessionsPerShift && use[k].minutes + minutes <= policy.maxTrainingMinutesPerShift
    }

    /// Every personal rule of SPEC for a session `iv` in shift `k`; staffing is checked elsewhere.
    func isFree(_ iv: Interval, inShift k: Int, policy: Policy) -> Bool {
        guard trainable(k, policy: policy).contains(iv) else { return false }
        guard use[k].minutes + Int(iv.seconds / 60) <= policy.maxTrainingMinutesPerShift,
              use[k].sessions + 1 <= policy.maxSessionsPerShift else { return false }
        if busy.contains(where: { $0.overlaps(iv) }) { return false }
        let gap = Int64(policy.minMinutesBetweenSessions) * 60
        return sessions.allSatisfy { $0.end.seconds + gap <= iv.start.seconds || iv.end.seconds + gap <= $0.start.seconds }
    }

    /// The index of the shift on `unit` in `role` that holds `iv` inside its buffers.
    func shiftIndex(holding iv: Interval, unit: String, role: String, policy: Policy) -> Int? {
        shifts.indices.first { shifts[$0].unit == unit && shifts[$0].role == role && trainable($0, policy: policy).contains(iv) }
    }

    /// Undoes `book`; forgets what was learnt about full shifts, since room has come back.
    mutating func unbook(_ iv: Interval, inShift k: Int) {
        if let i = sessions.firstIndex(of: iv) { sessions.remove(at: i) }
        use[k].minutes -= Int(iv.seconds / 60)
        use[k].sessions -= 1
        trainedMinutes -= Int(iv.seconds / 60)
        full = [:]
    }

    mutating func book(_ iv: Interval, inShift k: Int) {
        sessions.append(iv)
        use[k].minutes += Int(iv.seconds / 60)
        use[k].sessions += 1
        trainedMinutes += Int(iv.seconds / 60)
    }
}
