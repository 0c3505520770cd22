import Foundation
import Testing

@Suite(.serialized) struct DaemonEndToEndTests {
    /// The walking skeleton: a roster file dropped into the inbox of the real daemon leads to a
    /// signed `assignment.scheduled` webhook that an independent implementation verifies; SIGTERM
    /// then stops the daemon cleanly with exit 0.
    @Test(.timeLimit(.minutes(4))) func rosterInSignedWebhookOutCleanExit() async throws {
        let h = try Harness()
        try h.write("secret", Harness.secret())
        try h.write("token", "test-token-0123456789abcdef\n")
        try h.write("catalog.toml", """
            [[module]]
            id = "sepsis-bundle-2026"
            title = "Sepsis hour-1 bundle update"
            minutes = 10
            roles = ["RN"]
            priority = "high"
            published = "2026-01-01"
            url = "https://lms.example.org/launch/sepsis"
            """)
        let (receiver, port) = try await h.startReceiver(secretFile: h.dir + "/secret", out: "received.jsonl")
        defer { receiver.terminate() }
        try h.write("jitd.toml", """
            [paths]
            state = "state"
            inbox = "inbox"
            catalog = "catalog.toml"
            [policy]
            slot_minutes = 1
            notify_lead_minutes = 1
            [[coverage]]
            unit = "MICU"
            role = "RN"
            min = 2
            [[webhook]]
            name = "receiver"
            url = "http://127.0.0.1:\(port)/hook"
            secret_file = "secret"
            events = ["*"]
            allow_networks = ["127.0.0.0/8"]
            [api]
            listen = "127.0.0.1:\(Harness.freePort())"
            token_file = "token"
            """)
        let daemon = try h.start([Harness.binary, "serve", "--config", h.dir + "/jitd.toml"], log: "jitd.log")
        defer { if daemon.isRunning { daemon.terminate() } }

        let now = Date()
        let start = Harness.utc(now.addingTimeInterval(-7200)), end = Harness.utc(now.addingTimeInterval(36_000))
        let roster = "staff_id,role,unit,start,end\n" + (0..<4).map { "rn\($0),RN,MICU,\(start),\(end)" }.joined(separator: "\n") + "\n"
        try roster.write(toFile: h.dir + "/inbox/.roster.csv.part", atomically: false, encoding: .utf8)
        try FileManager.default.moveItem(atPath: h.dir + "/inbox/.roster.csv.part", toPath: h.dir + "/inbox/roster.csv")

        let scheduled = try await h.waitFor(seconds: 150) {
            h.deliveries("received.jsonl").first { ($0["event"] as? [String: Any])?["type"] as? String == "assignment.scheduled" }
        }
        #expect(scheduled["verified"] as? Bool == true, "signature must verify with standardwebhooks")
        let event = scheduled["event"] as! [String: Any]
        let data = event["data"] as! [String: Any]
        #expect(data["module_id"] as? String == "sepsis-bundle-2026")
        #expect((data["module"] as? [String: Any])?["title"] as? String == "Sepsis hour-1 bundle update")
        #expect((data["staff_id"] as? String)?.hasPrefix("rn") == true)
        #expect(data["staff_name"] == nil)
        #expect((scheduled["webhook_id"] as? String)?.contains(".") == false)
        #expect((scheduled["signature"] as? String)?.hasPrefix("v1,") == true)
        #expect(h.deliveries("received.jsonl").contains { ($0["event"] as? [String: Any])?["type"] as? String == "roster.accepted" })
        #expect(FileManager.default.fileExists(atPath: h.dir + "/inbox/processed/roster.csv"))

        daemon.terminate() // SIGTERM
        let status = try await Harness.waitExit(daemon, seconds: 30)
        #expect(status == 0, "jitd log:\n\(h.read("jitd.log"))")
    }

    /// A bad roster is rejected whole, with a sidecar report, and the daemon keeps running.
    @Test(.timeLimit(.minutes(2))) func badRosterIsRejectedWithASidecar() async throws {
        let h = try Harness()
        try h.writeConfig()
        let daemon = try h.startDaemon()
        defer { if daemon.isRunning { daemon.terminate() } }
        try "staff_id,role,unit,start,end\n1,RN,MICU,2026-11-24T07:00Z,2026-11-24T19:00Z\n2,RN,MICU,tomorrow,2026-11-24T19:00Z\n"
            .write(toFile: h.dir + "/inbox/bad.csv", atomically: true, encoding: .utf8)
        let report = try await h.waitFor(seconds: 30) { () -> String? in
            let r = h.read("inbox/rejected/bad.csv.errors.txt")
            return r.isEmpty ? nil : r
        }
        #expect(report.hasPrefix("bad.csv:3:4: error: 'start': 'tomorrow' is not a date-time"))
        #expect(daemon.isRunning)
        daemon.terminate()
        #expect(try await Harness.waitExit(daemon, seconds: 30) == 0)
    }

