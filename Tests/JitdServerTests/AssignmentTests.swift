import Foundation
import GRDB
import Hummingbird
import HummingbirdTesting
import NIOCore
import Testing
@testable import JitdCore
@testable import JitdServer
@testable import JitdStore

@Suite struct AssignmentTests {
    func ids(_ r: TestResponse) -> [String] { (r.json["assignments"] as? [[String: Any]] ?? []).map { $0["id"] as! String } }

    @Test func listsFiltersAndPages() async throws {
        let f = try Fixture()
        try f.seedAssignments()
        try f.setState("a_1", .notified)
        try await f.live { client in
            try await client.execute(uri: "/v1/assignments", method: .get, headers: ro) { r in
                #expect(r.status == .ok)
                #expect(r.headers[.contentType] == "application/json")
                #expect(self.ids(r) == ["a_0", "a_1", "a_2"])
                #expect(r.json["next_cursor"] is NSNull)
                let first = (r.json["assignments"] as! [[String: Any]])[0]
                #expect(first["start"] as? String == "2026-11-24T13:00:00Z")
                #expect(first["end"] as? String == "2026-11-24T13:10:00Z")
                #expect(first["state"] as? String == "planned")
                #expect(first["group"] is NSNull && first["reason"] is NSNull)
                #expect(Set(first.keys) == ["id", "staff_id", "module_id", "unit", "role", "start", "end", "group", "state", "reason", "updated_at"])
            }
            try await client.execute(uri: "/v1/assignments?unit=MICU", method: .get, headers: ro) { #expect(self.ids($0) == ["a_0", "a_1"]) }
            try await client.execute(uri: "/v1/assignments?staff_id=s2", method: .get, headers: ro) { #expect(self.ids($0) == ["a_2"]) }
            try await client.execute(uri: "/v1/assignments?state=notified", method: .get, headers: ro) { #expect(self.ids($0) == ["a_1"]) }
            // [from, to) overlap: a_0 is 13:00–13:10, a_1 14:00–14:10, a_2 15:00–15:10.
            try await client.execute(uri: "/v1/assignments?from=2026-11-24T13:05:00Z&to=2026-11-24T15:00:00Z", method: .get, headers: ro) {
                #expect(self.ids($0) == ["a_0", "a_1"])
            }
            try await client.execute(uri: "/v1/assignments?from=2026-11-24T09:05:00-05:00", method: .get, headers: ro) {
                #expect(self.ids($0) == ["a_1", "a_2"])
            }
            try await client.execute(uri: "/v1/assignments?unit=MICU&state=planned&to=2026-11-24T14:00:00Z", method: .get, headers: ro) {
                #expect(self.ids($0) == ["a_0"])
            }
            var cursor = ""
            try await client.execute(uri: "/v1/assignments?limit=2", method: .get, headers: ro) { r in
                #expect(self.ids(r) == ["a_0", "a_1"])
                cursor = r.json["next_cursor"] as! String
            }
            try await client.execute(uri: "/v1/assignments?limit=2&cursor=\(cursor)", method: .get, headers: ro) { r in
                #expect(self.ids(r) == ["a_2"])
                #expect(r.json["next_cursor"] is NSNull)
            }
        }
    }

    @Test func pagingWalksRowsThatShareAStart() async throws {
        let f = try Fixture()
        let s = t0.adding(minutes: 60)
        try f.save((0..<7).map { i in
            Assignment(id: "g_\(i)", staffID: "p\(i)", moduleID: "m", unit: "MICU", role: "RN", interval: Interval(start: s, end: s.adding(minutes: 10)),
                       group: "drill-1")
        })
        try await f.live { client in
            var seen: [String] = []
            var cursor: String? = nil
            repeat {
                let uri = "/v1/assignments?limit=3" + (cursor.map { "&cursor=\($0)" } ?? "")
                try await client.execute(uri: uri, method: .get, headers: ro) { r in
                    seen += self.ids(r)
                    cursor = r.json["next_cursor"] as? String
                    #expect((r.json["assignments"] as! [[String: Any]]).allSatisfy { $0["group"] as? String == "drill-1" })
                }
            } while cursor != nil
            #expect(seen == (0..<7).map { "g_\($0)" })
        }
    }

    @Test func fromFindsTheLongestAssignmentsStillRunning() async throws {
        let f = try Fixture()
        let from = t0.adding(minutes: 600)
        try f.save([
            Assignment(id: "long", staffID: "p", moduleID: "m", unit: "MICU", role: "RN",
                       interval: Interval(start: from.adding(minutes: -239), end: from.adding(minutes: 1))),
            Assignment(id: "over", staffID: "q", moduleID: "m", unit: "MICU", role: "RN",
                       interval: Interval(start: from.adding(minutes: -10), end: from)),
        ])
        try await f.live { client in
            try await client.execute(uri: "/v1/assignments?from=\(from.rfc3339)", method: .get, headers: ro) { #expect(self.ids($0) == ["long"]) }
        }
    }

    @Test func badQueriesAre400sNamingTheParameter() async throws {
        let f = try Fixture()
        try await f.live { client in
            for (query, name) in [("state=bogus", "state"), ("from=yesterday", "from"), ("to=2026-11-24T12:00", "to"),
                                  ("from=2026-11-24 12:00:00Z", "from"), ("limit=0", "limit"), ("limit=1001", "limit"), ("limit=ten", "limit"),
                                  ("cursor=abc", "cursor"), ("cursor=%2B5:x", "cursor"), ("unit=", "unit"), ("unit=A&unit=B", "unit")] {
                try await client.execute(uri: "/v1/assignments?" + query.replacingOccurrences(of: " ", with: "%20"), method: .get, headers: ro) { r in
                    #expect(r.status == .badRequest, "\(query)")
                    #expect(r.isProblem)
                    #expect((r.json["detail"] as? String)?.contains("'\(name)'") == true, "\(query): \(r.json)")
                }
            }
        }
    }

    @Test func fetchesOneOr404() async throws {
        let f = try Fixture()
        try f.seedAssignments()
        try await f.live { client in
            try await client.execute(uri: "/v1/assignments/a_1", method: .get, headers: ro) { r in
                #expect(r.status == .ok)
                #expect(r.json["id"] as? String == "a_1")
                #expect(r.json["staff_id"] as? String == "s1")
            }
            try await client.execute(uri: "/v1/assignments/nope", method: .get, headers: ro) { r in
                #expect(r.status == .notFound)
                #expect(r.isProblem)
            }
        }
    }

    @Test func acknowledgeIsIdempotentAndRefusesIllegalMoves() async throws {
        let f = try Fixture()
        try f.seedAssignments()
        try f.setState("a_1", .notified)
        try f.setState("a_2", .completed)
        try await f.live { client in
            for _ in 0..<2 {
                try await client.execute(uri: "/v1/assignments/a_1/acknowledge", method: .post, headers: rw) { r in
                    #expect(r.status == .ok)
                    #expect(r.json["state"] as? String == "acknowledged")
                }
            }
            try await client.execute(uri: "/v1/assignments/a_0/acknowledge", method: .post, headers: rw) { #expect($0.json["state"] as? String == "acknowledged") }
            try await client.execute(uri: "/v1/assignments/a_2/acknowledge", method: .post, headers: rw) { r in
                #expect(r.status == .conflict)
                #expect(r.isProblem)
                #expect((r.json["detail"] as? String)?.contains("it is completed") == true)
                #expect((r.json["detail"] as? String)?.contains("allowed from") == true)
            }
            try await client.execute(uri: "/v1/assignments/nope/acknowledge", method: .post, headers: rw) { #expect($0.status == .notFound) }
        }
        // Acknowledging keeps the notification: the person still gets the link.
        #expect(try f.store.queueCounts()["pending"] == 3)
        #expect(f.log.replans == 0)
    }

    @Test func completeRecordsTheCompletionAndCancelsThePersonsOtherAssignmentsOfTheModule() async throws {
        let f = try Fixture()
        let a = { (id: String, minutes: Int) in
            Assignment(id: id, staffID: "s0", moduleID: "m", unit: "MICU", role: "RN",
                       interval: Interval(start: t0.adding(minutes: minutes), end: t0.adding(minutes: minutes + 10)))
        }
        try f.save([a("x_now", 60), a("x_later", 600), a("x_told", 900),
                    Assignment(id: "other", staffID: "s1", moduleID: "m", unit: "MICU", role: "RN",
                               interval: Interval(start: t0.adding(minutes: 60), end: t0.adding(minutes: 70)))])
        try f.setState("x_now", .acknowledged)
        try f.setState("x_told", .notified)
        try await f.live { client in
            for _ in 0..<2 {
                try await client.execute(uri: "/v1/assignments/x_now/complete", method: .post, headers: rw) { r in
                    #expect(r.status == .ok)
                    #expect(r.json["state"] as? String == "completed")
                }
            }
        }
        #expect(try f.store.completions() == [Completion(staffID: "s0", moduleID: "m", completedAt: t0)])
        #expect(try f.store.assignment(id: "x_later")?.state == .cancelled)
        #expect(try f.store.assignment(id: "x_later")?.reason == "completed_elsewhere")
        #expect(try f.store.assignment(id: "x_told")?.state == .cancelled)
        #expect(try f.store.assignment(id: "other")?.state == .planned)
        // The notified one is announced as cancelled; the unsent notifications of all three are dropped.
        let cancelled = try f.store.messages(state: .pending).filter { $0.type == "assignment.cancelled" }
        #expect(cancelled.map(\.assignmentID) == ["x_told"])
        let scheduled = try f.store.messages(state: .pending).filter { $0.type == "assignment.scheduled" }
        #expect(scheduled.map(\.assignmentID) == ["other"])
        #expect(f.log.replans == 1, "the second, idempotent call changes nothing and plans nothing")
        #expect(f.log.wakes == 1)
    }

    @Test func completeAndDeclineRefuseFinishedAssignments() async throws {
        let f = try Fixture()
        try f.seedAssignments()
        try f.setState("a_0", .expired)
        try f.setState("a_1", .declined)
        try f.setState("a_2", .cancelled)
        try await f.live { client in
            try await client.execute(uri: "/v1/assignments/a_0/complete", method: .post, headers: rw) { r in
                #expect(r.status == .conflict)
                #expect((r.json["detail"] as? String)?.contains("/v1/completions") == true)
            }
            try await client.execute(uri: "/v1/assignments/a_1/complete", method: .post, headers: rw) { #expect($0.status == .conflict) }
            try await client.execute(uri: "/v1/assignments/a_2/decline", method: .post, headers: rw) { #expect($0.status == .conflict) }
            try await client.execute(uri: "/v1/assignments/a_1/decline", method: .post, headers: rw) { r in
                #expect(r.status == .ok, "declining a declined assignment again is not an error")
                #expect(r.json["state"] as? String == "declined")
            }
            try await client.execute(uri: "/v1/assignments/nope/complete", method: .post, headers: rw) { #expect($0.status == .notFound) }
            try await client.execute(uri: "/v1/assignments/nope/decline", method: .post, headers: rw) { #expect($0.status == .notFound) }
        }
        #expect(try f.store.completions().isEmpty)
        #expect(f.log.replans == 0)
    }

    @Test func declineDropsTheNotificationAndReplans() async throws {
        let f = try Fixture()
        try f.seedAssignments()
        try await f.live { client in
            try await client.execute(uri: "/v1/assignments/a_0/decline", method: .post, headers: rw) { r in
                #expect(r.status == .ok)
                #expect(r.json["state"] as? String == "declined")
            }
            try await client.execute(uri: "/v1/assignments/a_0/acknowledge", method: .post, headers: rw) { #expect($0.status == .conflict) }
        }
        #expect(try f.store.messages(state: .cancelled).map(\.assignmentID) == ["a_0"])
        #expect(try f.store.completions().isEmpty)
        #expect(f.log.replans == 1)
        // A later plan that places the same slot again does not resurrect it.
        try f.seedAssignments()
        #expect(try f.store.assignment(id: "a_0")?.state == .declined)
    }
}
