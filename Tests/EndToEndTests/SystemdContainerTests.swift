import Foundation
import Testing

/// The Debian package under a real systemd 252: installed in an OS container whose Swift
/// toolchain folder is hidden, run as hospital IT would run it, and removed again.
///
/// Needs root, systemd-nspawn and the package (`make deb`, or `JITD_DEB=PATH`); skipped with the
/// reason otherwise. `JITD_SYSTEMD_IDLE_SECONDS` (default 60) is how long the daemon is left
/// idle while its journal lines are counted; 600 gives the ten-minute run of the docs.
@Suite(.serialized) struct SystemdContainerTests {
    static let package: String? = {
        if let p = ProcessInfo.processInfo.environment["JITD_DEB"] { return p }
        let names = (try? FileManager.default.contentsOfDirectory(atPath: Harness.repo.path)) ?? []
        return names.filter { $0.hasPrefix("jitd_") && $0.hasSuffix("_amd64.deb") }.sorted().last.map { Harness.repo.path + "/" + $0 }
    }()

    static let skipReason: String? = {
        if let reason = SystemdContainer.unavailableReason() { return reason }
        guard let deb = package, FileManager.default.fileExists(atPath: deb) else {
            return "no package to install: run `make deb` first (scripts/test does as root), or set JITD_DEB"
        }
        return nil
    }()

    static let idleSeconds = Int(ProcessInfo.processInfo.environment["JITD_SYSTEMD_IDLE_SECONDS"] ?? "") ?? 60

    /// The folder the `swift` on the PATH runs from, hidden inside the container.
    static var toolchain: String {
        let path = ProcessInfo.processInfo.environment["PATH"] ?? ""
        for dir in path.split(separator: ":") where FileManager.default.isExecutableFile(atPath: dir + "/swift") {
            let real = URL(fileURLWithPath: String(dir) + "/swift").resolvingSymlinksInPath()
            return real.deletingLastPathComponent().deletingLastPathComponent().path
        }
        return "/opt/swift/usr"
    }

    /// A step of the run, printed with the time since the start, so the test's output is the
    /// transcript of what was checked.
    final class Transcript: @unchecked Sendable {
        let start = Date()
        func say(_ line: String) { print(String(format: "[systemd-container %6.1f s] ", Date().timeIntervalSince(start)) + line) }
    }

    static let config = """
        # jitd under test in a systemd container.
        [site]
        timezone = "UTC"
        [policy]
        slot_minutes = 1
        notify_lead_minutes = 1
        [[coverage]]
        unit = "*"
        role = "RN"
        min = 5
        [[coverage]]
        unit = "*"
        role = "MD"
        min = 1
        [[webhook]]
        name = "receiver"
        url = "http://127.0.0.1:9000/jitd"
        secret_file = "/etc/jitd/secrets/receiver"
        events = ["*"]
        allow_networks = ["127.0.0.0/8"]
        [api]
        listen = "127.0.0.1:8787"
        token_file = "/etc/jitd/secrets/api-token"

        """

