import Testing
@testable import JitdCore

/// The improvement search and the fairness figures of issue 14.
@Suite struct SearchTests {
    static let t0 = Instant(rfc3339: "2026-11-24T12:00:00Z")! // a Tuesday

    func shift(_ staff: String, from: Int, to: Int) -> Shift {
        Shift(staffID: staff, role: "RN", unit: "MICU", interval: Interval(start: Self.t0.adding(minutes: from), end: Self.t0.adding(minutes: to)))
    }

    @Test func drillsCompeteOnWeightWithOnlineModules() {
        // A 20-minute drill for two and two 15-minute online modules, all high: the greedy releases
        // a and b for the drill first (rigid kinds go first among equals), which leaves them 10
        // minutes of the 30 a shift allows, so neither online module fits; the search trades the
        // drill (2 × 4) for both online modules (2 × 8).
        let published = Self.t0.adding(minutes: -60)
        let drill = Module(id: "drill", title: "drill", minutes: 20, kind: .drill, roles: ["RN"], priority: .high,
                           published: published, groupMin: 2, groupMax: 2)
        let online = ["o1", "o2"].map { Module(id: $0, title: $0, minutes: 15, roles: ["RN"], priority: .high, published: published) }
        let input = PlanningInput(now: Self.t0, policy: Policy(), shifts: ["a", "b", "c"].map { shift($0, from: 0, to: 720) },
                                  coverage: [], modules: [drill] + online)
        let greedy = Planner(.plainGreedy).plan(input)
        let full = Planner().plan(input)
        #expect(greedy.weightPlaced == 16)
        #expect(full.weightPlaced == 24)
        #expect(full.assignments.allSatisfy { $0.moduleID != "drill" })
        #expect(full.unmet.count == 3 && full.unmet.allSatisfy { $0.moduleID == "drill" })
        #expect(PlanChecker(input: input).violations(full).isEmpty)
    }

    @Test func theSearchNeverLosesWeightAndStaysDeterministic() async {
        let seeds = UInt64(1)...150
        let found = await offPool(seeds) { seed in
            let input = RandomHospital.make(seed: seed)
            let full = Planner().plan(input)
            let greedy = Planner(.plainGreedy).plan(input)
            let again = Planner().plan(input)
            return (full: full.weightPlaced, greedy: greedy.weightPlaced,
                    addsUp: full.unmet.count == full.needsTotal - full.assignments.filter { a in !input.committed.contains { $0.id == a.id } }.count,
                    same: PlanDocument.json(full, modules: input.modules).encoded() == PlanDocument.json(again, modules: input.modules).encoded())
        }
        for (seed, f) in zip(seeds, found) {
            #expect(f.full >= f.greedy, "seed \(seed)")
            #expect(f.addsUp, "seed \(seed): unmet and placed do not add up")
            #expect(f.same, "seed \(seed)")
        }
    }

    @Test func accessRatiosComparePerShiftHour() {
        // Two nurses on 12-hour shifts, one by day and one by night, each free to train up to the
        // caps: both get 30 minutes, so access per shift hour is even. The weekend nurse works
        // Saturday, outside this horizon: no ratio.
        var policy = Policy()
        policy.horizonHours = 36
        let input = PlanningInput(now: Self.t0, policy: policy,
                                  shifts: [shift("day", from: 0, to: 720), shift("night", from: 720, to: 1440)], coverage: [],
                                  modules: ["a", "b"].map { Module(id: $0, title: $0, minutes: 15, roles: ["RN"], published: Self.t0.adding(minutes: -60)) })
        let plan = Planner().plan(input)
        #expect(plan.fairness.day.minutes == 30 && plan.fairness.night.minutes == 30)
        #expect(plan.fairness.day.shiftMinutes == 720 && plan.fairness.night.shiftMinutes == 720)
        #expect(plan.fairness.nightToDay == 1)
        #expect(plan.fairness.weekendToWeekday == nil)
        let doc = String(decoding: PlanDocument.json(plan, modules: input.modules).encoded(), as: UTF8.self)
        #expect(doc.contains("\"night_to_day\":1"))
        #expect(doc.contains("\"minutes_per_shift_hour\":2.5"))
        #expect(doc.contains("\"weekend_to_weekday\":null"))
    }

    @Test func classSeatsCountKeptCommitments() {
        // One seat left: a kept commitment holds the other.
        let cls = Module(id: "lift", title: "Lift", minutes: 20, kind: .classroom, roles: ["RN"], published: Self.t0.adding(minutes: -60),
                         sessions: [ClassSession(start: Self.t0.adding(minutes: 180), location: "Lab", capacity: 2)])
        let seat = "c_" + StableHash.hex("lift\u{1F}\(Self.t0.adding(minutes: 180).seconds)\u{1F}Lab")
        let kept = Assignment(id: "kept", staffID: "a", moduleID: "lift", unit: "MICU", role: "RN",
                              interval: Interval(start: Self.t0.adding(minutes: 180), end: Self.t0.adding(minutes: 200)), group: seat)
        let input = PlanningInput(now: Self.t0, policy: Policy(), shifts: ["a", "b", "c"].map { shift($0, from: -60, to: 480) },
                                  coverage: [], modules: [cls], committed: [kept])
        let plan = Planner().plan(input)
        #expect(plan.assignments.count == 2)
        #expect(plan.assignments.contains(kept))
        #expect(PlanChecker(input: input).violations(plan).isEmpty)
    }
}
