import Testing
@testable import JitdCore

/// Boosters after a completion (spaced reinforcement) and renewals before a lapse, in one plan.
@Suite struct ReinforcementTests {
    let t0 = Instant(rfc3339: "2026-11-24T12:00:00Z")!

    func module(reinforce: [Int] = [], recur: Int? = nil) -> Module {
        var m = Module(id: "sepsis", title: "Sepsis bundle", minutes: 10, roles: ["RN"], published: t0.adding(seconds: -400 * 86_400),
                       recurDays: recur)
        m.reinforceDays = reinforce
        m.reinforceMinutes = 3
        return m
    }

    /// One RN on shift from `from` hours to `to` hours around t0, every day of `days`.
    func shifts(days: ClosedRange<Int>, from: Int = -4, to: Int = 8) -> [Shift] {
        days.map { d in
            Shift(staffID: "rn1", role: "RN", unit: "MICU",
                  interval: Interval(start: t0.adding(seconds: Int64(d) * 86_400 + Int64(from) * 3600),
                                     end: t0.adding(seconds: Int64(d) * 86_400 + Int64(to) * 3600)))
        }
    }

    func plan(_ m: Module, completedAt: Instant?, now: Instant, shifts: [Shift], extra: [Completion] = []) -> Plan {
        var policy = Policy()
        policy.horizonHours = 48
        let input = PlanningInput(now: now, policy: policy, shifts: shifts, coverage: [], modules: Booster.planned([m]),
                                  completions: (completedAt.map { [Completion(staffID: "rn1", moduleID: m.id, completedAt: $0)] } ?? []) + extra)
        return Planner().plan(input)
    }

    @Test func boosterIdsNameTheirModule() {
        #expect(Booster.moduleID("sepsis", 2) == "sepsis#booster-2")
        #expect(Booster.parse("sepsis#booster-2")! == ("sepsis", 2))
        #expect(Booster.parse("sepsis") == nil && Booster.parse("a#b") == nil && Booster.parse("x#booster-0") == nil)
        #expect(Booster.modules(of: [module(reinforce: [8, 16])]).map(\.id) == ["sepsis#booster-1", "sepsis#booster-2"])
        #expect(Booster.modules(of: [module(reinforce: [8, 16])]).allSatisfy { $0.minutes == 3 && $0.priority == .low })
    }

    /// Eight days after a completion, booster 1 is placed in the person's shift within two days
    /// of its target, and not before its window opens; once done, it is not placed again.
    @Test func aBoosterIsPlacedNearItsTarget() {
        let m = module(reinforce: [8, 16])
        let done = t0.adding(seconds: -7 * 86_400) // target: t0 + 1 day
        let p = plan(m, completedAt: done, now: t0, shifts: shifts(days: 0...2))
        let boosters = p.assignments.filter { $0.moduleID == "sepsis#booster-1" }
        #expect(boosters.count == 1)
        if let b = boosters.first {
            #expect(b.interval.seconds == 180)
            #expect(abs(b.interval.start.seconds - done.adding(seconds: 8 * 86_400).seconds) <= 2 * 86_400)
        }
        #expect(!p.assignments.contains { $0.moduleID == "sepsis" }, "the module itself is held")
        #expect(!p.assignments.contains { $0.moduleID == "sepsis#booster-2" }, "booster 2's window has not opened")
        // Too early: the window opens two days before the target.
        let early = plan(m, completedAt: t0.adding(seconds: -3 * 86_400), now: t0, shifts: shifts(days: 0...2))
        #expect(early.assignments.isEmpty)
        // Done already (a completion of the booster after the module's): nothing.
        let again = plan(m, completedAt: done, now: t0, shifts: shifts(days: 0...2),
                         extra: [Completion(staffID: "rn1", moduleID: "sepsis#booster-1", completedAt: t0.adding(seconds: -3600))])
        #expect(!again.assignments.contains { $0.moduleID.hasPrefix("sepsis#") })
        // Too late: five days past the target, it is given up.
        let late = plan(m, completedAt: t0.adding(seconds: -14 * 86_400), now: t0, shifts: shifts(days: 0...2))
        #expect(!late.assignments.contains { $0.moduleID == "sepsis#booster-1" })
    }

    /// A recertification is renewed inside its window before the lapse, for a night worker who
    /// is on shift only long before it: the need appears up to 30 days ahead.
    @Test func aRenewalIsPlacedBeforeTheLapseInsideTheWindow() {
        let m = module(recur: 365)
        let lapse = t0.adding(seconds: 20 * 86_400)
        let done = lapse.adding(seconds: -365 * 86_400)
        let nights = shifts(days: 0...1, from: 7, to: 19) // 19:00 to 07:00 UTC
        let p = plan(m, completedAt: done, now: t0, shifts: nights)
        #expect(p.assignments.contains { $0.moduleID == "sepsis" && $0.interval.end < lapse }, "renewed 20 days before the lapse")
        // Outside the window (40 days before the lapse): not yet.
        let far = plan(m, completedAt: t0.adding(seconds: 40 * 86_400 - 365 * 86_400), now: t0, shifts: nights)
        #expect(far.assignments.isEmpty)
        // A shorter window, per module.
        var narrow = m
        narrow.renewWindowDays = 10
        #expect(plan(narrow, completedAt: done, now: t0, shifts: nights).assignments.isEmpty)
    }

    /// A module valid for fewer days than the window (21 against the default 30, as a module
    /// built outside the catalog file keeps it) is not renewed just after it was completed: the
    /// window in force stays shorter than the validity. Found by the simulation, where people
    /// were paged for a drill an hour after they had done it.
    @Test func aShortRecertificationIsNotRenewedRightAfterItsCompletion() {
        let m = module(recur: 21)
        #expect(m.renewWindowDays == 30 && m.renewalWindowDays == 20)
        let fresh = plan(m, completedAt: t0.adding(seconds: -3600), now: t0, shifts: shifts(days: 0...2))
        #expect(fresh.assignments.isEmpty, "\(fresh.assignments.map(\.moduleID))")
        // Inside the 20 days before the lapse it is renewed.
        let due = plan(m, completedAt: t0.adding(seconds: -2 * 86_400), now: t0, shifts: shifts(days: 0...2))
        #expect(due.assignments.contains { $0.moduleID == "sepsis" })
    }
}
