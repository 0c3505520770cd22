/// What the planner knows about one person: their shifts, busy blocks, sessions placed so far
/// and the training each shift already carries.
struct PersonCalendar {
    struct ShiftUse { var minutes = 0, sessions = 0 }

    var shifts: [Shift] = []
    var busy: [Interval] = []
    var sessions: [Interval] = []
    var use: [ShiftUse] = []
    var trainedMinutes = 0

    /// The part of shift `k` where training may happen, after and before the handover buffers.
    func trainable(_ k: Int, policy: Policy) -> Interval {
        let buffer = Int64(policy.handoverBufferMinutes) * 60
        return Interval(start: shifts[k].interval.start.adding(seconds: buffer),
                        end: shifts[k].interval.end.adding(seconds: -buffer))
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

    mutating func book(_ iv: Interval, inShift k: Int) {
        sessions.append(iv)
        use[k].minutes += Int(iv.seconds / 60)
        use[k].sessions += 1
        trainedMinutes += Int(iv.seconds / 60)
    }
}
