import Foundation
import Hummingbird
import HummingbirdTesting
import Testing
@testable import JitdCore
@testable import JitdServer
@testable import JitdStore

@Suite struct DeliveryAndInboxTests {
    /// Queues one `roster.accepted` event per name for `endpoint` and makes every attempt end as `outcome`.
    static func deliver(_ f: Fixture, _ names: [String], endpoint: String, status: Int, outcome: DeliveryResult.Outcome) throws {
        try f.store.enqueue(names.map { (WebhookEvent.rosterAccepted(file: $0, sha256: $0, shifts: 1, busy: 0, units: ["MICU"], replaced: 0, at: t0),
                                         [endpoint]) }, runAt: t0)
        for m in try f.store.claimDue(now: t0, limit: 100, leaseSeconds: 30, endpoint: endpoint) {
            try f.store.finish(m, DeliveryResult(outcome: outcome, status: status, error: status == 200 ? nil : "HTTP \(status)", durationMs: 42),
                               now: t0.adding(seconds: 1))
        }
    }

    @Test func listsDeadDeliveriesWithTheirAttempts() async throws {
        let f = try Fixture()
        try Self.deliver(f, ["a.csv", "b.csv", "c.csv"], endpoint: "paging", status: 410, outcome: .dead)
        try Self.deliver(f, ["d.csv"], endpoint: "lms", status: 410, outcome: .dead)
        try Self.deliver(f, ["e.csv"], endpoint: "lms", status: 200, outcome: .delivered)
        try await f.live { client in
            try await client.execute(uri: "/v1/deliveries/dead", method: .get, headers: ro) { r in
                #expect(r.status == .ok)
                let list = r.json["deliveries"] as! [[String: Any]]
                #expect(list.count == 4)
                #expect(list.map { $0["id"] as! Int } == [4, 3, 2, 1], "newest first")
                let d = list[0]
                #expect(d["endpoint"] as? String == "lms")
                #expect(d["state"] as? String == "dead")
                #expect(d["type"] as? String == "roster.accepted")
                #expect((d["webhook_id"] as? String)?.hasPrefix("msg_") == true)
                #expect(d["assignment_id"] is NSNull)
                #expect(d["last_error"] as? String == "HTTP 410")
                #expect(((d["event"] as? [String: Any])?["data"] as? [String: Any])?["file"] as? String == "d.csv")
                let attempts = d["attempts"] as! [[String: Any]]
                #expect(attempts.count == 1)
                #expect(attempts[0]["status"] as? Int == 410)
                #expect(attempts[0]["duration_ms"] as? Int == 42)
                #expect(attempts[0]["at"] as? String == "2026-11-24T12:00:01Z")
            }
            try await client.execute(uri: "/v1/deliveries/dead?endpoint=paging&limit=2", method: .get, headers: ro) { r in
                #expect((r.json["deliveries"] as! [[String: Any]]).map { $0["id"] as! Int } == [3, 2])
                #expect(r.json["next_cursor"] as? String == "2")
            }
            try await client.execute(uri: "/v1/deliveries/dead?endpoint=paging&limit=2&cursor=2", method: .get, headers: ro) { r in
                #expect((r.json["deliveries"] as! [[String: Any]]).map { $0["id"] as! Int } == [1])
                #expect(r.json["next_cursor"] is NSNull)
            }
            for q in ["cursor=x", "cursor=-1", "limit=0", "endpoint="] {
                try await client.execute(uri: "/v1/deliveries/dead?\(q)", method: .get, headers: ro) { r in
                    #expect(r.status == .badRequest, "\(q)")
                    #expect(r.isProblem)
                }
            }
        }
    }

    @Test func redeliversOneDeadMessage() async throws {
        let f = try Fixture()
        try Self.deliver(f, ["a.csv"], endpoint: "paging", status: 410, outcome: .dead)
        try Self.deliver(f, ["b.csv"], endpoint: "paging", status: 200, outcome: .delivered)
        try await f.live { client in
            try await client.execute(uri: "/v1/deliveries/1/redeliver", method: .post, headers: rw) { r in
                #expect(r.status == .ok)
                #expect(r.json["redelivered"] as? Bool == true)
                #expect((r.json["delivery"] as? [String: Any])?["state"] as? String == "pending")
                #expect((r.json["delivery"] as? [String: Any])?["run_at"] as? String == "2026-11-24T12:00:00Z")
            }
            try await client.execute(uri: "/v1/deliveries/1/redeliver", method: .post, headers: rw) { r in
                #expect(r.status == .ok, "asking again while it waits is not an error")
                #expect(r.json["redelivered"] as? Bool == false)
            }
            try await client.execute(uri: "/v1/deliveries/2/redeliver", method: .post, headers: rw) { r in
                #expect(r.status == .conflict)
                #expect((r.json["detail"] as? String)?.contains("delivered") == true)
            }
            for id in ["99", "abc", "-1", "99999999999999999999"] {
                try await client.execute(uri: "/v1/deliveries/\(id)/redeliver", method: .post, headers: rw) { r in
                    #expect(r.status == .notFound, "\(id)")
                    #expect(r.isProblem)
                }
            }
        }
        #expect(f.log.wakes == 1)
        #expect(try f.store.queueCounts()["pending"] == 1)
    }

