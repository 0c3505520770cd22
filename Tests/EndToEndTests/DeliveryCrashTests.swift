import Foundation
import Testing

/// The durable queue survives SIGKILL: 10,000 due messages, the daemon killed mid-burst and
/// started again; the receiver (verifying every signature with the independent
/// `standardwebhooks` package, during a secret rotation) gets every message, and a message
/// arrives twice only if it was in flight (leased) at the kill.
@Suite(.serialized) struct DeliveryCrashTests {
    static let total = 10_000

    @Test(.timeLimit(.minutes(5))) func everyMessageArrivesAfterAKillMidBurst() async throws {
        let h = try Harness()
        try h.write("old-secret", Harness.secret())
        try h.write("new-secret", Harness.secret())
        let (receiver, port) = try await h.startReceiver(secretFile: h.dir + "/new-secret", out: "received.jsonl")
        defer { receiver.terminate() }
        try h.writeConfig(extra: """
            [[webhook]]
            name = "receiver"
            url = "http://127.0.0.1:\(port)/hook"
            secret_file = ["old-secret", "new-secret"]
            events = ["*"]
            allow_networks = ["127.0.0.0/8"]
            concurrency = 16
            """)
        var daemon = try startDaemon(h, log: "jitd-1.log")
        let db = h.dir + "/state/jitd.sqlite"
        _ = try await h.waitFor(seconds: 60) { try? sql(db, "SELECT count(*) FROM endpoint_state").isEmpty == false ? true : nil }
        try insertDueMessages(db, count: Self.total)

        _ = try await h.waitFor(seconds: 120) { h.deliveries("received.jsonl").count >= 1_500 ? true : nil }
        kill(daemon.processIdentifier, SIGKILL)
        daemon.waitUntilExit()
        let inFlight = Set(try sql(db, "SELECT event_id FROM outbox WHERE state = 'leased'").split(separator: "\n").map(String.init))
        let deliveredBefore = Int(try sql(db, "SELECT count(*) FROM outbox WHERE state = 'delivered'").trimmingCharacters(in: .whitespacesAndNewlines)) ?? 0
        #expect(deliveredBefore < Self.total, "the kill came mid-burst")

        daemon = try startDaemon(h, log: "jitd-2.log")
        defer { if daemon.isRunning { daemon.terminate() } }
        _ = try await h.waitFor(seconds: 180) {
            Set(h.deliveries("received.jsonl").compactMap { $0["webhook_id"] as? String }).count >= Self.total ? true : nil
        }
        let got = h.deliveries("received.jsonl")
        let ids = got.compactMap { $0["webhook_id"] as? String }
        #expect(got.allSatisfy { $0["verified"] as? Bool == true }, "every signature verifies with the new secret")
        #expect(Set(ids) == Set((0..<Self.total).map { "msg_crash_\($0)" }), "none lost")
        var seen: [String: Int] = [:]
        for id in ids { seen[id, default: 0] += 1 }
        let twice = Set(seen.filter { $0.value > 1 }.keys)
        #expect(twice.isSubset(of: inFlight), "only messages in flight at the kill came twice: \(twice.subtracting(inFlight).prefix(5))")
        #expect(seen.values.allSatisfy { $0 <= 2 })
        _ = try await h.waitFor(seconds: 30) {
            (try? sql(db, "SELECT count(*) FROM outbox WHERE state = 'delivered'"))?.trimmingCharacters(in: .whitespacesAndNewlines)
                == String(Self.total) ? true : nil
        }
        print("crash test: \(deliveredBefore) delivered before the kill, \(inFlight.count) in flight, \(twice.count) arrived twice")
        daemon.terminate()
        #expect(try await Harness.waitExit(daemon, seconds: 30) == 0)
    }

    private func startDaemon(_ h: Harness, log: String) throws -> Process {
        try h.start(["/usr/bin/env", "JITD_LOG_LEVEL=notice", Harness.binary, "serve", "--config", h.dir + "/jitd.toml"], log: log)
    }

    /// Queues messages the way another writer on the live database would: one transaction.
    private func insertDueMessages(_ db: String, count: Int) throws {
        let script = """
            import sqlite3, sys, time, json
            db = sqlite3.connect(sys.argv[1], timeout=30)
            now = int(time.time())
            rows = [(f"msg_crash_{i}", "receiver", "roster.accepted",
                     json.dumps({"type": "roster.accepted", "timestamp": "2026-11-26T00:00:00Z", "data": {"n": i}}).encode(),
                     now, now, now) for i in range(int(sys.argv[2]))]
            db.executemany("INSERT INTO outbox (event_id, endpoint, type, body, run_at, state, created_at, updated_at) "
                           "VALUES (?, ?, ?, ?, ?, 'pending', ?, ?)", rows)
            db.commit()
            """
        let r = try Harness.run(["/usr/bin/env", "python3", "-c", script, db, String(count)])
        #expect(r.status == 0, "\(r.err)")
    }
}

/// Runs SQL on a database with the `sqlite3` shell; returns its output.
func sql(_ db: String, _ query: String) throws -> String {
    let r = try Harness.run(["/usr/bin/env", "sqlite3", "-cmd", ".timeout 10000", db, query])
    guard r.status == 0 else { throw HarnessError.timeout("sqlite3: \(r.err)") }
    return r.out
}
