extension PlannerRun {
    /// Online modules: each person alone, at the earliest slot that keeps their unit staffed.
    /// People with less training so far go first among needs due at the same time.
    mutating func placeOnline(_ module: Module, _ pending: [Need]) {
        let ordered = pending.sorted {
            ($0.due?.seconds ?? .max, people[$0.staffID]?.trainedMinutes ?? 0, $0.staffID)
                < ($1.due?.seconds ?? .max, people[$1.staffID]?.trainedMinutes ?? 0, $1.staffID)
        }
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
        guard let person = people[need.staffID] else { return nil }
        let length = Int64(module.minutes) * 60
        for (k, shift) in person.shifts.enumerated() where module.isEligible(role: shift.role, unit: shift.unit) {
            let window = person.trainable(k, policy: policy)
            var start = max(window.start, from).ceiled(to: step)
            let key = StaffingGrid.Key(unit: shift.unit, role: shift.role)
            while start.seconds + length <= min(window.end, input.horizon.end).seconds {
                let iv = Interval(start: start, end: start.adding(seconds: length))
                if person.isFree(iv, inShift: k, policy: policy) {
                    if grid.canRelease(key, over: iv) { return (k, iv) }
                    blockedByStaffing.insert([need.staffID, need.moduleID])
                }
                start = start.adding(seconds: step)
            }
        }
        return nil
    }
}