    /// SIGTERM while the daemon is still starting (here: waiting for a just-written file to
    /// settle in its start-up scan) stops it gracefully once it has started: exit 0, not death
    /// by the signal.
    @Test(.timeLimit(.minutes(2))) func sigtermDuringStartUpExitsCleanly() async throws {
        let h = try Harness()
        try h.writeConfig()
        try "staff_id,role,unit,start,end\n1,RN,MICU,2026-11-24T07:00Z,2026-11-24T19:00Z\n"
            .write(toFile: h.dir + "/inbox/roster.csv", atomically: true, encoding: .utf8)
        let daemon = try h.startDaemon()
        defer { if daemon.isRunning { daemon.terminate() } }
        try await Task.sleep(for: .milliseconds(300))
        #expect(!h.read("jitd.log").contains("jitd ready"), "still starting when the signal comes")
        daemon.terminate()
        #expect(try await Harness.waitExit(daemon, seconds: 30) == 0, "jitd log:\n\(h.read("jitd.log"))")
        #expect(h.read("jitd.log").contains("jitd stopped"))
    }

    /// Two daemons on one state folder would hand each other's leased messages back to the queue
    /// and race for inbox files: the second stops at once, naming the first; the first runs on;
    /// once it has stopped (even by SIGKILL) the lock is free again.
    @Test(.timeLimit(.minutes(2))) func secondDaemonOnTheSameStateFolderStops() async throws {
        let h = try Harness()
        try h.writeConfig()
        let first = try h.startDaemon()
        defer { if first.isRunning { first.terminate() } }
        _ = try await h.waitFor(seconds: 30) { h.read("jitd.log").contains("jitd ready") ? true : nil }
        let second = try Harness.run([Harness.binary, "serve", "--config", h.dir + "/jitd.toml"])
        #expect(second.status == 1)
        #expect(second.err.contains("state/jitd.lock: error: another jitd serve is running on this state folder (pid \(first.processIdentifier))"),
                "stderr: \(second.err)")
        #expect(first.isRunning)
        kill(first.processIdentifier, SIGKILL)
        _ = try await Harness.waitExit(first, seconds: 10)
        let third = try h.startDaemon(log: "third.log")
        defer { if third.isRunning { third.terminate() } }
        _ = try await h.waitFor(seconds: 30) { h.read("third.log").contains("jitd ready") ? true : nil }
        third.terminate()
        #expect(try await Harness.waitExit(third, seconds: 30) == 0)
    }

    /// iCalendar rosters are read whole: past `[limits] max_whole_file_mib` one is refused with a
    /// report saying why and what to do, while JSON and CSV rosters of the same size (streamed)
    /// are applied.
    @Test(.timeLimit(.minutes(2))) func onlyFilesReadWholeAreBoundedByTheWholeFileLimit() async throws {
        let h = try Harness()
        try h.writeConfig(extra: "[limits]\nmax_whole_file_mib = 1")
        let daemon = try h.startDaemon()
        defer { if daemon.isRunning { daemon.terminate() } }
        _ = try await h.waitFor(seconds: 30) { h.read("jitd.log").contains("jitd ready") ? true : nil }
        let days = (0..<10_000).map { i in String(format: "2027-%02d-%02d", i / 500 % 12 + 1, i % 28 + 1) }
        let ics = "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//test//EN\r\n" + days.enumerated().map { i, d in
            let day = d.replacingOccurrences(of: "-", with: "")
            return "BEGIN:VEVENT\r\nUID:i\(i)@test\r\nDTSTAMP:20260101T000000Z\r\nDTSTART:\(day)T070000Z\r\n"
                + "DTEND:\(day)T190000Z\r\nSUMMARY:RN I\r\nATTENDEE;CN=i\(i):mailto:i\(i)@example.org\r\nEND:VEVENT\r\n"
        }.joined() + "END:VCALENDAR\r\n"
        #expect(ics.utf8.count > 1 << 20)
        try ics.write(toFile: h.dir + "/inbox/big.ics", atomically: true, encoding: .utf8)
        let report = try await h.waitFor(seconds: 30) { () -> String? in
            let r = h.read("inbox/rejected/big.ics.errors.txt")
            return r.isEmpty ? nil : r
        }
        #expect(report.hasPrefix("big.ics: error: the file is \(ics.utf8.count) bytes; iCalendar rosters are read whole, so they may be at most 1048576 bytes ([limits] max_whole_file_mib)"), "\(report)")

        let json = "{\"shifts\": [" + days.enumerated().map { i, d in
            #"{"staff_id": "j\#(i)", "role": "RN", "unit": "J", "start": "\#(d)T07:00", "end": "\#(d)T19:00", "kind": "shift"}"#
        }.joined(separator: ",\n") + "]}"
        #expect(json.utf8.count > 1 << 20)
        try json.write(toFile: h.dir + "/inbox/big.json", atomically: true, encoding: .utf8)
        let csv = "staff_id,role,unit,start,end\n" + days.enumerated().map { i, d in "c\(i),RN,C,\(d)T07:00,\(d)T19:00" }.joined(separator: "\n") + "\n"
        try (csv + String(repeating: "\n", count: (1 << 20) - csv.utf8.count + 10))
            .write(toFile: h.dir + "/inbox/big.csv", atomically: true, encoding: .utf8)
        for name in ["big.json", "big.csv"] {
            let applied = try await h.waitFor(seconds: 30) { () -> String? in
                h.read("jitd.log").split(separator: "\n").first { $0.contains("applied roster \(name): ") }.map(String.init)
            }
            #expect(applied.contains(": 10000 shifts, 0 busy blocks, 0 replaced"), "\(applied)")
            #expect(FileManager.default.fileExists(atPath: h.dir + "/inbox/processed/" + name))
        }
        #expect(daemon.isRunning)
        daemon.terminate()
        #expect(try await Harness.waitExit(daemon, seconds: 30) == 0)
    }

    /// A completions CSV from the LMS is streamed like a roster (so the whole-file limit does
    /// not apply), applied once, a copy of the same bytes changes nothing, and a bad one is
    /// rejected with its lines.
    @Test(.timeLimit(.minutes(2))) func completionsAreStreamedAppliedOnceAndRejectedWithTheirLines() async throws {
        let h = try Harness()
        try h.writeConfig(extra: "[limits]\nmax_whole_file_mib = 1")
        let daemon = try h.startDaemon()
        defer { if daemon.isRunning { daemon.terminate() } }
        _ = try await h.waitFor(seconds: 30) { h.read("jitd.log").contains("jitd ready") ? true : nil }
        let rows = (0..<40_000).map { i in "staff-\(i),module-\(i % 7),2025-\(String(format: "%02d-%02d", i % 12 + 1, i % 28 + 1))T08:00Z" }
        let csv = "staff_id,module_id,completed_at\n" + rows.joined(separator: "\n") + "\n"
        #expect(csv.utf8.count > 1 << 20)
        try csv.write(toFile: h.dir + "/inbox/lms.csv", atomically: true, encoding: .utf8)
        let applied = try await h.waitFor(seconds: 60) { () -> String? in
            h.read("jitd.log").split(separator: "\n").first { $0.contains("applied completions lms.csv") }.map(String.init)
        }
        #expect(applied.contains("lms.csv: 40000 rows, 40000 new"), "\(applied)")
        try csv.write(toFile: h.dir + "/inbox/lms-again.csv", atomically: true, encoding: .utf8)
        _ = try await h.waitFor(seconds: 30) {
            h.read("jitd.log").contains("lms-again.csv has the same bytes as a completions file applied before") ? true : nil
        }
        try "staff_id,module_id,completed_at\nnew-1,m,2026-11-01\nnew-2,m,2026-11-31\nnew-3,,2026-11-01\n"
            .write(toFile: h.dir + "/inbox/lms-bad.csv", atomically: true, encoding: .utf8)
        let report = try await h.waitFor(seconds: 30) { () -> String? in
            let r = h.read("inbox/rejected/lms-bad.csv.errors.txt")
            return r.isEmpty ? nil : r
        }
        #expect(report == """
            lms-bad.csv:3:3: error: 'completed_at': '2026-11-31' is not a date; write e.g. 2026-11-24, or a date-time such as 2026-11-24T07:00
            lms-bad.csv:4: error: staff_id, module_id and completed_at must all be filled in

            """, "\(report)")
        let stored = try Harness.run(["/usr/bin/sqlite3", h.dir + "/state/jitd.sqlite",
                                      "SELECT count(*), sum(staff_id LIKE 'new-%') FROM completion"]).out
        #expect(stored.trimmingCharacters(in: .whitespacesAndNewlines) == "40000|0", "nothing of the rejected file: \(stored)")
        #expect(FileManager.default.fileExists(atPath: h.dir + "/inbox/processed/lms-again.csv"))
        daemon.terminate()
        #expect(try await Harness.waitExit(daemon, seconds: 30) == 0)
    }
}