    @Test(.enabled(if: skipReason == nil, Comment(rawValue: skipReason ?? "")), .timeLimit(.minutes(25)))
    func packageUnderRealSystemd() async throws {
        let t = Transcript()
        let deb = try #require(Self.package)
        let c = try SystemdContainer(hide: [Self.toolchain])
        defer { c.shutdown() }
        t.say("booted: \(try c.must("systemctl --version | head -n 1").trimmingCharacters(in: .whitespacesAndNewlines)) as PID 1, \(Self.toolchain) hidden")

        // The toolchain really is out of reach.
        #expect(try c.sh("test -e \(Self.toolchain)/bin/swift").status != 0, "the toolchain is hidden")
        #expect(try c.sh("find /usr /lib /opt -name 'libswiftCore.so*' | grep -q .").status != 0, "no Swift runtime in a library folder")

        // Install. A build image's policy-rc.d (which forbids starting services, as Docker images
        // have) is not part of a server; without it the package's maintainer scripts run as there.
        try c.must("rm -f /usr/sbin/policy-rc.d")
        try c.copyIn(deb, to: "/root/jitd.deb")
        let install = try c.sh("dpkg -i /root/jitd.deb", timeout: 300)
        #expect(install.status == 0, "dpkg -i:\n\(install.out)\(install.err)")
        try #require(install.status == 0)
        t.say("installed \((deb as NSString).lastPathComponent)")
        let ldd = try c.must("ldd /usr/bin/jitd")
        #expect(!ldd.contains("not found") && !ldd.contains("libswift"), "links only system libraries:\n\(ldd)")
        #expect(try c.must("jitd --version").trimmingCharacters(in: .whitespacesAndNewlines).isEmpty == false)
        #expect(try c.sh("id jitd && getent group jitd-drop && id -nG jitd | grep -qw jitd-drop").status == 0, "user and group made")
        let modes = try c.must("stat -c '%n %a %U:%G' /var/lib/jitd /var/lib/jitd/inbox /etc/jitd/secrets /etc/jitd/jitd.toml")
        for line in ["/var/lib/jitd 751 jitd:jitd", "/var/lib/jitd/inbox 2770 jitd:jitd-drop", "/etc/jitd/secrets 750 root:jitd",
                     "/etc/jitd/jitd.toml 644 root:root"] {
            #expect(modes.contains(line), "\(line) in:\n\(modes)")
        }
        #expect(try c.must("grep -x /etc/jitd/jitd.toml /var/lib/dpkg/info/jitd.conffiles").contains("jitd.toml"), "the config is a conffile")
        #expect(try c.sh("man -w jitd").status == 0 || !FileManager.default.fileExists(atPath: "/usr/bin/man"), "man 8 jitd")
        #expect(try c.must("systemctl is-enabled jitd.service jitd.socket || true").contains("disabled"), "not enabled by the package")
        #expect(try c.must("systemctl is-active jitd.service || true").trimmingCharacters(in: .whitespacesAndNewlines) == "inactive",
                "not started before it is configured")
        let security = try c.must("systemd-analyze security jitd.service | tail -n 1")
        t.say("systemd-analyze security: \(security.trimmingCharacters(in: .whitespacesAndNewlines))")
        let score = Double(security.split(separator: " ").first { Double($0) != nil } ?? "") ?? 10
        #expect(score <= 2.0, "\(security)")

        // Configure: the config, the catalog, the secrets, a receiver, a scheduler's account.
        try c.write("/etc/jitd/jitd.toml", Self.config + "# edited by the site\n")
        try c.copyIn(Harness.repo.path + "/config/catalog.d/core.toml", to: "/etc/jitd/catalog.d/core.toml")
        let secret = Harness.secret()
        try c.write("/etc/jitd/secrets/receiver", secret, mode: 0o640)
        try c.write("/etc/jitd/secrets/api-token", UUID().uuidString + "\n", mode: 0o640)
        try c.must("chgrp jitd /etc/jitd/secrets/*")
        try c.write("/srv/jitd-test/receiver.secret", secret, mode: 0o600)
        try c.copyIn(Harness.repo.path + "/docs/examples/receiver.py", to: "/srv/jitd-test/receiver.py")
        try c.copyIn(Harness.repo.path + "/scripts/make-roster.py", to: "/srv/jitd-test/make-roster.py")
        try c.must("systemd-run --quiet --unit=jitd-test-receiver --setenv=JITD_SECRET_FILE=/srv/jitd-test/receiver.secret "
                   + "/usr/bin/python3 /srv/jitd-test/receiver.py 9000")
        try c.must("useradd --no-create-home --groups jitd-drop scheduler")
        #expect(try c.sh("jitd validate --config /etc/jitd/jitd.toml /etc/jitd/jitd.toml /etc/jitd/catalog.d/core.toml").status == 0)

        // Start: systemctl returns once jitd said READY=1.
        try c.must("systemctl enable --quiet --now jitd.socket jitd.service", timeout: 200)
        var show = try properties(c)
        #expect(show["ActiveState"] == "active" && show["SubState"] == "running", "\(show)")
        let status = show["StatusText"] ?? ""
        #expect(status.contains("units") && status.contains("queue"), "status line: \(status)")
        t.say("started; READY=1 seen (active/running); status line: \(status)")
        #expect(try c.must("curl -s -o /dev/null -w '%{http_code}' http://127.0.0.1:8787/healthz") == "200", "the API through jitd.socket")
        let firstPID = show["MainPID"] ?? ""

