import Testing
@testable import JitdCore

/// `[[unit]]` policy overrides (SPEC: buffers, caps, spacing and notification lead for one unit).
@Suite struct UnitPolicyTests {
    static let t0 = Instant(rfc3339: "2026-11-24T12:00:00Z")!

    func shift(_ staff: String, _ unit: String, from: Int, to: Int) -> Shift {
        Shift(staffID: staff, role: "RN", unit: unit,
              interval: Interval(start: Self.t0.adding(minutes: from), end: Self.t0.adding(minutes: to)))
    }

    func online(_ id: String, minutes: Int = 10) -> Module {
        Module(id: id, title: id, minutes: minutes, roles: ["RN"], priority: .normal, published: Self.t0.adding(minutes: -1440))
    }

    /// The site's defaults with some keys overridden, as a `[[unit]]` table would.
    func unit(buffer: Int = 30, minutes: Int = 30, sessions: Int = 2, gap: Int = 60, lead: Int = 10) -> Policy {
        var p = Policy()
        p.handoverBufferMinutes = buffer
        p.maxTrainingMinutesPerShift = minutes
        p.maxSessionsPerShift = sessions
        p.minMinutesBetweenSessions = gap
        p.notifyLeadMinutes = lead
        return p
    }

    func planned(_ shifts: [Shift], _ modules: [Module], site: Policy = Policy(), units: [String: Policy]) -> (PlanningInput, Plan) {
        var input = PlanningInput(now: Self.t0, policy: site, shifts: shifts, coverage: [], modules: modules)
        input.unitPolicies = units
        let plan = Planner().plan(input)
        #expect(PlanChecker(input: input).violations(plan).isEmpty)
        return (input, plan)
    }

    @Test func policyOfFallsBackToTheSite() {
        var own = Policy()
        own.maxSessionsPerShift = 5
        var input = PlanningInput(now: Self.t0, policy: Policy(), shifts: [], coverage: [], modules: [])
        input.unitPolicies = ["ICU": own]
        #expect(input.policy(of: "ICU").maxSessionsPerShift == 5)
        #expect(input.policy(of: "5W") == Policy())
    }

    @Test func aUnitsOwnBufferOpensAShortShift() {
        // A 60-minute shift: the site's 30-minute buffers leave nothing; ICU's 5 leave 50 minutes.
        let (_, plan) = planned([shift("a", "ICU", from: 60, to: 120), shift("b", "5W", from: 60, to: 120)], [online("m")],
                                units: ["ICU": unit(buffer: 5)])
        #expect(plan.assignments.map(\.staffID) == ["a"])
        #expect(plan.assignments[0].interval.start == Self.t0.adding(minutes: 65))
    }

    @Test func aUnitsOwnCapsHoldOnItsShiftsOnly() {
        let modules = [online("m1"), online("m2"), online("m3")]
        let (_, plan) = planned([shift("a", "ICU", from: 0, to: 720), shift("b", "5W", from: 0, to: 720)], modules,
                                units: ["ICU": unit(sessions: 1)])
        #expect(plan.assignments.filter { $0.staffID == "a" }.count == 1)
        #expect(plan.assignments.filter { $0.staffID == "b" }.count == 2)
        let (_, more) = planned([shift("a", "ICU", from: 0, to: 720)], modules, units: ["ICU": unit(minutes: 60, sessions: 6, gap: 0)])
        #expect(more.assignments.count == 3) // the site would allow 2 sessions and 30 minutes
    }

    @Test func spacingAcrossUnitsTakesTheStricterRule() {
        // One person on ICU (sessions 150 minutes apart) then 5W (no spacing, one session a
        // shift), back to back: the 5W session keeps ICU's 150 minutes from the ICU one.
        let (_, plan) = planned([shift("a", "ICU", from: 0, to: 120), shift("a", "5W", from: 120, to: 300)],
                                [online("m1"), online("m2")], units: ["ICU": unit(buffer: 0, gap: 150), "5W": unit(buffer: 0, sessions: 1, gap: 0)])
        let starts = plan.assignments.map(\.interval).sorted()
        #expect(starts.count == 2 && Set(plan.assignments.map(\.unit)) == ["ICU", "5W"])
        #expect(starts[1].start.seconds - starts[0].end.seconds >= 150 * 60)
    }

    @Test func aUnitsOwnNotificationLeadDelaysItsFirstSlot() {
        let (_, plan) = planned([shift("a", "ICU", from: -60, to: 300), shift("b", "5W", from: -60, to: 300)], [online("m")],
                                units: ["ICU": unit(buffer: 0, lead: 90), "5W": unit(buffer: 0, lead: 0)])
        let byStaff = Dictionary(plan.assignments.map { ($0.staffID, $0.interval.start) }, uniquingKeysWith: min)
        #expect(byStaff["a"] == Self.t0.adding(minutes: 90))
        #expect(byStaff["b"] == Self.t0)
    }

    @Test func drillsAndClassesFollowTheUnitsRules() {
        let drill = Module(id: "d", title: "d", minutes: 15, kind: .drill, roles: ["RN"], published: Self.t0.adding(minutes: -60),
                           groupMin: 2, groupMax: 3)
        let cls = Module(id: "c", title: "c", minutes: 15, kind: .classroom, roles: ["RN"], published: Self.t0.adding(minutes: -60),
                         sessions: [ClassSession(start: Self.t0.adding(minutes: 180), location: "Lab", capacity: 9)])
        let shifts = ["a", "b", "c"].map { shift($0, "ICU", from: 0, to: 720) } + ["x", "y"].map { shift($0, "5W", from: 0, to: 720) }
        let (_, plan) = planned(shifts, [drill, cls], units: ["ICU": unit(sessions: 0)])
        #expect(plan.assignments.allSatisfy { $0.unit == "5W" })
        #expect(Set(plan.assignments.map(\.moduleID)) == ["c", "d"])
    }
}
