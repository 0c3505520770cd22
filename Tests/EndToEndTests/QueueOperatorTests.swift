import Foundation
import Testing

/// The operator's queue commands against the live database of a running daemon: a receiver
/// answers 410 Gone, the endpoint is disabled (and `jitd queue endpoints` says so), the receiver
/// comes back, `jitd queue enable` resumes delivery, and `jitd queue show` lists both attempts.
@Suite(.serialized) struct QueueOperatorTests {
    @Test(.timeLimit(.minutes(3))) func goneDisablesAndEnableResumesWhileTheDaemonRuns() async throws {
        let h = try Harness()
        try h.write("secret", Harness.secret())
        let port = Harness.freePort()
        var receiver = try await startReceiver(h, port: port, status: 410)
        defer { receiver.terminate() }
        try h.writeConfig(extra: """
            [[webhook]]
            name = "lms"
            url = "http://127.0.0.1:\(port)/hook"
            secret_file = "secret"
            events = ["roster.*"]
            allow_networks = ["127.0.0.0/8"]
            """)
        let daemon = try h.startDaemon()
        defer { if daemon.isRunning { daemon.terminate() } }
        let config = h.dir + "/jitd.toml"
        try "staff_id,role,unit,start,end\nrn1,RN,MICU,2026-11-24T07:00Z,2026-11-24T19:00Z\n"
            .write(toFile: h.dir + "/inbox/roster.csv", atomically: true, encoding: .utf8)

        let disabled = try await h.waitFor(seconds: 60) { () -> String? in
            let out = (try? Harness.run([Harness.binary, "queue", "endpoints", "--config", config]))?.out ?? ""
            return out.contains("lms  disabled since") ? out : nil
        }
        #expect(disabled.contains("410 Gone") && disabled.contains("pending 1"), "\(disabled)")
        #expect(h.deliveries("received.jsonl").count == 1, "nothing more after the 410")
        let status = try Harness.run([Harness.binary, "status", "--config", config]).out
        #expect(status.contains("endpoint lms disabled since"), "\(status)")

        receiver.terminate()
        receiver.waitUntilExit()
        receiver = try await startReceiver(h, port: port, status: 200)
        let enabled = try Harness.run([Harness.binary, "queue", "enable", "lms", "--config", config])
        #expect(enabled.status == 0 && enabled.out.contains("lms enabled"), "\(enabled)")
        let delivered = try await h.waitFor(seconds: 30) { () -> [String: Any]? in
            h.deliveries("received.jsonl").dropFirst().first { ($0["event"] as? [String: Any])?["type"] as? String == "roster.accepted" }
        }
        #expect(delivered["verified"] as? Bool == true)
        #expect(delivered["webhook_id"] as? String == h.deliveries("received.jsonl").first?["webhook_id"] as? String,
                "the same message, same webhook-id")

        let shown = try await h.waitFor(seconds: 30) { () -> String? in
            let out = (try? Harness.run([Harness.binary, "queue", "show", "1", "--config", config]))?.out ?? ""
            return out.contains("state delivered") ? out : nil
        }
        #expect(shown.contains("attempt 1") && shown.contains("HTTP 410") && shown.contains("attempt 2") && shown.contains("HTTP 200"), "\(shown)")
        let endpoints = try Harness.run([Harness.binary, "queue", "endpoints", "--config", config]).out
        #expect(endpoints.contains("lms  enabled"), "\(endpoints)")
        daemon.terminate()
        #expect(try await Harness.waitExit(daemon, seconds: 30) == 0)
    }

    /// The receiver on a fixed port (the endpoint's URL names it), back once it listens.
    private func startReceiver(_ h: Harness, port: Int, status: Int) async throws -> Process {
        try await h.startReceiver(secretFile: h.dir + "/secret", out: "received.jsonl", status: status, port: port,
                                  log: "receiver-\(status).log").0
    }
}
