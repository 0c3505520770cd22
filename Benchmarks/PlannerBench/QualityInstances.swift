import JitdCore

/// Small hospitals for the comparison with the exact model (`bench/planner/exact.py`): 1–2 units
/// (the second in a zone of its own), 10–24 staff, 24–48 h, 8 modules of which one is a drill and
/// one or two are classrooms, day, night and 8-hour shifts with busy blocks, a third of them
/// across a change of daylight-saving time, and now off the grid so that the notification lead
/// decides the first slot. Some give the second unit a policy of its own.
enum QualityInstances {
    static let count = 30

    static func make(seed: UInt64) -> PlanningInput {
        var rng = BenchRandom(seed: seed &* 0x9E37_79B9 &+ 1234)
        func r(_ range: ClosedRange<Int>) -> Int { Int.random(in: range, using: &rng) }
        let siteZone = Zone("America/New_York")!
        let otherZones = [Zone("America/Chicago")!, Zone("Europe/Berlin")!]
        let unitCount = r(1...2)
        let unitNames = ["ICU", "5W"].prefix(unitCount)
        var zones: [String: Zone] = [:]
        if unitCount == 2 { zones["5W"] = otherZones[r(0...1)] }
        func zone(_ u: String) -> Zone { zones[u] ?? siteZone }
        // A third across a change: New York's autumn change (1 Nov 2026, 02:00) or Berlin's spring
        // one (29 Mar 2026, 02:00); the rest in an ordinary week in which weekends occur.
        let start: LocalDateTime
        switch seed % 3 {
        case 0:
            start = seed % 2 == 0 ? LocalDateTime(year: 2026, month: 10, day: 31, hour: r(5...20), minute: r(0...59))
                : LocalDateTime(year: 2026, month: 3, day: 28, hour: r(5...20), minute: r(0...59))
        default:
            start = LocalDateTime(year: 2026, month: 11, day: 23 + r(0...6), hour: r(5...20), minute: r(0...59))
        }
        let dstZone = seed % 3 == 0 && seed % 2 == 1 ? Zone("Europe/Berlin")! : siteZone
        let now = try! dstZone.instant(start)
        var policy = Policy()
        policy.slotMinutes = 15
        policy.horizonHours = [24, 36, 48][r(0...2)]
        policy.notifyLeadMinutes = [10, 20, 30][r(0...2)]
        policy.handoverBufferMinutes = [15, 30][r(0...1)]
        policy.maxTrainingMinutesPerShift = [30, 30, 45][r(0...2)]
        policy.maxSessionsPerShift = [2, 2, 3][r(0...2)]
        policy.minMinutesBetweenSessions = [30, 60, 60][r(0...2)]
        var unitPolicies: [String: Policy] = [:]
        if unitCount == 2 && r(0...2) == 0 {
            var p = policy
            p.handoverBufferMinutes = [0, 45][r(0...1)]
            p.maxTrainingMinutesPerShift = [20, 60][r(0...1)]
            p.maxSessionsPerShift = [1, 3][r(0...1)]
            p.minMinutesBetweenSessions = [15, 90][r(0...1)]
            p.notifyLeadMinutes = [0, 45][r(0...1)]
            unitPolicies["5W"] = p
        }

        let staffCount = r(10...24)
        let roles = ["RN", "RN", "RN", "RN", "RN", "CNA", "CNA", "MD"]
        var shifts: [Shift] = []
        var onShift: [String: Int] = [:]
        let firstDay = LocalDateTime(naiveSeconds: LocalDateTime(year: start.year, month: start.month, day: start.day).naiveSeconds - 86_400)
        for p in 0..<staffCount {
            let unit = unitNames[p % unitCount]
            let role = roles[r(0...roles.count - 1)]
            let id = "\(unit)-\(role)-\(p)"
            onShift[unit + "/" + role, default: 0] += 1
            let pattern = r(0...4) // 0–1 day 12 h, 2 night 12 h, 3 early 8 h, 4 late 8 h
            let (hour, hours) = [(7, 12), (7, 12), (19, 12), (7, 8), (15, 8)][pattern]
            for d in 0..<4 where r(0...9) < 6 {
                let local = LocalDateTime(naiveSeconds: firstDay.naiveSeconds + Int64(d) * 86_400 + Int64(hour) * 3600)
                let end = LocalDateTime(naiveSeconds: local.naiveSeconds + Int64(hours) * 3600)
                guard let s = try? zone(unit).instant(local), let e = try? zone(unit).instant(end) else { continue }
                shifts.append(Shift(staffID: id, role: role, unit: unit, interval: Interval(start: s, end: e)))
                if r(0...3) == 0 {
                    let b = s.adding(minutes: 60 * r(1...hours - 2) + 15 * r(0...3))
                    shifts.append(Shift(staffID: id, role: role, unit: unit, kind: .busy, interval: Interval(start: b, end: b.adding(minutes: 15 * r(2...6)))))
                }
            }
        }
        var coverage: [CoverageRule] = []
        for unit in unitNames {
            for role in Set(roles).sorted() {
                let n = onShift[unit + "/" + role] ?? 0
                let share = [0.5, 0.65, 0.8][r(0...2)]
                coverage.append(CoverageRule(unit: unit, role: role, min: Int(Double(n) * 0.6 * 0.6 * share), window: (7 * 60, 19 * 60)))
                coverage.append(CoverageRule(unit: unit, role: role, min: Int(Double(n) * 0.6 * 0.3 * share), window: (19 * 60, 7 * 60)))
            }
        }
        if r(0...2) == 0 { coverage.append(CoverageRule(unit: "*", role: "RN", min: r(1...2), window: (9 * 60, 17 * 60), days: [1, 2, 3, 4, 5])) }

        let horizonEnd = now.adding(seconds: Int64(policy.horizonHours) * 3600)
        let classes = r(1...2)
        var modules: [Module] = []
        for i in 0..<8 {
            let kind: ModuleKind = i == 0 ? .drill : i <= classes ? .classroom : .online
            var m = Module(id: "m\(i)", title: "Module \(i)", minutes: [5, 10, 10, 15, 15, 20][r(0...5)], kind: kind,
                           roles: r(0...2) == 0 ? ["*"] : Array(Set([roles[r(0...7)], roles[r(0...7)]])).sorted(),
                           units: unitCount == 2 && r(0...3) == 0 ? [unitNames[r(0...1)]] : ["*"],
                           priority: Priority.allCases[r(0...3)],
                           published: r(0...5) == 0 ? now.adding(minutes: 60 * r(1...20)) : now.adding(minutes: -60 * 24 * r(1...30)),
                           dueDays: r(0...1) == 0 ? nil : r(1...20), recurDays: r(0...3) == 0 ? 365 : nil)
            if i >= 4 && r(0...3) == 0 { m.prerequisites = ["m\(r(3...i - 1))"] }
            if kind == .drill {
                m.groupMin = r(2...3)
                m.groupMax = m.groupMin! + r(0...2)
                m.minutes = [10, 15, 20][r(0...2)]
            }
            if kind == .classroom {
                let span = Int(horizonEnd.seconds - now.seconds) / 60
                m.sessions = (0..<r(2...4)).map { k in
                    let at = now.adding(minutes: r(0...span)).floored(to: 900)
                    return ClassSession(start: at, location: "Lab \(k % 2)", capacity: r(2...6))
                }
            }
            modules.append(m)
        }
        var completions: [Completion] = []
        let people = Array(Set(shifts.map(\.staffID))).sorted()
        for p in people where r(0...2) == 0 {
            completions.append(Completion(staffID: p, moduleID: modules[r(0...7)].id, completedAt: now.adding(minutes: -60 * 24 * r(1...400))))
        }
        var input = PlanningInput(now: now, policy: policy, siteZone: siteZone, unitZones: zones,
                                  shifts: shifts, coverage: coverage, modules: modules, completions: completions)
        input.unitPolicies = unitPolicies
        return input
    }
}
