import JitdCore

/// An independent check of SPEC's hard rules on a plan. It shares no code with the planner:
/// it works minute by minute on instants, and evaluates coverage windows itself.
struct PlanChecker {
    let input: PlanningInput

    func violations(_ plan: Plan) -> [String] {
        var out: [String] = []
        func rules(_ unit: String) -> Policy { input.unitPolicies[unit] ?? input.policy }
        let committed = Set(input.committed.map(\.id))
        let shifts = input.shifts.filter { $0.kind == .shift }
        let busy = input.shifts.filter { $0.kind == .busy }
        let modules = Dictionary(input.modules.map { ($0.id, $0) }, uniquingKeysWith: { a, _ in a })
        var perShift: [Int: (minutes: Int, sessions: Int)] = [:]
        for a in plan.assignments {
            let iv = a.interval
            guard let m = modules[a.moduleID] else { out.append("\(a.id): unknown module"); continue }
            if iv.end.seconds - iv.start.seconds != Int64(m.minutes) * 60 { out.append("\(a.id): wrong length") }
            if iv.start < m.published { out.append("\(a.id): before publication") }
            if !m.isEligible(role: a.role, unit: a.unit) { out.append("\(a.id): not eligible") }
            let buffer = Int64(rules(a.unit).handoverBufferMinutes) * 60
            if !committed.contains(a.id) {
                if iv.start.seconds < input.now.seconds + Int64(rules(a.unit).notifyLeadMinutes) * 60 { out.append("\(a.id): starts within the notification lead") }
                if iv.start.seconds % (Int64(input.policy.slotMinutes) * 60) != 0 && m.kind != .classroom { out.append("\(a.id): off the grid") }
                if iv.end.seconds > input.now.seconds + Int64(input.policy.horizonHours) * 3600 { out.append("\(a.id): past the horizon") }
            }
            let holder = shifts.indices.first { i in
                let s = shifts[i]
                return s.staffID == a.staffID && s.unit == a.unit && s.role == a.role
                    && s.interval.start.seconds + buffer <= iv.start.seconds && iv.end.seconds <= s.interval.end.seconds - buffer
            }
            if let h = holder {
                perShift[h, default: (0, 0)].minutes += m.minutes
                perShift[h, default: (0, 0)].sessions += 1
            } else {
                out.append("\(a.id): not inside a shift of \(a.staffID) on \(a.unit) as \(a.role), clear of buffers")
            }
            if busy.contains(where: { $0.staffID == a.staffID && $0.interval.start < iv.end && iv.start < $0.interval.end }) {
                out.append("\(a.id): overlaps a busy block")
            }
            for pre in m.prerequisites {
                let done = input.completions.contains { $0.staffID == a.staffID && $0.moduleID == pre && $0.completedAt <= iv.start }
                let before = plan.assignments.contains { $0.staffID == a.staffID && $0.moduleID == pre && $0.interval.end <= iv.start }
                if !done && !before { out.append("\(a.id): prerequisite \(pre) not met") }
            }
            if m.kind == .classroom && !m.sessions.contains(where: { $0.start == iv.start }) {
                out.append("\(a.id): classroom outside a session")
            }
        }
        for (h, use) in perShift {
            let p = rules(shifts[h].unit)
            if use.minutes > p.maxTrainingMinutesPerShift { out.append("shift \(h): \(use.minutes) training minutes") }
            if use.sessions > p.maxSessionsPerShift { out.append("shift \(h): \(use.sessions) sessions") }
        }
        for (_, list) in Dictionary(grouping: plan.assignments, by: \.staffID) {
            for (i, x) in list.enumerated() {
                for y in list[(i + 1)...] {
                    let gap = Int64(max(rules(x.unit).minMinutesBetweenSessions, rules(y.unit).minMinutesBetweenSessions)) * 60
                    if x.interval.end.seconds + gap > y.interval.start.seconds && y.interval.end.seconds + gap > x.interval.start.seconds {
                        out.append("\(x.staffID): sessions \(x.id) and \(y.id) too close")
                    }
                }
            }
        }
        for (g, members) in Dictionary(grouping: plan.assignments.filter { $0.group != nil }, by: { $0.group! }) {
            guard let m = modules[members[0].moduleID] else { continue }
            if Set(members.map(\.interval)).count != 1 { out.append("group \(g): members at different times") }
            if m.kind == .drill {
                if Set(members.map(\.unit)).count != 1 { out.append("drill \(g): several units") }
                if members.count < (m.groupMin ?? 2) || members.count > (m.groupMax ?? Int.max) { out.append("drill \(g): size \(members.count)") }
            }
        }
        for (_, list) in Dictionary(grouping: plan.assignments.filter { modules[$0.moduleID]?.kind == .classroom }, by: { [$0.moduleID, "\($0.interval.start.seconds)"] }) {
            let capacity = modules[list[0].moduleID]!.sessions.filter { $0.start == list[0].interval.start }.reduce(0) { $0 + $1.capacity }
            if list.count > capacity { out.append("class \(list[0].moduleID) at \(list[0].interval.start.rfc3339): \(list.count) people, capacity \(capacity)") }
        }
        for a in plan.assignments where modules[a.moduleID]?.kind == .drill && a.group == nil { out.append("\(a.id): drill without group") }
        out += coverageViolations(plan)
        return out
    }

