import Foundation
import Testing

/// What a hostile or unlucky user tries against the real daemon: paths spelled to slip past the
/// token, megabyte fields, loose secret files, a roster reverted by dropping it again, a token
/// changed under a running daemon, odd things dropped into the inbox, a full disk.
@Suite struct HardeningTests {
    static let token = "hardening-token-0123456789"

    /// Starts a daemon with a receiver for every event, a token, and `extra` config lines.
    static func daemon(_ h: Harness, extra: String = "", tokenMode: Int = 0o640) async throws -> (Process, Process, Int) {
        try h.write("secret", Harness.secret())
        chmod(h.dir + "/secret", 0o640)
        try h.write("token", token + "\n")
        chmod(h.dir + "/token", mode_t(tokenMode))
        let (receiver, port) = try await h.startReceiver(secretFile: h.dir + "/secret", out: "received.jsonl")
        let api = try h.writeConfig(extra: """
            \(extra)
            [[webhook]]
            name = "ops"
            url = "http://127.0.0.1:\(port)/hook"
            secret_file = "secret"
            events = ["*"]
            allow_networks = ["127.0.0.0/8"]
            """, apiLines: "token_file = \"token\"")
        let daemon = try h.start(["/usr/bin/env", "JITD_LOG_FORMAT=text", Harness.binary, "serve", "--config", h.dir + "/jitd.toml"],
                                 log: "jitd.log")
        _ = try await h.waitFor(seconds: 60) { h.read("jitd.log").contains("jitd ready") ? true : nil }
        return (daemon, receiver, api)
    }

    static func curl(_ args: [String]) throws -> String {
        try Harness.run(["/usr/bin/env", "curl", "-s", "-o", "/dev/null", "-w", "%{http_code}"] + args).out
    }

