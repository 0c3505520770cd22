import Foundation
import Hummingbird
import HummingbirdTesting
import NIOCore
import Testing
@testable import JitdCore
@testable import JitdServer
@testable import JitdStore

@Suite struct CompletionTests {
    func item(_ staff: Any, _ module: Any = "m", _ at: Any = "2026-11-20T08:00:00Z") -> [String: Any] {
        ["staff_id": staff, "module_id": module, "completed_at": at]
    }

    @Test func recordsAllInOneTransactionAndReplans() async throws {
        let f = try Fixture()
        try f.seedAssignments()
        try f.setState("a_1", .notified)
        try await f.live { client in
            let list: [[String: Any]] = [item("s9"), item("s9"), item("s1", "m", "2026-11-24T07:00:00-05:00"), item("s8", "not-in-catalog")]
            try await client.execute(uri: "/v1/completions", method: .post, headers: jsonHeaders(), body: body(["completions": list])) { r in
                #expect(r.status == .ok)
                #expect(r.json["received"] as? Int == 4)
                #expect(r.json["added"] as? Int == 3)
                #expect(r.json["assignments_cancelled"] as? Int == 1)
                #expect(r.json["assignments_completed"] as? Int == 0)
            }
            // The same post again adds nothing and plans nothing.
            try await client.execute(uri: "/v1/completions", method: .post, headers: jsonHeaders(), body: body(["completions": list])) { r in
                #expect(r.json["added"] as? Int == 0)
            }
        }
        #expect(try f.store.completions().count == 3)
        // s1 completed before a_1 started: a_1 is no longer needed and, having been notified, is announced as cancelled.
        #expect(try f.store.assignment(id: "a_1")?.state == .cancelled)
        #expect(try f.store.messages(state: .pending).contains { $0.type == "assignment.cancelled" && $0.assignmentID == "a_1" })
        #expect(try f.store.assignment(id: "a_0")?.state == .planned)
        #expect(f.log.replans == 1)
    }

    @Test func aCompletionDuringAnAssignmentCompletesIt() async throws {
        let f = try Fixture()
        try f.seedAssignments()
        // a_0 runs 13:00–13:10.
        try await f.live { client in
            try await client.execute(uri: "/v1/completions", method: .post, headers: jsonHeaders(),
                                     body: body(["completions": [item("s0", "m", "2026-11-24T13:09:30Z")]])) { r in
                #expect(r.json["assignments_completed"] as? Int == 1)
            }
        }
        #expect(try f.store.assignment(id: "a_0")?.state == .completed)
    }

    @Test func anOldCompletionOfARecurringModuleLeavesTheRecertificationPlanned() async throws {
        let f = try Fixture()
        try f.save([Assignment(id: "r", staffID: "s0", moduleID: "fire", unit: "MICU", role: "RN",
                               interval: Interval(start: t0.adding(minutes: 60), end: t0.adding(minutes: 70)))])
        try await f.live { client in
            try await client.execute(uri: "/v1/completions", method: .post, headers: jsonHeaders(),
                                     body: body(["completions": [item("s0", "fire", "2025-01-01T00:00:00Z")]])) { r in
                #expect(r.json["assignments_cancelled"] as? Int == 0)
            }
            try await client.execute(uri: "/v1/completions", method: .post, headers: jsonHeaders(),
                                     body: body(["completions": [item("s0", "fire", "2026-06-01T00:00:00Z")]])) { r in
                #expect(r.json["assignments_cancelled"] as? Int == 1)
            }
        }
    }

    @Test func anyBadItemRejectsTheWholeBodyWithEveryError() async throws {
        let f = try Fixture()
        try await f.live { client in
            let list: [Any] = [item("ok"), item(""), item(42), ["module_id": "m", "completed_at": "2026-11-20T08:00:00Z"],
                               item("x", "m", "2026-11-20"), "not an object", item("y", NSNull())]
            try await client.execute(uri: "/v1/completions", method: .post, headers: jsonHeaders(), body: body(["completions": list])) { r in
                #expect(r.status == .badRequest)
                #expect(r.isProblem)
                let errors = r.json["errors"] as! [[String: Any]]
                #expect(errors.map { $0["index"] as! Int } == [1, 2, 3, 4, 5, 6])
                #expect(errors.map { $0["field"] as! String } == ["completions[1].staff_id", "completions[2].staff_id", "completions[3].staff_id",
                                                                 "completions[4].completed_at", "completions[5]", "completions[6].module_id"])
                #expect((errors[1]["message"] as? String)?.contains("must be a string, not a number") == true)
                #expect((errors[2]["message"] as? String) == "required")
                #expect((r.json["detail"] as? String)?.hasPrefix("nothing was recorded: completions[1].staff_id") == true)
            }
        }
        #expect(try f.store.completions().isEmpty)
        #expect(f.log.replans == 0)
    }

    @Test func malformedBodiesAre400sNamingTheField() async throws {
        let f = try Fixture()
        try await f.live { client in
            let cases: [(String, String)] = [("{\"completions\": [", "not valid JSON"), ("[]", "JSON object"), ("{}", "'completions' is required"),
                                             ("{\"completions\": {}}", "'completions' must be an array"), ("", "empty")]
            for (text, expected) in cases {
                try await client.execute(uri: "/v1/completions", method: .post, headers: jsonHeaders(), body: ByteBuffer(string: text)) { r in
                    #expect(r.status == .badRequest, "\(text)")
                    #expect(r.isProblem)
                    #expect((r.json["detail"] as? String)?.contains(expected) == true, "\(text): \(r.json)")
                }
            }
            var plain = rw
            plain[.contentType] = "text/plain"
            try await client.execute(uri: "/v1/completions", method: .post, headers: plain, body: body(["completions": []])) { r in
                #expect(r.status == .unsupportedMediaType)
                #expect(r.isProblem)
            }
            // Without a Content-Type the body is taken as JSON.
            try await client.execute(uri: "/v1/completions", method: .post, headers: rw, body: body(["completions": []])) { r in
                #expect(r.status == .ok)
            }
        }
    }

    @Test func tenThousandAreAcceptedAndOneMoreIsNot() async throws {
        let f = try Fixture()
        try await f.live { client in
            let many = (0..<10_000).map { item("p\($0)") }
            try await client.execute(uri: "/v1/completions", method: .post, headers: jsonHeaders(), body: body(["completions": many])) { r in
                #expect(r.status == .ok)
                #expect(r.json["added"] as? Int == 10_000)
            }
            try await client.execute(uri: "/v1/completions", method: .post, headers: jsonHeaders(),
                                     body: body(["completions": many + [item("one-more")]])) { r in
                #expect(r.status == .badRequest)
                #expect((r.json["detail"] as? String)?.contains("at most 10000") == true)
            }
        }
        #expect(try f.store.completions().count == 10_000)
    }
}