        // Upgrade in place: the edited config stays, the running service moves to the new binary.
        let upgrade = try c.sh("dpkg -i /root/jitd.deb", timeout: 300)
        #expect(upgrade.status == 0, "\(upgrade.out)\(upgrade.err)")
        #expect(try c.must("cat /etc/jitd/jitd.toml").contains("# edited by the site"), "an upgrade keeps /etc/jitd")
        show = try properties(c)
        #expect(show["ActiveState"] == "active" && show["MainPID"] != firstPID, "restarted on the upgrade: \(show)")
        t.say("upgraded in place: config kept, service restarted (pid \(firstPID) → \(show["MainPID"] ?? "?"))")

        let daemonPID = show["MainPID"] ?? ""

        // Idle: count every journal line of the unit while nothing happens.
        let cursor = try c.must("journalctl -n 0 --show-cursor -q").replacingOccurrences(of: "-- cursor: ", with: "")
            .trimmingCharacters(in: .whitespacesAndNewlines)
        t.say("idle for \(Self.idleSeconds) s, counting journal lines")
        try await Task.sleep(for: .seconds(Self.idleSeconds))
        let idleLines = try c.must("journalctl -u jitd.service --after-cursor='\(cursor)' -o short-monotonic --no-hostname | grep -v '^-- ' || true")
        let idleCount = idleLines.split(separator: "\n").count
        t.say("journal lines in \(Self.idleSeconds) s of idle running: \(idleCount)" + (idleCount > 0 ? "\n" + idleLines : ""))
        #expect(idleCount == 0, "idle journal lines:\n\(idleLines)")

        // A roster dropped by a member of jitd-drop, and the signed webhooks that follow.
        try c.must("python3 /srv/jitd-test/make-roster.py /srv/jitd-test/roster.csv MICU && chmod 0644 /srv/jitd-test/roster.csv")
        try c.must("runuser -u scheduler -- cp /srv/jitd-test/roster.csv /var/lib/jitd/inbox/.roster.csv && "
                   + "runuser -u scheduler -- mv /var/lib/jitd/inbox/.roster.csv /var/lib/jitd/inbox/roster.csv")
        t.say("roster dropped by user scheduler (group jitd-drop)")
        let received = try await waitFor(seconds: 240) { () -> [[String: Any]]? in
            let events = receivedEvents(c)
            let types = Set(events.compactMap { $0["type"] as? String })
            return types.contains("roster.accepted") && types.contains("assignment.scheduled") ? events : nil
        }
        t.say("receiver verified \(received.count) webhooks: " + Set(received.compactMap { $0["type"] as? String }).sorted().joined(separator: ", "))
        #expect(try c.sh("test -e /var/lib/jitd/inbox/processed/roster.csv").status == 0)