    /// `curl --path-as-is` sends `//v1/…` as it is: the real binary answers 401, as for `/v1/…`.
    @Test(.timeLimit(.minutes(2))) func doubledSlashesDoNotSkipTheToken() async throws {
        let h = try Harness()
        let (daemon, receiver, api) = try await Self.daemon(h)
        defer { daemon.terminate(); receiver.terminate() }
        for path in ["/v1/deliveries/dead", "//v1/deliveries/dead", "///v1/deliveries/dead", "/./v1/deliveries/dead", "/V1/deliveries/dead"] {
            #expect(try Self.curl(["--path-as-is", "http://127.0.0.1:\(api)\(path)"]) == "401", "\(path)")
        }
        for path in ["//v1/completions", "//v1/deliveries/redeliver", "//v1/assignments/x/acknowledge"] {
            #expect(try Self.curl(["--path-as-is", "-X", "POST", "-H", "Content-Type: application/json", "-d", "{}",
                                   "http://127.0.0.1:\(api)\(path)"]) == "401", "\(path)")
        }
        #expect(try Self.curl(["--path-as-is", "-H", "Authorization: Bearer \(Self.token)", "http://127.0.0.1:\(api)//v1/deliveries/dead"]) == "200")
    }

    /// A 600 KB value is quoted by its first 120 characters and its size in the report, the log,
    /// the inbox history and the `roster.rejected` webhook; a row over 1 MiB stops the read.
    @Test(.timeLimit(.minutes(3))) func badValuesAreQuotedBrieflyEverywhere() async throws {
        let h = try Harness()
        let (daemon, receiver, _) = try await Self.daemon(h)
        defer { daemon.terminate(); receiver.terminate() }
        let huge = String(repeating: "9", count: 600_000)
        try "staff_id,role,unit,start,end\nrn1,RN,MICU,\(huge),2026-11-24T19:00Z\n"
            .write(toFile: h.dir + "/inbox/big-value.csv", atomically: true, encoding: .utf8)
        let report = try await h.waitFor(seconds: 60) { () -> String? in
            let r = h.read("inbox/rejected/big-value.csv.errors.txt")
            return r.isEmpty ? nil : r
        }
        #expect(report.utf8.count < 1_000, "the report quotes briefly: \(report.utf8.count) bytes")
        #expect(report.contains("'" + String(repeating: "9", count: 120) + "…' (600000 bytes)"), "\(report)")
        // A row over 1 MiB stops the read at its line.
        let longer = String(repeating: "x", count: 3 << 20)
        try "staff_id,role,unit,start,end\nrn1,RN,MICU,2026-11-24T07:00Z,2026-11-24T19:00Z\nrn2,RN,\(longer),2026-11-24T07:00Z,2026-11-24T19:00Z\n"
            .write(toFile: h.dir + "/inbox/long-row.csv", atomically: true, encoding: .utf8)
        let second = try await h.waitFor(seconds: 60) { () -> String? in
            let r = h.read("inbox/rejected/long-row.csv.errors.txt")
            return r.isEmpty ? nil : r
        }
        #expect(second.hasPrefix("long-row.csv:3: error: this row is longer than 1 MiB"), "\(second)")
        // The webhooks, the log and the history hold no long value either.
        let rejected = try await h.waitFor(seconds: 60) { () -> [[String: Any]]? in
            let r = h.deliveries("received.jsonl").filter { ($0["event"] as? [String: Any])?["type"] as? String == "roster.rejected" }
            return r.count >= 2 ? r : nil
        }
        for r in rejected {
            let body = try JSONSerialization.data(withJSONObject: r["event"]!)
            #expect(body.count < 2_000, "a roster.rejected body of \(body.count) bytes")
        }
        let longestLogLine = h.read("jitd.log").split(separator: "\n").map(\.utf8.count).max() ?? 0
        #expect(longestLogLine < 2_000, "the longest log line has \(longestLogLine) bytes")
        let summaries = try sql(h.dir + "/state/jitd.sqlite", "SELECT max(length(summary)) FROM inbox_file")
        #expect((Int(summaries.trimmingCharacters(in: .whitespacesAndNewlines)) ?? .max) < 2_000, "\(summaries)")
    }

    /// A token or secret file others may write is refused at start-up, naming the file and the
    /// fix; one others may read is taken with a warning; a config everyone may write is refused.
    @Test(.timeLimit(.minutes(2))) func secretFilesOthersMayWriteAreRefused() async throws {
        let h = try Harness()
        try h.write("token", Self.token + "\n")
        try h.writeConfig(apiLines: "token_file = \"token\"")
        chmod(h.dir + "/token", 0o664)
        var r = try Harness.run([Harness.binary, "serve", "--config", h.dir + "/jitd.toml"])
        #expect(r.status == 1)
        #expect(r.err.contains("the API token file \(h.dir)/token may be written by its group (mode 0664)"), "\(r.err)")
        #expect(r.err.contains("chmod go-w"))
        #expect(!r.err.contains(Self.token), "the secret is never printed")
        chmod(h.dir + "/token", 0o602)
        r = try Harness.run([Harness.binary, "serve", "--config", h.dir + "/jitd.toml"])
        #expect(r.status == 1)
        #expect(r.err.contains("may be written by every user (mode 0602)"), "\(r.err)")

        chmod(h.dir + "/jitd.toml", 0o666)
        r = try Harness.run([Harness.binary, "serve", "--config", h.dir + "/jitd.toml"])
        #expect(r.status == 1)
        #expect(r.err.contains("every user of this machine may write this file (mode 0666)"), "\(r.err)")
        chmod(h.dir + "/jitd.toml", 0o644)

        // Readable by others: it starts, and says so.
        chmod(h.dir + "/token", 0o644)
        let daemon = try h.startDaemon()
        defer { daemon.terminate() }
        _ = try await h.waitFor(seconds: 60) { h.read("jitd.log").contains("jitd ready") ? true : nil }
        #expect(h.read("jitd.log").contains("the API token file \(h.dir)/token may be read by every user of this machine (mode 0644)"))
        #expect(!h.read("jitd.log").contains(Self.token))
    }

    /// Roster A, then a corrected B for the same unit-day, then A again to undo the correction:
    /// A is in force again. A fourth drop of A changes nothing.
    @Test(.timeLimit(.minutes(2))) func aRevertedRosterIsAppliedAgain() async throws {
        let h = try Harness()
        let (daemon, receiver, _) = try await Self.daemon(h)
        defer { daemon.terminate(); receiver.terminate() }
        let a = "staff_id,role,unit,start,end\nrn-a,RN,MICU,2026-11-24T07:00Z,2026-11-24T19:00Z\n"
        let b = "staff_id,role,unit,start,end\nrn-b,RN,MICU,2026-11-24T07:00Z,2026-11-24T19:00Z\n"
        let db = h.dir + "/state/jitd.sqlite"
        func onShift() throws -> String { try sql(db, "SELECT group_concat(staff_id) FROM shift").trimmingCharacters(in: .whitespacesAndNewlines) }
        for (i, (name, text, expected)) in [("a.csv", a, "rn-a"), ("b.csv", b, "rn-b"), ("a-again.csv", a, "rn-a")].enumerated() {
            try text.write(toFile: h.dir + "/inbox/" + name, atomically: true, encoding: .utf8)
            _ = try await h.waitFor(seconds: 30) { h.read("jitd.log").contains("applied roster \(name)") ? true : nil }
            #expect(try onShift() == expected, "after drop \(i + 1) (\(name))")
        }
        try a.write(toFile: h.dir + "/inbox/a-third.csv", atomically: true, encoding: .utf8)
        _ = try await h.waitFor(seconds: 30) {
            h.read("jitd.log").contains("a-third.csv has the same bytes as the roster in force on its days; nothing changed") ? true : nil
        }
        #expect(try onShift() == "rn-a")
    }

    /// A new token written to the token file is in force after `SIGHUP`; the old one no longer opens /v1.
    @Test(.timeLimit(.minutes(2))) func aChangedTokenFileIsTakenOnReload() async throws {
        let h = try Harness()
        let (daemon, receiver, api) = try await Self.daemon(h)
        defer { daemon.terminate(); receiver.terminate() }
        let url = "http://127.0.0.1:\(api)/v1/deliveries/dead"
        #expect(try Self.curl(["-H", "Authorization: Bearer \(Self.token)", url]) == "200")
        let next = "rotated-token-9876543210"
        try h.write("token", next + "\n")
        chmod(h.dir + "/token", 0o640)
        kill(daemon.processIdentifier, SIGHUP)
        _ = try await h.waitFor(seconds: 30) { h.read("jitd.log").contains("API tokens changed") ? true : nil }
        #expect(try Self.curl(["-H", "Authorization: Bearer \(Self.token)", url]) == "401")
        #expect(try Self.curl(["-H", "Authorization: Bearer \(next)", url]) == "200")
    }

    /// A folder, a report file and a hard link dropped into the inbox are refused with a report,
    /// not ignored; a file name with control characters is logged escaped; completions dated
    /// more than a day ahead are refused.
    @Test(.timeLimit(.minutes(2))) func oddThingsInTheInboxAreReported() async throws {
        let h = try Harness()
        let (daemon, receiver, _) = try await Self.daemon(h)
        defer { daemon.terminate(); receiver.terminate() }
        let inbox = h.dir + "/inbox/"
        try FileManager.default.createDirectory(atPath: inbox + "folder", withIntermediateDirectories: true)
        try "x\n".write(toFile: inbox + "folder/roster.csv", atomically: true, encoding: .utf8)
        try "old report\n".write(toFile: inbox + "old.csv.errors.txt", atomically: true, encoding: .utf8)
        try "staff_id,role,unit,start,end\n".write(toFile: h.dir + "/elsewhere.csv", atomically: true, encoding: .utf8)
        #expect(link(h.dir + "/elsewhere.csv", inbox + "linked.csv") == 0)
        let evil = "evil\u{1B}[31mred\rname.csv"
        try "staff_id,role,unit,start,end\nrn1,RN,MICU,bad,2026-11-24T19:00Z\n".write(toFile: inbox + evil, atomically: true, encoding: .utf8)
        let future = Harness.utc(Date().addingTimeInterval(3 * 86_400))
        try "staff_id,module_id,completed_at\nrn1,m,\(future)\n".write(toFile: inbox + "future.csv", atomically: true, encoding: .utf8)
        for (name, says) in [("folder", "folders are not read"), ("old.csv.errors.txt", "this is a report of jitd's"),
                             ("linked.csv", "hard links are refused (the file has 2 names)"),
                             ("future.csv", "is more than a day in the future")] {
            let report = try await h.waitFor(seconds: 30) { () -> String? in
                let r = h.read("inbox/rejected/\(name).errors.txt")
                return r.isEmpty ? nil : r
            }
            #expect(report.contains(says), "\(name): \(report)")
        }
        #expect(FileManager.default.fileExists(atPath: h.dir + "/inbox/rejected/folder/roster.csv"))
        // Each rejection is recorded as the kind of file it was (a completions file used to be a "roster").
        let kinds = try sql(h.dir + "/state/jitd.sqlite", "SELECT name || '=' || kind FROM inbox_file WHERE name IN ('future.csv', 'folder') ORDER BY name")
        #expect(kinds.split(separator: "\n") == ["folder=unknown", "future.csv=completions"], "\(kinds)")
        _ = try await h.waitFor(seconds: 30) { FileManager.default.fileExists(atPath: h.dir + "/inbox/rejected/" + evil) ? true : nil }
        let log = h.read("jitd.log")
        #expect(!log.contains("\u{1B}"), "no escape sequence reaches the text log")
        #expect(log.contains("evil\\u{1B}[31mred ⏎ name.csv"), "the name is logged escaped")
    }

    /// Whether this machine lets the test mount a small tmpfs (root, outside a locked-down container).
    static let canMount: Bool = {
        let dir = NSTemporaryDirectory() + "jitd-mount-probe-" + UUID().uuidString
        try? FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        guard (try? Harness.run(["/usr/bin/env", "mount", "-t", "tmpfs", "-o", "size=1m", "tmpfs", dir]))?.status == 0 else { return false }
        _ = try? Harness.run(["/usr/bin/env", "umount", dir])
        return true
    }()

    /// The state folder on a 4 MiB tmpfs that fills up: a roster cannot be stored, `/readyz`
    /// says so (503), the failure is logged once (not every second) while it lasts, and once
    /// there is room again the roster is applied and `/readyz` is 200.
    @Test(.enabled(if: canMount, "needs root and mount(8) to put the state folder on a small tmpfs"), .timeLimit(.minutes(3)))
    func aFullDiskFailsReadinessAndIsLoggedOnce() async throws {
        let h = try Harness()
        let state = h.dir + "/state"
        try FileManager.default.createDirectory(atPath: state, withIntermediateDirectories: true)
        #expect(try Harness.run(["/usr/bin/env", "mount", "-t", "tmpfs", "-o", "size=4m", "tmpfs", state]).status == 0)
        defer { _ = try? Harness.run(["/usr/bin/env", "umount", "-l", state]) }
        let (daemon, receiver, api) = try await Self.daemon(h, extra: "[policy]\nreplan_interval_minutes = 1")
        defer { daemon.terminate(); receiver.terminate() }
        #expect(try Self.curl(["http://127.0.0.1:\(api)/readyz"]) == "200")
        // Fill the disk.
        _ = try Harness.run(["/usr/bin/env", "dd", "if=/dev/zero", "of=\(state)/filler", "bs=64k"])
        let rows = (0..<20_000).map { "rn\($0),RN,MICU,2026-11-24T07:00Z,2026-11-24T19:00Z" }.joined(separator: "\n")
        try ("staff_id,role,unit,start,end\n" + rows + "\n").write(toFile: h.dir + "/inbox/roster.csv", atomically: true, encoding: .utf8)
        _ = try await h.waitFor(seconds: 60) { h.read("jitd.log").contains("cannot store roster.csv") ? true : nil }
        _ = try await h.waitFor(seconds: 30) { try? Self.curl(["http://127.0.0.1:\(api)/readyz"]) == "503" ? true : nil }
        try await Task.sleep(for: .seconds(10))
        let failures = h.read("jitd.log").components(separatedBy: "cannot store roster.csv").count - 1
        #expect(failures == 1, "logged \(failures) times in about 10 s")
        #expect(try Self.curl(["http://127.0.0.1:\(api)/readyz"]) == "503")
        try FileManager.default.removeItem(atPath: state + "/filler")
        _ = try await h.waitFor(seconds: 90) { h.read("jitd.log").contains("applied roster roster.csv") ? true : nil }
        _ = try await h.waitFor(seconds: 90) { try? Self.curl(["http://127.0.0.1:\(api)/readyz"]) == "200" ? true : nil }
    }
}
