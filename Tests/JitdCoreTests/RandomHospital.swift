import JitdCore

/// Every failure reproduces from its seed.
enum SeededRandom {
    static func make(seed: UInt64) -> SplitMix64 { SplitMix64(seed: seed &+ 0x9E37_79B9_7F4A_7C15) }
}

/// Random small hospitals: a few units and people, day and night shifts, busy blocks,
/// coverage rules with windows and days, all three module kinds, prerequisites and completions.
enum RandomHospital {
    static let t0 = Instant(rfc3339: "2026-11-27T06:00:00Z")! // a Friday, so weekends occur

    static func make(seed: UInt64) -> PlanningInput {
        var rng = SeededRandom.make(seed: seed)
        func r(_ range: ClosedRange<Int>) -> Int { Int.random(in: range, using: &rng) }
        var policy = Policy()
        policy.slotMinutes = [5, 10, 15][r(0...2)]
        policy.horizonHours = r(12...36)
        policy.handoverBufferMinutes = [0, 15, 30][r(0...2)]
        policy.maxTrainingMinutesPerShift = [15, 30, 45][r(0...2)]
        policy.maxSessionsPerShift = r(1...3)
        policy.minMinutesBetweenSessions = [0, 30, 60][r(0...2)]
        policy.notifyLeadMinutes = [0, 10][r(0...1)]
        let units = ["A", "B", "C"].prefix(r(1...3))
        let roles = ["RN", "MD"]
        var shifts: [Shift] = []
        for unit in units {
            for p in 0..<r(2...7) {
                let role = p % 3 == 2 ? "MD" : "RN"
                let staff = "\(unit)-\(role)-\(p)"
                var start = t0.adding(minutes: r(-8...4) * 60 + r(0...3) * 15)
                for _ in 0..<r(1...3) {
                    let hours = [4, 8, 12][r(0...2)]
                    let end = start.adding(minutes: hours * 60)
                    shifts.append(Shift(staffID: staff, role: role, unit: unit, interval: Interval(start: start, end: end)))
                    if r(0...2) == 0 {
                        let b = start.adding(minutes: r(0...hours * 4) * 15)
                        shifts.append(Shift(staffID: staff, role: role, unit: unit, kind: .busy,
                                            interval: Interval(start: b, end: b.adding(minutes: r(1...6) * 15))))
                    }
                    start = end.adding(minutes: r(8...16) * 60)
                }
            }
        }
        var coverage: [CoverageRule] = []
        for _ in 0..<r(0...4) {
            let window: (Int, Int)? = r(0...1) == 0 ? nil : (r(0...23) * 60, r(0...23) * 60)
            let days: Set<Int>? = r(0...2) == 0 ? Set((1...7).filter { _ in r(0...1) == 0 }) : nil
            coverage.append(CoverageRule(unit: r(0...3) == 0 ? "*" : units.randomElement(using: &rng)!,
                                         role: roles.randomElement(using: &rng)!, min: r(0...4), window: window, days: days))
        }
        var modules: [Module] = []
        for i in 0..<r(1...6) {
            let kind: ModuleKind = [.online, .online, .online, .drill, .classroom][r(0...4)]
            var m = Module(id: "m\(i)", title: "Module \(i)", minutes: [5, 10, 15, 20][r(0...3)], kind: kind,
                           roles: r(0...2) == 0 ? ["*"] : [roles.randomElement(using: &rng)!],
                           units: r(0...1) == 0 ? ["*"] : [units.randomElement(using: &rng)!],
                           priority: Priority.allCases.randomElement(using: &rng)!,
                           published: t0.adding(minutes: r(-600...300)), dueDays: r(0...1) == 0 ? nil : r(1...30),
                           recurDays: r(0...2) == 0 ? 365 : nil)
            if i > 0 && r(0...3) == 0 { m.prerequisites = ["m\(r(0...i - 1))"] }
            if kind == .drill { m.groupMin = r(1...3); m.groupMax = m.groupMin! + r(0...2) }
            if kind == .classroom {
                m.sessions = (0..<r(1...3)).map { k in
                    ClassSession(start: t0.adding(minutes: r(0...24) * 60), location: "Lab \(k)", capacity: r(1...4))
                }
            }
            modules.append(m)
        }
        let staff = Array(Set(shifts.map(\.staffID))).sorted()
        var completions: [Completion] = []
        for s in staff where r(0...3) == 0 {
            completions.append(Completion(staffID: s, moduleID: modules.randomElement(using: &rng)!.id,
                                          completedAt: t0.adding(minutes: -r(0...800) * 60 * 24)))
        }
        var input = PlanningInput(now: t0.adding(minutes: r(0...120)), policy: policy, siteZone: Zone(["UTC", "America/New_York", "Europe/Berlin"][r(0...2)])!,
                                  shifts: shifts, coverage: coverage, modules: modules, completions: completions)
        // Half the hospitals give some units a policy of their own (`[[unit]]` overrides).
        for unit in units where r(0...3) == 0 {
            var own = policy
            own.handoverBufferMinutes = [0, 15, 45][r(0...2)]
            own.maxTrainingMinutesPerShift = [10, 30, 60][r(0...2)]
            own.maxSessionsPerShift = r(0...3)
            own.minMinutesBetweenSessions = [0, 45, 120][r(0...2)]
            own.notifyLeadMinutes = [0, 30, 90][r(0...2)]
            input.unitPolicies[unit] = own
        }
        return input
    }
}