        // Journal fields.
        let entries = try c.must("journalctl -u jitd.service -o json --output-fields=PRIORITY,CODE_FILE,CODE_LINE,CODE_FUNC,SYSLOG_IDENTIFIER,JITD_FILE,MESSAGE,_PID")
            .split(separator: "\n").compactMap { try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any] }
        let applied = entries.first { ($0["JITD_FILE"] as? String) == "roster.csv" }
        #expect(applied != nil, "an entry with JITD_FILE=roster.csv")
        if let e = applied {
            for field in ["PRIORITY", "CODE_FILE", "CODE_LINE", "CODE_FUNC", "SYSLOG_IDENTIFIER"] { #expect(e[field] != nil, "\(field) in \(e)") }
            #expect(e["SYSLOG_IDENTIFIER"] as? String == "jitd")
            t.say("journal entry: " + ["PRIORITY", "SYSLOG_IDENTIFIER", "CODE_FILE", "CODE_LINE", "CODE_FUNC", "JITD_FILE", "MESSAGE"]
                .map { "\($0)=\(e[$0] ?? "")" }.joined(separator: " "))
        }

        // Reload: a good config, then a bad one (refused, reported, systemctl fails), then good again.
        try c.write("/etc/jitd/jitd.toml", Self.config + "# reloaded\n")
        let good = try c.sh("systemctl reload jitd")
        #expect(good.status == 0, "a good reload succeeds: \(good.out)\(good.err)")
        #expect(try properties(c)["StatusText"]?.contains("refused") == false)
        try c.write("/etc/jitd/jitd.toml", Self.config + "bogus_key = 1\n")
        let bad = try c.sh("systemctl reload jitd")
        show = try properties(c)
        #expect(bad.status != 0, "systemctl reload exits non-zero on a refused config")
        #expect(show["StatusText"]?.contains("reload refused, old config in force") == true, "\(show["StatusText"] ?? "")")
        #expect(show["ActiveState"] == "active" && show["MainPID"] == daemonPID, "still running the old config: \(show)")
        t.say("reload: good → exit \(good.status); bad → exit \(bad.status), status line: \(show["StatusText"] ?? "")")
        t.say("systemctl reload said: \(bad.out)\(bad.err.trimmingCharacters(in: .whitespacesAndNewlines))\n"
              + (try c.must("journalctl -u jitd.service -n 4 -o cat")))
        try c.write("/etc/jitd/jitd.toml", Self.config)
        #expect(try c.sh("systemctl reload jitd").status == 0)

        // The watchdog: fed for over two minutes, then the process is frozen and must come back.
        show = try properties(c)
        let fedPID = show["MainPID"] ?? ""
        #expect(fedPID == daemonPID)
        let started = Double(show["ExecMainStartTimestampMonotonic"] ?? "") ?? 0
        while (monotonic(c) - started) / 1e6 < 130 { try await Task.sleep(for: .seconds(5)) }
        show = try properties(c)
        #expect(show["MainPID"] == fedPID && show["ActiveState"] == "active",
                "no watchdog restart while fed: \(show)")
        let lastPet = Double(show["WatchdogTimestampMonotonic"] ?? "") ?? 0
        #expect((monotonic(c) - lastPet) / 1e6 < 60, "the watchdog was fed in the last minute")
        t.say(String(format: "watchdog fed for %.0f s (last pet %.0f s ago); freezing pid %@ with SIGSTOP",
                     (monotonic(c) - started) / 1e6, (monotonic(c) - lastPet) / 1e6, fedPID))
        let frozenAt = monotonic(c)
        try c.must("kill -STOP \(fedPID)")
        let back = try await waitFor(seconds: 150) { () -> [String: String]? in
            let p = try? properties(c)
            return p.flatMap { $0["ActiveState"] == "active" && $0["MainPID"] != fedPID && $0["MainPID"] != "0" ? $0 : nil }
        }
        let timeout = try watchdogTimeoutMonotonic(c, after: frozenAt)
        let activeAgain = Double(back["ActiveEnterTimestampMonotonic"] ?? "") ?? 0
        let restartSeconds = (activeAgain - timeout) / 1e6
        t.say(String(format: "watchdog timeout %.1f s after the freeze; active again (pid %@) %.1f s after the timeout; result: %@",
                     (timeout - frozenAt) / 1e6, back["MainPID"] ?? "?", restartSeconds,
                     try c.must("journalctl -u jitd.service -o cat --since=@\(Int(Date().timeIntervalSince1970) - 200) | grep -m1 -i 'watchdog\\|Failed with result' || true")
                        .trimmingCharacters(in: .whitespacesAndNewlines)))
        #expect(restartSeconds > 0 && restartSeconds < 15, "restarted within 15 s of the watchdog timeout (took \(restartSeconds) s)")

        // Stop: a clean exit, the database checkpointed and closed, no SIGSYS, no noise.
        try c.must("systemctl stop jitd.service jitd.socket", timeout: 120)
        show = try properties(c)
        #expect(show["Result"] == "success" && show["ExecMainStatus"] == "0" && show["ExecMainCode"] == "1",
                "a clean exit: \(show)")
        let wal = try c.must("stat -c %s /var/lib/jitd/jitd.sqlite-wal 2>/dev/null || echo absent").trimmingCharacters(in: .whitespacesAndNewlines)
        #expect(wal == "absent" || wal == "0", "the WAL is checkpointed at exit: \(wal)")
        let journal = try c.must("journalctl -u jitd.service -o json --output-fields=PRIORITY,CODE_FILE,MESSAGE,_PID,_COMM")
            .split(separator: "\n").compactMap { try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any] }
        let text = journal.compactMap { $0["MESSAGE"] as? String }.joined(separator: "\n")
        #expect(!text.contains("SIGSYS") && !text.contains("status=31"), "no process killed by the syscall filter")
        #expect(!text.contains("Failed to set thread priority"), "no setpriority noise")
        // Noise: what the jitd process wrote outside its own logger (runtime libraries on stderr).
        let daemons: Set<String> = [firstPID, daemonPID, back["MainPID"] ?? ""]
        let noise = journal.filter { daemons.contains($0["_PID"] as? String ?? "") && $0["CODE_FILE"] == nil }
        let noiseText = noise.compactMap { $0["MESSAGE"] as? String }.joined(separator: "\n")
        #expect(noise.isEmpty, "journal lines not from jitd's logger:\n\(noiseText)")
        t.say("stopped: Result=\(show["Result"] ?? "") status=\(show["ExecMainStatus"] ?? ""), WAL \(wal), \(journal.count) journal lines in all, \(noise.count) of them noise")

        // Remove keeps the config and the state; purge deletes them.
        try c.must("dpkg -r jitd", timeout: 120)
        #expect(try c.sh("test -e /var/lib/jitd/jitd.sqlite && test -e /etc/jitd/jitd.toml && test ! -e /usr/bin/jitd").status == 0,
                "remove keeps /etc/jitd and /var/lib/jitd")
        try c.must("dpkg --purge jitd", timeout: 120)
        #expect(try c.sh("test ! -e /var/lib/jitd && test ! -e /etc/jitd").status == 0, "purge deletes them")
        #expect(try c.sh("test ! -e /lib/systemd/system/jitd.service && test ! -e /etc/systemd/system/multi-user.target.wants/jitd.service").status == 0)
        t.say("removed (config and state kept), then purged (both gone)")
    }

    /// `systemctl show jitd.service` as a dictionary.
    func properties(_ c: SystemdContainer) throws -> [String: String] {
        let out = try c.must("systemctl show jitd.service -p ActiveState,SubState,StatusText,MainPID,NRestarts,Result,ExecMainStatus,"
                             + "ExecMainCode,ExecMainStartTimestampMonotonic,WatchdogTimestampMonotonic,ActiveEnterTimestampMonotonic")
        var d: [String: String] = [:]
        for line in out.split(separator: "\n") {
            let parts = line.split(separator: "=", maxSplits: 1)
            d[String(parts[0])] = parts.count > 1 ? String(parts[1]) : ""
        }
        return d
    }

    /// CLOCK_MONOTONIC in microseconds (the container shares the host's clock).
    func monotonic(_ c: SystemdContainer) -> Double {
        var ts = timespec()
        clock_gettime(CLOCK_MONOTONIC, &ts)
        return Double(ts.tv_sec) * 1e6 + Double(ts.tv_nsec) / 1e3
    }

    /// When systemd logged the watchdog timeout after `after` (monotonic microseconds).
    func watchdogTimeoutMonotonic(_ c: SystemdContainer, after: Double) throws -> Double {
        let lines = try c.must("journalctl -u jitd.service -o json --output-fields=MESSAGE")
        for line in lines.split(separator: "\n") {
            guard let e = try? JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any],
                  (e["MESSAGE"] as? String)?.contains("Watchdog timeout") == true,
                  let t = Double(e["__MONOTONIC_TIMESTAMP"] as? String ?? ""), t > after else { continue }
            return t
        }
        throw ContainerError.failed("no 'Watchdog timeout' in the journal:\n" + (try c.must("journalctl -u jitd.service -n 30 -o cat")))
    }

    /// What the receiver in the container verified and printed, one event per line.
    func receivedEvents(_ c: SystemdContainer) -> [[String: Any]] {
        let out = (try? c.must("journalctl -u jitd-test-receiver.service -o cat")) ?? ""
        return out.split(separator: "\n").compactMap { try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any] }
    }

    func waitFor<T>(seconds: Double, _ probe: () throws -> T?) async throws -> T {
        let deadline = Date().addingTimeInterval(seconds)
        while Date() < deadline {
            if let v = try probe() { return v }
            try await Task.sleep(for: .seconds(1))
        }
        throw ContainerError.failed("timed out after \(seconds) s")
    }
}
