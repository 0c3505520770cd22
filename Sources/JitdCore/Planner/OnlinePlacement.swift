extension PlannerRun {
    /// Online modules: each person alone, at the earliest slot that keeps their unit staffed.
    /// People with less training so far go first among needs due at the same time.
    mutating func placeOnline(_ module: Module, _ pending: [Need]) {
        let keyed = pending.map { ($0.due?.seconds ?? .max, load($0.staffID), $0) }
        let ordered = keyed.sorted { ($0.0, $0.1, $0.2.staffID) < ($1.0, $1.1, $1.2.staffID) }.map(\.2)
        for need in ordered {
            guard let from = earliestStart(module, for: need.staffID) else {
                giveUp(need, prerequisiteMissing: true)
                continue
            }
            if let (k, iv) = firstSlot(for: need, module, from: from) {
                record(need, module, shift: k, at: iv)
            } else {
                giveUp(need)
            }
        }
    }

    /// The earliest (shift, interval) where the person is free and their unit can spare them.
    mutating func firstSlot(for need: Need, _ module: Module, from: Instant) -> (Int, Interval)? {
        guard var person = people[need.staffID] else { return nil }
        defer { people[need.staffID]!.full = person.full }
        let length = Int64(module.minutes) * 60
        for (k, shift) in person.shifts.enumerated()
        where module.isEligible(role: shift.role, unit: shift.unit) && person.hasRoom(k, minutes: module.minutes) {
            let window = person.open(k)
            if window.end.seconds < from.seconds + length || window.start >= input.horizon.end { continue }
            let (known, staffing) = person.isKnownFull(k, length: length, from: from, epoch: slackEpoch)
            if known {
                if staffing { blockedByStaffing.insert(need.key) }
                continue
            }
            var refusedForStaffing = false
            var start = max(window.start, from).ceiled(to: step)
            guard let key = grid.id(StaffingGrid.Key(unit: shift.unit, role: shift.role)) else { continue }
            while start.seconds + length <= min(window.end, input.horizon.end).seconds {
                let iv = Interval(start: start, end: start.adding(seconds: length))
                if person.isFree(iv, inShift: k) {
                    if grid.canRelease(key, over: iv) { return (k, iv) }
                    if !refusedForStaffing { blockedByStaffing.insert(need.key) }
                    refusedForStaffing = true
                }
                start = start.adding(seconds: step)
            }
            if person.full[k].map({ $0.epoch != slackEpoch || (length <= $0.length && from.seconds <= $0.from) }) ?? true {
                person.full[k] = (length, from.seconds, refusedForStaffing, slackEpoch)
            }
        }
        return nil
    }
}
