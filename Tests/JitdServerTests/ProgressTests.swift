import Foundation
import Hummingbird
import HummingbirdTesting
import Testing
@testable import JitdCore
@testable import JitdServer
@testable import JitdStore

@Suite struct ProgressTests {
    func shift(_ staff: String, _ unit: String, role: String = "RN", daysAgo: Int = 1, kind: ShiftKind = .shift) -> Shift {
        let s = t0.adding(seconds: -Int64(daysAgo) * 86_400)
        return Shift(staffID: staff, role: role, unit: unit, kind: kind, interval: Interval(start: s, end: s.adding(minutes: 720)))
    }

    /// Ten RNs on MICU (n0…n9, n0 also on 5W), two RNs on 5W, an MD on MICU (not eligible for `m`), and
    /// someone rostered 40 days ago (outside the default window).
    func seed(_ f: Fixture) throws {
        var shifts = (0..<10).map { shift("n\($0)", "MICU") }
        shifts += [shift("n0", "5W", daysAgo: 2), shift("w1", "5W"), shift("w2", "5W"), shift("doc", "MICU", role: "MD"),
                   shift("old", "MICU", daysAgo: 40), shift("n5", "MICU", daysAgo: 1, kind: .busy)]
        _ = try f.store.applyRoster(file: "r.csv", sha256: "r", entries: shifts, zones: { _ in .utc }, now: t0) { _ in [] }
        // n0…n6 completed; w1 completed long ago (m does not recur: still holds); doc completed (not eligible anyway).
        try f.store.addCompletions((0..<7).map { Completion(staffID: "n\($0)", moduleID: "m", completedAt: t0.adding(seconds: -3600)) }
            + [Completion(staffID: "w1", moduleID: "m", completedAt: Instant(rfc3339: "2020-01-01T00:00:00Z")!),
               Completion(staffID: "doc", moduleID: "m", completedAt: t0)], source: "test")
        // Planned: n7 at 13:00–13:10, n8 at 15:00–15:10, w2 at 14:00–14:10; n9 has nothing.
        try f.save([("n7", "MICU", 60), ("n8", "MICU", 180), ("w2", "5W", 120)].map { staff, unit, minutes in
            Assignment(id: "p_\(staff)", staffID: staff, moduleID: "m", unit: unit, role: "RN",
                       interval: Interval(start: t0.adding(minutes: minutes), end: t0.adding(minutes: minutes + 10)))
        })
    }

    @Test func sharesPerUnitAndOverallWithTheProjected90PercentDate() async throws {
        let f = try Fixture()
        try seed(f)
        try await f.live { client in
            try await client.execute(uri: "/v1/modules/m/progress", method: .get, headers: ro) { r in
                #expect(r.status == .ok)
                let j = r.json
                #expect(j["module_id"] as? String == "m")
                #expect(j["title"] as? String == "Sepsis bundle")
                #expect(j["as_of"] as? String == "2026-11-24T12:00:00Z")
                #expect((j["window"] as? [String: Any])?["from"] as? String == "2026-10-25T12:00:00Z")
                let overall = j["overall"] as! [String: Any]
                // Eligible: n0…n9, w1, w2 = 12; completed n0…n6, w1 = 8; 90 % of 12 is 10.8 → 11 people.
                #expect(overall["eligible"] as? Int == 12)
                #expect(overall["completed"] as? Int == 8)
                #expect(overall["planned"] as? Int == 3)
                #expect(abs((overall["share"] as? Double ?? 0) - 8.0 / 12.0) < 1e-9)
                #expect(overall["reached_90_percent"] as? Bool == false)
                // 8 + n7 (13:10) + w2 (14:10) + n8 (15:10) = 11 at 15:10.
                #expect(overall["projected_90_percent_at"] as? String == "2026-11-24T15:10:00Z")
                let units = j["units"] as! [[String: Any]]
                #expect(units.map { $0["unit"] as! String } == ["5W", "MICU"])
                // 5W: n0, w1, w2 → 2 of 3 done; 90 % of 3 → 3 people, reached when w2 ends at 14:10.
                #expect(units[0]["eligible"] as? Int == 3)
                #expect(units[0]["completed"] as? Int == 2)
                #expect(units[0]["projected_90_percent_at"] as? String == "2026-11-24T14:10:00Z")
                // MICU: n0…n9 → 7 of 10; 9 needed; n7 and n8 → 15:10.
                #expect(units[1]["eligible"] as? Int == 10)
                #expect(units[1]["completed"] as? Int == 7)
                #expect(units[1]["projected_90_percent_at"] as? String == "2026-11-24T15:10:00Z")
            }
            // A wider window takes in the person rostered 40 days ago.
            try await client.execute(uri: "/v1/modules/m/progress?window_days=60", method: .get, headers: ro) { r in
                #expect((r.json["overall"] as? [String: Any])?["eligible"] as? Int == 13)
                #expect((r.json["overall"] as? [String: Any])?["projected_90_percent_at"] is NSNull, "12 of 13 is not 90 %")
            }
        }
    }

    @Test func recurringModulesCountOnlyCompletionsThatStillHold() async throws {
        let f = try Fixture()
        _ = try f.store.applyRoster(file: "r.csv", sha256: "r", entries: [shift("a", "MICU"), shift("b", "MICU"), shift("c", "5W")],
                                    zones: { _ in .utc }, now: t0) { _ in [] }
        try f.store.addCompletions([Completion(staffID: "a", moduleID: "fire", completedAt: t0.adding(seconds: -86_400 * 400)),
                                    Completion(staffID: "b", moduleID: "fire", completedAt: t0.adding(seconds: -86_400 * 10))], source: "test")
        try await f.live { client in
            try await client.execute(uri: "/v1/modules/fire/progress", method: .get, headers: ro) { r in
                let overall = r.json["overall"] as! [String: Any]
                #expect(overall["eligible"] as? Int == 2, "fire is for MICU only")
                #expect(overall["completed"] as? Int == 1, "a's completion lapsed after 365 days")
                #expect(overall["projected_90_percent_at"] is NSNull)
            }
        }
    }

    @Test func emptyAndUnknown() async throws {
        let f = try Fixture()
        try await f.live { client in
            try await client.execute(uri: "/v1/modules/m/progress", method: .get, headers: ro) { r in
                #expect(r.status == .ok)
                let overall = r.json["overall"] as! [String: Any]
                #expect(overall["eligible"] as? Int == 0)
                #expect(overall["share"] is NSNull)
                #expect(overall["reached_90_percent"] as? Bool == false)
                #expect((r.json["units"] as? [Any])?.isEmpty == true)
            }
            try await client.execute(uri: "/v1/modules/nope/progress", method: .get, headers: ro) { r in
                #expect(r.status == .notFound)
                #expect(r.isProblem)
            }
            for q in ["window_days=0", "window_days=367", "window_days=x"] {
                try await client.execute(uri: "/v1/modules/m/progress?\(q)", method: .get, headers: ro) { r in
                    #expect(r.status == .badRequest)
                    #expect((r.json["detail"] as? String)?.contains("'window_days'") == true)
                }
            }
        }
    }
}