    /// Minute by minute: on shift − in training ≥ minimum, wherever anyone trains.
    func coverageViolations(_ plan: Plan) -> [String] {
        guard let first = plan.assignments.map(\.interval.start).min(), let last = plan.assignments.map(\.interval.end).max() else { return [] }
        var out: [String] = []
        let shifts = input.shifts.filter { $0.kind == .shift }
        var t = first.seconds - first.seconds % 60
        while t < last.seconds {
            let training = plan.assignments.filter { $0.interval.start.seconds <= t && t < $0.interval.end.seconds }
            for key in Set(training.map { [$0.unit, $0.role] }) {
                let on = shifts.filter { $0.unit == key[0] && $0.role == key[1] && $0.interval.start.seconds <= t && t < $0.interval.end.seconds }.count
                let away = training.filter { $0.unit == key[0] && $0.role == key[1] }.count
                let need = minimum(unit: key[0], role: key[1], at: t)
                if on - away < need { out.append("\(key[0])/\(key[1]) at \(Instant(seconds: t).rfc3339): \(on) on shift, \(away) training, minimum \(need)") }
            }
            // A rule of role "*" counts everyone on the unit, whatever their role.
            for unit in Set(training.map(\.unit)) {
                let on = shifts.filter { $0.unit == unit && $0.interval.start.seconds <= t && t < $0.interval.end.seconds }.count
                let away = training.filter { $0.unit == unit }.count
                let need = minimum(unit: unit, role: "*", at: t)
                if on - away < need { out.append("\(unit)/* at \(Instant(seconds: t).rfc3339): \(on) on shift, \(away) training, minimum \(need)") }
            }
            t += 60
        }
        return out
    }

    func minimum(unit: String, role: String, at t: Int64) -> Int {
        let zone = input.unitZones[unit] ?? input.siteZone
        let local = t + zone.offset(at: Instant(seconds: t))
        let dayNumber = Int64((Double(local) / 86_400).rounded(.down))
        let minute = Int((local - dayNumber * 86_400) / 60)
        let weekday = Int(((dayNumber + 3) % 7 + 7) % 7) + 1
        var need = 0
        for r in input.coverage where (r.unit == "*" || r.unit == unit) && r.role == role {
            var active: Bool
            if let (from, to) = r.window {
                if from < to { active = minute >= from && minute < to && (r.days?.contains(weekday) ?? true) }
                else if minute >= from { active = r.days?.contains(weekday) ?? true }
                else if minute < to { active = r.days?.contains(weekday == 1 ? 7 : weekday - 1) ?? true }
                else { active = false }
            } else {
                active = r.days?.contains(weekday) ?? true
            }
            if active { need = max(need, r.min) }
        }
        return need
    }
}
