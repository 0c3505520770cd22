/// What the planner knows about one person: their shifts, busy blocks, sessions placed so far
/// and the training each shift already carries.
struct PersonCalendar {
    struct ShiftUse { var minutes = 0, sessions = 0 }

    /// The rules of a shift's unit (`PlanningInput.policy(of:)`) that bear on this person's sessions in it.
    struct Rules {
        var buffer: Int64
        var maxMinutes: Int
        var maxSessions: Int
        /// Spacing to any other session of the person; between two units the stricter holds.
        var gap: Int64
        /// Now plus the unit's notification lead, on the grid: no new session starts before.
        var earliest: Instant

        init(_ policy: Policy, now: Instant, step: Int64) {
            buffer = Int64(policy.handoverBufferMinutes) * 60
            maxMinutes = policy.maxTrainingMinutesPerShift
            maxSessions = policy.maxSessionsPerShift
            gap = Int64(policy.minMinutesBetweenSessions) * 60
            earliest = now.adding(minutes: policy.notifyLeadMinutes).ceiled(to: step)
        }
    }

    /// A session the person holds, with the spacing its unit asks for.
    struct Session: Equatable {
        var interval: Interval
        var gap: Int64
    }

    var shifts: [Shift] = []
    var rules: [Rules] = []
    var busy: [Interval] = []
    var sessions: [Session] = []
    var use: [ShiftUse] = []
    var trainedMinutes = 0
    /// Shifts known to hold no slot for a session at least this long starting at or after `from`.
    /// Both only get harder as the run books more, so later needs can skip such shifts — until
    /// someone's session is taken out and slack comes back: each entry holds the run's `slackEpoch`
    /// of when it was learnt and counts only while that is still the run's.
    var full: [Int: (length: Int64, from: Int64, staffing: Bool, epoch: Int)] = [:]

    mutating func add(_ shift: Shift, rules r: Rules) {
        shifts.append(shift)
        rules.append(r)
        use.append(ShiftUse())
    }

    func isKnownFull(_ k: Int, length: Int64, from: Instant, epoch: Int) -> (Bool, staffing: Bool) {
        guard let f = full[k], f.epoch == epoch, length >= f.length, from.seconds >= f.from else { return (false, false) }
        return (true, f.staffing)
    }

    /// The part of shift `k` where training may happen, after and before the handover buffers.
    func trainable(_ k: Int) -> Interval {
        Interval(start: shifts[k].interval.start.adding(seconds: rules[k].buffer),
                 end: shifts[k].interval.end.adding(seconds: -rules[k].buffer))
    }

    /// The part of shift `k` where a new session may go: trainable, and not before the unit's lead.
    func open(_ k: Int) -> Interval {
        let t = trainable(k)
        return Interval(start: max(t.start, rules[k].earliest), end: t.end)
    }

    /// Whether shift `k` can take one more session of `minutes` at all (caps not yet reached).
    func hasRoom(_ k: Int, minutes: Int) -> Bool {
        use[k].sessions < rules[k].maxSessions && use[k].minutes + minutes <= rules[k].maxMinutes
    }

    /// Every personal rule of SPEC for a new session `iv` in shift `k`; staffing is checked elsewhere.
    func isFree(_ iv: Interval, inShift k: Int) -> Bool {
        guard open(k).contains(iv), hasRoom(k, minutes: Int(iv.seconds / 60)) else { return false }
        if busy.contains(where: { $0.overlaps(iv) }) { return false }
        let gap = rules[k].gap
        return sessions.allSatisfy { s in
            let g = max(gap, s.gap)
            return s.interval.end.seconds + g <= iv.start.seconds || iv.end.seconds + g <= s.interval.start.seconds
        }
    }

    /// The index of the shift on `unit` in `role` that holds `iv` inside its buffers.
    func shiftIndex(holding iv: Interval, unit: String, role: String) -> Int? {
        shifts.indices.first { shifts[$0].unit == unit && shifts[$0].role == role && trainable($0).contains(iv) }
    }

    mutating func book(_ iv: Interval, inShift k: Int) {
        sessions.append(Session(interval: iv, gap: rules[k].gap))
        use[k].minutes += Int(iv.seconds / 60)
        use[k].sessions += 1
        trainedMinutes += Int(iv.seconds / 60)
    }
}
