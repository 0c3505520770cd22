import Foundation
import Testing
@testable import JitdCore
@testable import JitdDaemon
@testable import JitdStore

/// What the running daemon watches for as time passes, under a virtual clock: recurring rosters
/// that must keep producing shifts, rosters that run out, due dates that pass untrained.
@Suite struct WatchTests {
    static let t0 = DaemonFixture.utc("2026-11-24T12:00:00Z") // a Tuesday

    static let policy = """
        [policy]
        slot_minutes = 5
        horizon_hours = 24
        notify_lead_minutes = 10

        """

    static let module = """
        [[module]]
        id = "hygiene"
        title = "Hand hygiene"
        minutes = 10
        roles = ["RN"]
        published = "2026-01-01"
        due_days = 30

        """

    /// A weekly calendar, Monday to Friday 07:00–19:00 UTC for rn1, dropped once.
    static let weekly = """
        BEGIN:VCALENDAR\r
        VERSION:2.0\r
        PRODID:-//jitd tests//EN\r
        X-JITD-UNIT:MICU\r
        X-JITD-ROLE:RN\r
        BEGIN:VEVENT\r
        UID:rn1-weekdays@test\r
        DTSTAMP:20261101T000000Z\r
        DTSTART:20261102T070000Z\r
        DTEND:20261102T190000Z\r
        RRULE:FREQ=WEEKLY;BYDAY=MO,TU,WE,TH,FR\r
        X-JITD-STAFF-ID:rn1\r
        END:VEVENT\r
        END:VCALENDAR\r

        """

    func shifts(_ f: DaemonFixture, on day: String) throws -> [String] {
        let start = DaemonFixture.utc(day + "T00:00:00Z")
        return try f.store.shifts(overlapping: Interval(start: start, end: start.adding(seconds: 86_400)))
            .filter { $0.kind == .shift }.map(\.staffID).sorted()
    }

    /// A weekly recurring roster dropped once is still planned two weeks later; a file dropped
    /// later for one of its days replaces that day only, and the calendar goes on after it.
    @Test func aRecurringRosterKeepsProducingShiftsAsTimeMoves() throws {
        let f = try DaemonFixture(config: Self.policy, catalog: Self.module, at: Self.t0)
        try f.drop("weekly.ics", Self.weekly)
        #expect(try shifts(f, on: "2026-11-25") == ["rn1"])
        #expect(try shifts(f, on: "2026-12-08").isEmpty, "expanded only around the drop")
        // Day 3: a swap for Thursday 3 December, as a CSV.
        f.clock.set(DaemonFixture.utc("2026-11-26T12:00:00Z"))
        try f.replan()
        try f.drop("swap.csv", "staff_id,role,unit,start,end\nrn9,RN,MICU,2026-12-03T07:00Z,2026-12-03T19:00Z\n")
        // Two weeks on, one day at a time, as the daemon re-plans.
        for day in 3...14 {
            f.clock.set(Self.t0.adding(seconds: Int64(day) * 86_400))
            try f.replan()
        }
        #expect(try shifts(f, on: "2026-12-08") == ["rn1"], "two weeks after the drop")
        #expect(try shifts(f, on: "2026-12-03") == ["rn9"], "the later file's day stands")
        #expect(try shifts(f, on: "2026-12-04") == ["rn1"], "and the calendar goes on after it")
        #expect(try shifts(f, on: "2026-12-05").isEmpty, "no shift on Saturdays")
        let (plan, _) = try f.replan()
        #expect(plan.assignments.contains { $0.staffID == "rn1" && $0.interval.start > f.now }, "rn1 is planned on day 14")
        // The same calendar dropped again changes nothing: it is still the roster in force on its days.
        try f.drop("weekly-again.ics", Self.weekly)
        let files = try f.store.inboxFiles(limit: 10)
        #expect(files.first?.name == "weekly-again.ics" && files.first?.outcome == .duplicate)
    }

