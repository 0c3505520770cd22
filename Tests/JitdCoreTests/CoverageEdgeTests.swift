import Testing
@testable import JitdCore

/// Coverage rules at the edges of the planning grid: a window shorter than a slot, and a rule
/// of role `*` that counts everyone on the unit.
@Suite struct CoverageEdgeTests {
    let t0 = Instant(rfc3339: "2026-11-24T12:00:00Z")!

    func input(coverage: [CoverageRule], roles: [String], slot: Int = 15) -> PlanningInput {
        var policy = Policy()
        policy.slotMinutes = slot
        policy.horizonHours = 4
        policy.handoverBufferMinutes = 0
        policy.notifyLeadMinutes = 0
        policy.minMinutesBetweenSessions = 0
        let shifts = roles.enumerated().map { i, role in
            Shift(staffID: "p\(i)", role: role, unit: "MICU",
                  interval: Interval(start: t0.adding(minutes: -60), end: t0.adding(minutes: 300)))
        }
        let module = Module(id: "m", title: "M", minutes: 15, roles: ["*"], published: t0.adding(seconds: -86_400))
        return PlanningInput(now: t0, policy: policy, shifts: shifts, coverage: coverage, modules: [module])
    }

    /// A minimum from 12:05 to 12:10, strictly inside the 15-minute slot from 12:00: nobody of the
    /// two may leave in that slot (the minimum used to be looked at on the slot's ends only).
    @Test func aWindowShorterThanASlotBindsThatSlot() {
        let rule = CoverageRule(unit: "MICU", role: "RN", min: 2, window: (from: 12 * 60 + 5, to: 12 * 60 + 10))
        let plan = Planner().plan(input(coverage: [rule], roles: ["RN", "RN"]))
        #expect(!plan.assignments.isEmpty, "they train, outside the window")
        #expect(plan.assignments.allSatisfy { $0.interval.start >= t0.adding(minutes: 15) }, "\(plan.assignments.map(\.interval.start.rfc3339))")
        #expect(PlanChecker(input: input(coverage: [rule], roles: ["RN", "RN"])).violations(plan).isEmpty)
    }

    /// `role = "*"` counts everyone on the unit: with 3 people of two roles and a minimum of 2,
    /// one may leave at a time, whatever their role (the rule used to be a role nobody has).
    @Test func aStarRoleCountsEveryoneOnTheUnit() {
        let rule = CoverageRule(unit: "MICU", role: "*", min: 2)
        let i = input(coverage: [rule], roles: ["RN", "RN", "MD"])
        let plan = Planner().plan(i)
        #expect(plan.assignments.count == 3, "each trains: \(plan.assignments.map(\.staffID))")
        #expect(plan.understaffed.isEmpty)
        for a in plan.assignments {
            let overlapping = plan.assignments.filter { $0.interval.overlaps(a.interval) }
            #expect(overlapping.count == 1, "one away at a time: \(overlapping.map(\.staffID))")
        }
        #expect(PlanChecker(input: i).violations(plan).isEmpty)
        // With a minimum of 3, nobody may leave, and the unit is not short.
        let full = input(coverage: [CoverageRule(unit: "MICU", role: "*", min: 3)], roles: ["RN", "RN", "MD"])
        let none = Planner().plan(full)
        #expect(none.assignments.isEmpty && none.understaffed.isEmpty)
        // With a minimum of 4, the unit is short.
        let short = Planner().plan(input(coverage: [CoverageRule(unit: "MICU", role: "*", min: 4)], roles: ["RN", "RN", "MD"]))
        #expect(short.understaffed.contains { $0.role == "*" && $0.shortBy == 1 })
    }
}
