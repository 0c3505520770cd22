import Foundation
import Testing

/// A queued `assignment.scheduled` is a commitment: 1,000 people are planned for sessions a few
/// minutes away, the receiver answers 503 for the first two minutes, and the daemon is killed
/// (SIGKILL) once in that outage and started again. Every person must still hear of their
/// session before it starts, or, where that became impossible, the assignment must expire and
/// free the need. None may vanish from the store (what re-plans did before: a due message not
/// yet delivered was deleted with its assignment when the next plan no longer wanted it).
@Suite(.serialized) struct DueMessageCommitmentTests {
    static let staff = 1_000

    @Test(.timeLimit(.minutes(10))) func everyDueMessageArrivesBeforeItsSessionThroughAnOutageAndAKill() async throws {
        let h = try Harness()
        try h.write("secret", Harness.secret())
        try h.write("modules.toml", """
            [[module]]
            id = "hand-hygiene"
            title = "Hand hygiene refresher"
            minutes = 5
            roles = ["RN"]
            published = "2026-01-01"
            """)
        let (receiver, port) = try await h.startReceiver(secretFile: h.dir + "/secret", out: "received.jsonl",
                                                         extra: ["--fail-seconds", "120", "--fail-status", "503"])
        defer { receiver.terminate() }
        try h.writeConfig(catalog: "modules.toml", extra: """
            [policy]
            slot_minutes = 1
            notify_lead_minutes = 8
            replan_interval_minutes = 1
            [[webhook]]
            name = "paging"
            url = "http://127.0.0.1:\(port)/hook"
            secret_file = "secret"
            events = ["assignment.*"]
            allow_networks = ["127.0.0.0/8"]
            concurrency = 16
            """)
        let now = Date()
        let from = Harness.utc(now.addingTimeInterval(-3600)), to = Harness.utc(now.addingTimeInterval(8 * 3600))
        let roster = "staff_id,role,unit,start,end\n"
            + (0..<Self.staff).map { "rn\($0),RN,MICU,\(from),\(to)" }.joined(separator: "\n") + "\n"
        try roster.write(toFile: h.dir + "/inbox/roster.csv", atomically: true, encoding: .utf8)
        var daemon = try startDaemon(h, log: "jitd-1.log")
        defer { if daemon.isRunning { daemon.terminate() } }
        let db = h.dir + "/state/jitd.sqlite"

        // The first plan: one session for each person, all at the first slot past the lead.
        let planned: [String: Int64] = try await h.waitFor(seconds: 120) {
            let rows = (try? sql(db, "SELECT id, start FROM assignment"))?.split(separator: "\n") ?? []
            guard rows.count == Self.staff else { return nil }
            return Dictionary(uniqueKeysWithValues: rows.map { r in
                let p = r.split(separator: "|")
                return (String(p[0]), Int64(p[1])!)
            })
        }
        // Kill it in the middle of the outage, once messages came due and were refused.
        _ = try await h.waitFor(seconds: 120) { h.deliveries("received.jsonl").contains { $0["status"] as? Int == 503 } ? true : nil }
        try await Task.sleep(for: .seconds(20))
        kill(daemon.processIdentifier, SIGKILL)
        daemon.waitUntilExit()
        try await Task.sleep(for: .seconds(1))
        daemon = try startDaemon(h, log: "jitd-2.log")

        // Everyone hears of their session (a 2xx answer) before it starts.
        func accepted() -> [String: Double] {
            var first: [String: Double] = [:]
            for d in h.deliveries("received.jsonl") where (d["status"] as? Int).map({ (200..<300).contains($0) }) == true {
                guard let event = d["event"] as? [String: Any], event["type"] as? String == "assignment.scheduled",
                      let id = (event["data"] as? [String: Any])?["id"] as? String, let at = d["received_at"] as? Double else { continue }
                first[id] = min(first[id] ?? at, at)
            }
            return first
        }
        let latestStart = planned.values.max()!
        let arrived = try await h.waitFor(seconds: Double(latestStart) - Date().timeIntervalSince1970 + 30) {
            let a = accepted()
            return a.count >= Self.staff ? a : nil
        }
        let states = Dictionary(uniqueKeysWithValues: try sql(db, "SELECT id, state FROM assignment").split(separator: "\n").map { r in
            let p = r.split(separator: "|")
            return (String(p[0]), String(p[1]))
        })
        var late = 0, missing: [String] = []
        for (id, start) in planned {
            guard let state = states[id] else { missing.append(id); continue }
            if let at = arrived[id] {
                if at >= Double(start) { late += 1 }
                #expect(state == "notified", "\(id) arrived but is \(state)")
            } else {
                // Not told in time: then it must have expired and its need been placed again.
                #expect(state == "expired", "\(id) was neither delivered nor expired: \(state)")
            }
        }
        #expect(missing.isEmpty, "\(missing.count) assignments vanished from the store, e.g. \(missing.prefix(3))")
        #expect(late == 0, "\(late) messages arrived after their session had started")
        #expect(arrived.count == Self.staff, "every person was told")
        #expect(h.deliveries("received.jsonl").allSatisfy { $0["verified"] as? Bool == true })
        let refused = h.deliveries("received.jsonl").filter { $0["status"] as? Int == 503 }.count
        print("due-message test: \(planned.count) planned, \(refused) attempts refused with 503, \(arrived.count) told before their start")
        daemon.terminate()
        #expect(try await Harness.waitExit(daemon, seconds: 30) == 0)
    }

    private func startDaemon(_ h: Harness, log: String) throws -> Process {
        try h.start(["/usr/bin/env", "JITD_LOG_LEVEL=info", Harness.binary, "serve", "--config", h.dir + "/jitd.toml"], log: log)
    }
}