    /// `roster.stale` once when a unit with coverage rules has no shift ahead, cleared when a
    /// roster arrives; the next spell is announced again.
    @Test func aStaleRosterIsAnnouncedOnceAndClearedWhenARosterArrives() throws {
        let f = try DaemonFixture(config: Self.policy.replacingOccurrences(of: "horizon_hours = 24", with: "horizon_hours = 4")
                                  + "[[coverage]]\nunit = \"MICU\"\nrole = \"RN\"\nmin = 1\n\n" + DaemonFixture.webhook("paging"),
                                  catalog: Self.module, at: Self.t0)
        try f.drop("today.csv", "staff_id,role,unit,start,end\nrn1,RN,MICU,2026-11-24T07:00Z,2026-11-24T19:00Z\nrn2,RN,MICU,2026-11-24T07:00Z,2026-11-24T19:00Z\n")
        try f.replan()
        try f.deliver("paging")
        #expect(f.events("paging", "roster.stale").isEmpty)
        for hour in [20, 21, 22] {
            f.clock.set(DaemonFixture.utc("2026-11-24T\(hour):00:00Z"))
            try f.replan()
            try f.deliver("paging")
        }
        let stale = f.events("paging", "roster.stale")
        #expect(stale.count == 1, "\(stale)")
        #expect(stale.first?["unit"] as? String == "MICU")
        #expect(stale.first?["last_shift_end"] as? String == "2026-11-24T19:00:00Z")
        #expect(try f.store.staleUnits().map(\.unit) == ["MICU"])
        #expect(f.runtime.status.problems.contains { $0.contains("roster stale (no shift ahead): MICU") })
        // Tomorrow's roster arrives: cleared.
        try f.drop("tomorrow.csv", "staff_id,role,unit,start,end\nrn1,RN,MICU,2026-11-25T00:00Z,2026-11-25T12:00Z\n")
        try f.replan()
        #expect(try f.store.staleUnits().isEmpty)
        #expect(!f.runtime.status.problems.contains { $0.contains("roster stale") })
        // It runs out again: a new spell, a new announcement.
        f.clock.set(DaemonFixture.utc("2026-11-25T13:00:00Z"))
        try f.replan()
        try f.deliver("paging")
        #expect(f.events("paging", "roster.stale").count == 2)
    }

    /// `training.overdue` once per person and module when the due date passes untrained, with
    /// the person's unit; counted in the module's progress.
    @Test func aDueDatePassedUntrainedIsAnnouncedOnce() throws {
        let f = try DaemonFixture(config: Self.policy + DaemonFixture.webhook("paging"),
                                  catalog: Self.module.replacingOccurrences(of: "due_days = 30", with: "due_days = 1"), at: Self.t0)
        try f.drop("roster.csv", """
            staff_id,role,unit,start,end
            rn1,RN,MICU,2026-11-24T07:00Z,2026-11-24T19:00Z
            rn1,RN,MICU,2026-11-25T07:00Z,2026-11-25T19:00Z
            rn2,RN,5W,2026-11-25T07:00Z,2026-11-25T19:00Z

            """)
        try f.replan()
        try f.deliver("paging")
        #expect(f.events("paging", "training.overdue").isEmpty, "due 24 h after they were first rostered")
        f.clock.set(DaemonFixture.utc("2026-11-25T08:00:00Z"))
        try f.replan()
        try f.replan()
        try f.deliver("paging")
        let overdue = f.events("paging", "training.overdue")
        #expect(overdue.count == 1, "\(overdue)")
        #expect(overdue.first?["staff_id"] as? String == "rn1" && overdue.first?["unit"] as? String == "MICU")
        #expect(overdue.first?["due"] as? String == "2026-11-25T07:00:00Z")
        let progress = try f.store.progressInputs(moduleID: "hygiene", window: Interval(start: Self.t0, end: f.now.adding(seconds: 86_400)),
                                                  now: f.now)
        #expect(progress.overdue == ["rn1"])
        #expect(try f.store.openOverdueCount() == 1)
    }
}