    @Test func redeliversEveryDeadMessageOfAnEndpoint() async throws {
        let f = try Fixture()
        try Self.deliver(f, ["a.csv", "b.csv"], endpoint: "paging", status: 410, outcome: .dead)
        try Self.deliver(f, ["c.csv"], endpoint: "lms", status: 410, outcome: .dead)
        try await f.live { client in
            try await client.execute(uri: "/v1/deliveries/redeliver?endpoint=paging", method: .post, headers: rw) { r in
                #expect(r.status == .ok)
                #expect(r.json["endpoint"] as? String == "paging")
                #expect(r.json["redelivered"] as? Int == 2)
            }
            try await client.execute(uri: "/v1/deliveries/redeliver?endpoint=paging", method: .post, headers: rw) { r in
                #expect(r.json["redelivered"] as? Int == 0)
            }
            try await client.execute(uri: "/v1/deliveries/redeliver", method: .post, headers: rw) { r in
                #expect(r.status == .badRequest)
                #expect((r.json["detail"] as? String)?.contains("'endpoint'") == true)
            }
        }
        #expect(try f.store.messages(state: .dead).map(\.endpoint) == ["lms"])
        #expect(try f.store.queueCounts()["pending"] == 2)
    }

    @Test func listsTheIngestHistory() async throws {
        let f = try Fixture()
        let shift = Shift(staffID: "s", role: "RN", unit: "MICU", interval: Interval(start: t0, end: t0.adding(minutes: 720)))
        _ = try f.store.applyRoster(file: "monday.csv", sha256: "aa", entries: [shift], zones: { _ in .utc }, now: t0) { _ in [] }
        _ = try f.store.applyRoster(file: "monday-again.csv", sha256: "aa", entries: [shift], zones: { _ in .utc }, now: t0) { _ in [] }
        try f.store.recordRejected(file: "broken.csv", sha256: "bb", kind: .roster, errors: ["broken.csv:2: error: no 'unit'"], now: t0, events: [])
        _ = try f.store.applyCompletionsFile(file: "lms.csv", sha256: "cc", completions: [], now: t0.adding(seconds: 60))
        try await f.live { client in
            try await client.execute(uri: "/v1/inbox/files", method: .get, headers: ro) { r in
                #expect(r.status == .ok)
                let files = r.json["files"] as! [[String: Any]]
                #expect(files.map { $0["name"] as! String } == ["lms.csv", "broken.csv", "monday-again.csv", "monday.csv"])
                #expect(files.map { $0["outcome"] as! String } == ["accepted", "rejected", "duplicate", "accepted"])
                #expect(files[0]["kind"] as? String == "completions")
                #expect(files[0]["received_at"] as? String == "2026-11-24T12:01:00Z")
                #expect((files[1]["summary"] as? [String: Any])?["errors"] as? [String] == ["broken.csv:2: error: no 'unit'"])
                #expect((files[3]["summary"] as? [String: Any])?["shifts"] as? Int == 1)
                #expect(files[3]["sha256"] as? String == "aa")
            }
            try await client.execute(uri: "/v1/inbox/files?outcome=rejected", method: .get, headers: ro) { r in
                #expect((r.json["files"] as! [[String: Any]]).map { $0["name"] as! String } == ["broken.csv"])
            }
            try await client.execute(uri: "/v1/inbox/files?kind=completions", method: .get, headers: ro) { r in
                #expect((r.json["files"] as! [[String: Any]]).map { $0["name"] as! String } == ["lms.csv"])
            }
            var cursor = ""
            try await client.execute(uri: "/v1/inbox/files?limit=3", method: .get, headers: ro) { r in
                cursor = r.json["next_cursor"] as! String
            }
            try await client.execute(uri: "/v1/inbox/files?limit=3&cursor=\(cursor)", method: .get, headers: ro) { r in
                #expect((r.json["files"] as! [[String: Any]]).map { $0["name"] as! String } == ["monday.csv"])
            }
            for q in ["outcome=maybe", "kind=x", "limit=-3", "cursor=1.5"] {
                try await client.execute(uri: "/v1/inbox/files?\(q)", method: .get, headers: ro) { r in
                    #expect(r.status == .badRequest, "\(q)")
                    #expect(r.isProblem)
                }
            }
        }
    }
}
