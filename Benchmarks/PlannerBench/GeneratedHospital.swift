import JitdCore

/// Deterministic random numbers so every figure can be reproduced.
typealias BenchRandom = SplitMix64

/// A generated hospital: units with day, night and weekend staff on 12-hour shifts, busy blocks,
/// coverage rules that leave some slack, and a catalog of online modules, drills and classes.
struct GeneratedHospital {
    var staff: Int
    var units: Int
    var days: Int
    var modules: Int
    /// Coverage minimum as a share of a typical shift's headcount (higher = less slack).
    var coverageShare = 0.7
    var seed: UInt64 = 42
    static let t0 = Instant(rfc3339: "2026-11-23T05:00:00Z")! // Monday 00:00 in New York

    func make() -> PlanningInput {
        var rng = BenchRandom(seed: seed)
        func r(_ range: ClosedRange<Int>) -> Int { Int.random(in: range, using: &rng) }
        let zone = Zone("America/New_York")!
        let unitNames = (0..<units).map { String(format: "U%02d", $0) }
        let roles = ["RN", "RN", "RN", "RN", "RN", "RN", "CNA", "CNA", "MD", "RT"]
        var shifts: [Shift] = []
        var perUnitRole: [String: Int] = [:]
        for p in 0..<staff {
            let unit = unitNames[p % units]
            let role = roles[(p / units) % roles.count]
            let id = "\(unit)-\(role)-\(p)"
            perUnitRole[unit + "/" + role, default: 0] += 1
            let night = r(0...2) == 0
            let offset = r(0...6)
            for d in 0..<days where (d + offset) % 7 < 3 || (r(0...6) == 0) {
                let startLocal = LocalDateTime(year: 2026, month: 11, day: 23 + d, hour: night ? 19 : 7)
                let endLocal = LocalDateTime(naiveSeconds: startLocal.naiveSeconds + 12 * 3600)
                guard let s = try? zone.instant(startLocal), let e = try? zone.instant(endLocal) else { continue }
                shifts.append(Shift(staffID: id, role: role, unit: unit, interval: Interval(start: s, end: e)))
                if r(0...3) == 0 {
                    let b = s.adding(minutes: 60 * r(1...9))
                    shifts.append(Shift(staffID: id, role: role, unit: unit, kind: .busy, interval: Interval(start: b, end: b.adding(minutes: 60))))
                }
            }
        }
        var coverage: [CoverageRule] = []
        for unit in unitNames {
            for role in Set(roles) {
                let n = perUnitRole[unit + "/" + role] ?? 0
                // About 3/7 of the staff work a given day, 2/3 of them by day.
                let day = Int(Double(n) * 3 / 7 * 2 / 3 * coverageShare)
                let night = Int(Double(n) * 3 / 7 / 3 * coverageShare)
                coverage.append(CoverageRule(unit: unit, role: role, min: day, window: (7 * 60, 19 * 60)))
                coverage.append(CoverageRule(unit: unit, role: role, min: night, window: (19 * 60, 7 * 60)))
            }
        }
        var catalog: [Module] = []
        for i in 0..<modules {
            let kind: ModuleKind = i % 20 == 7 ? .drill : i % 20 == 13 ? .classroom : .online
            var m = Module(id: String(format: "mod-%03d", i), title: "Module \(i)", minutes: [5, 5, 10, 10, 15, 20][r(0...5)], kind: kind,
                           roles: r(0...3) == 0 ? ["*"] : [roles[r(0...roles.count - 1)]],
                           units: r(0...2) == 0 ? ["*"] : (0..<r(1...4)).map { _ in unitNames[r(0...units - 1)] },
                           priority: [.critical, .high, .high, .normal, .normal, .normal, .low, .low][r(0...7)],
                           published: Self.t0.adding(minutes: -60 * 24 * r(0...30)),
                           dueDays: r(0...2) == 0 ? nil : r(3...30), recurDays: r(0...3) == 0 ? 365 : nil)
            if i > 10 && r(0...9) == 0 { m.prerequisites = [String(format: "mod-%03d", r(0...i - 1))] }
            if kind == .drill { m.groupMin = 2; m.groupMax = 4; m.minutes = 15 }
            if kind == .classroom {
                m.sessions = (0..<days * 2).map { k in
                    ClassSession(start: Self.t0.adding(minutes: 60 * (12 * k + 10)), location: "Lab \(k % 3)", capacity: 12)
                }
            }
            catalog.append(m)
        }
        var completions: [Completion] = []
        let people = Array(Set(shifts.map(\.staffID))).sorted()
        for p in people where r(0...2) == 0 {
            for _ in 0..<r(1...10) {
                completions.append(Completion(staffID: p, moduleID: catalog[r(0...modules - 1)].id, completedAt: Self.t0.adding(minutes: -60 * 24 * r(1...400))))
            }
        }
        var policy = Policy()
        policy.horizonHours = 48
        return PlanningInput(now: Self.t0.adding(minutes: 9 * 60), policy: policy, siteZone: zone,
                             shifts: shifts, coverage: coverage, modules: catalog, completions: completions)
    }
}
