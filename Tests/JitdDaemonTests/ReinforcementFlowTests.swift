import Foundation
import Testing
@testable import JitdCore
@testable import JitdDaemon
@testable import JitdStore

/// Spaced reinforcement through the running daemon: a completion, then a booster near each of
/// the module's reinforcement days, told as `assignment.scheduled` with `"booster": true`, and
/// its completion recorded as the booster's, not the module's.
@Suite struct ReinforcementFlowTests {
    @Test func boostersFollowACompletionAndTheirCompletionsAreKept() throws {
        let t0 = DaemonFixture.utc("2026-11-24T12:00:00Z")
        let f = try DaemonFixture(config: """
            [policy]
            slot_minutes = 5
            horizon_hours = 24
            notify_lead_minutes = 10

            """ + DaemonFixture.webhook("paging"), catalog: """
            [[module]]
            id = "sepsis"
            title = "Sepsis bundle"
            minutes = 10
            roles = ["RN"]
            published = "2026-01-01"
            reinforce_days = [8, 16]
            reinforce_minutes = 3
            url = "https://lms.example.org/sepsis"

            """, at: t0)
        // rn1 works 07:00–19:00 UTC every day for four weeks.
        let rows = (0..<28).map { d -> String in
            let day = t0.adding(seconds: Int64(d) * 86_400).rfc3339.prefix(10)
            return "rn1,RN,MICU,\(day)T07:00Z,\(day)T19:00Z"
        }
        try f.drop("roster.csv", "staff_id,role,unit,start,end\n" + rows.joined(separator: "\n") + "\n")
        try f.drop("lms.csv", "staff_id,module_id,completed_at\nrn1,sepsis,2026-11-23T10:00Z\n")
        var told: [(String, Int, Instant)] = [] // (id, booster number, start)
        for hour in stride(from: 0, to: 24 * 20, by: 1) {
            f.clock.set(t0.adding(seconds: Int64(hour) * 3600))
            try f.replan()
            try f.deliver("paging")
            for d in f.events("paging", "assignment.scheduled") {
                let id = d["id"] as! String
                guard !told.contains(where: { $0.0 == id }) else { continue }
                #expect(d["booster"] as? Bool == true && d["module_id"] as? String == "sepsis", "\(d)")
                #expect((d["module"] as? [String: Any])?["minutes"] as? Int == 3)
                told.append((id, d["booster_number"] as! Int, Instant(rfc3339: d["start"] as! String)!))
                // The person does the booster: completed through the API.
                _ = try f.store.transition(id, .complete, now: f.now, cancelledEvents: { _, _ in [] })
            }
        }
        #expect(told.map(\.1) == [1, 2], "one booster per reinforcement day: \(told)")
        let done = DaemonFixture.utc("2026-11-23T10:00:00Z")
        for (_, n, start) in told {
            let target = done.adding(seconds: Int64(n == 1 ? 8 : 16) * 86_400)
            #expect(abs(start.seconds - target.seconds) <= 2 * 86_400, "booster \(n) at \(start.rfc3339), target \(target.rfc3339)")
        }
        let completions = try f.store.completions().filter { $0.staffID == "rn1" }.map(\.moduleID)
        #expect(completions == ["sepsis", "sepsis#booster-1", "sepsis#booster-2"], "\(completions)")
    }
}
