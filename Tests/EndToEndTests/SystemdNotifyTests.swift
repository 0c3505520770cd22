import Foundation
import Testing

/// The service manager's side of `sd_notify`: a datagram socket the test owns, recording every
/// message with the monotonic time it arrived.
final class NotifyListener: @unchecked Sendable {
    struct Message: Sendable {
        var at: Double
        var text: String
        var fields: [String] { text.split(separator: "\n").map(String.init) }
        func has(_ field: String) -> Bool { fields.contains(field) }
        var status: String? { fields.first { $0.hasPrefix("STATUS=") }.map { String($0.dropFirst(7)) } }
    }

    let path: String
    private let fd: Int32
    private let lock = NSLock()
    private var received: [Message] = []
    private var running = true

    init(path: String) {
        self.path = path
        unlink(path)
        fd = socket(AF_UNIX, Int32(SOCK_DGRAM.rawValue), 0)
        var addr = sockaddr_un()
        addr.sun_family = sa_family_t(AF_UNIX)
        withUnsafeMutableBytes(of: &addr.sun_path) { buf in
            for (i, b) in path.utf8.enumerated() { buf[i] = b }
        }
        _ = withUnsafePointer(to: &addr) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_un>.size)) }
        }
        Thread.detachNewThread { [self] in self.receiveLoop() }
    }

    private func receiveLoop() {
        var buf = [UInt8](repeating: 0, count: 8192)
        while lock.withLock({ running }) {
            var p = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
            guard poll(&p, 1, 100) > 0 else { continue }
            let n = recv(fd, &buf, buf.count, Int32(MSG_DONTWAIT))
            if n > 0 {
                let m = Message(at: Self.now(), text: String(decoding: buf.prefix(n), as: UTF8.self))
                lock.withLock { received.append(m) }
            }
        }
    }

    func stop() {
        lock.withLock { running = false }
        Thread.sleep(forTimeInterval: 0.15)
        close(fd)
        unlink(path)
    }

    var messages: [Message] { lock.withLock { received } }

    static func now() -> Double { Double(DispatchTime.now().uptimeNanoseconds) / 1e9 }

    /// Waits for the first message after index `from` that satisfies `match`; returns its index.
    func waitFor(seconds: Double, after from: Int = -1, _ what: String, _ match: (Message) -> Bool) async throws -> Int {
        let deadline = Self.now() + seconds
        while Self.now() < deadline {
            let all = messages
            if let i = all.indices.first(where: { $0 > from && match(all[$0]) }) { return i }
            try await Task.sleep(for: .milliseconds(50))
        }
        Issue.record("no \(what) within \(seconds) s; received:\n\(messages.map(\.text).joined(separator: "\n---\n"))")
        throw HarnessError.timeout(what)
    }
}

/// A temporary daemon set-up for the systemd tests: a catalog, a config, an inbox, a token.
struct SystemdDaemon {
    let h: Harness
    let port: Int

    init(modules: Int = 1) throws {
        h = try Harness()
        port = Harness.freePort()
        try h.write("token", "test-token-0123456789abcdef\n")
        try h.write("catalog.toml", Self.catalog(modules: modules))
        try h.write("jitd.toml", config)
    }

    var config: String {
        """
        [paths]
        state = "state"
        inbox = "inbox"
        catalog = "catalog.toml"
        [[coverage]]
        unit = "MICU"
        role = "RN"
        min = 2
        [api]
        listen = "127.0.0.1:\(port)"
        token_file = "token"
        """
    }

    static func catalog(modules: Int) -> String {
        (0..<modules).map { i in
            """
            [[module]]
            id = "module-\(i)"
            title = "Module \(i)"
            minutes = 10
            roles = ["RN"]
            published = "2026-01-01"

            """
        }.joined()
    }

    /// A roster of `count` RNs on `unit` around now, with staff names that must never be logged.
    static func roster(unit: String, from first: Int, count: Int) -> String {
        let now = Date()
        let start = Harness.utc(now.addingTimeInterval(-7200)), end = Harness.utc(now.addingTimeInterval(36_000))
        return "staff_id,role,unit,start,end,name\n"
            + (first..<(first + count)).map { "rn\($0),RN,\(unit),\(start),\(end),Secretname Person\($0)" }.joined(separator: "\n") + "\n"
    }

    /// Drops a file into the inbox the way a careful writer does: a hidden name, then a rename.
    func drop(_ name: String, _ text: String) throws {
        try text.write(toFile: h.dir + "/inbox/." + name + ".part", atomically: false, encoding: .utf8)
        try FileManager.default.moveItem(atPath: h.dir + "/inbox/." + name + ".part", toPath: h.dir + "/inbox/" + name)
    }

    /// Starts `jitd serve` with a clean systemd environment plus `env`; with `journalStream`,
    /// `JOURNAL_STREAM` names the log file that becomes its standard error, as systemd does.
    func start(_ env: [String: String], log: String = "jitd.log", journalStream: Bool = false,
               binary: String = Harness.binary) throws -> Process {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: binary)
        p.arguments = ["serve", "--config", h.dir + "/jitd.toml"]
        var e = ProcessInfo.processInfo.environment
        for k in ["NOTIFY_SOCKET", "WATCHDOG_USEC", "WATCHDOG_PID", "LISTEN_FDS", "LISTEN_PID", "LISTEN_FDNAMES", "JOURNAL_STREAM",
                  "JITD_FAULT_STALL_LOOP", "INVOCATION_ID"] { e[k] = nil }
        e["JITD_LOG_FORMAT"] = "text"
        e["JITD_SHUTDOWN_GRACE_SECONDS"] = "5"
        for (k, v) in env { e[k] = v }
        p.environment = e
        _ = FileManager.default.createFile(atPath: h.dir + "/" + log, contents: nil)
        let out = FileHandle(forWritingAtPath: h.dir + "/" + log)!
        if journalStream {
            var st = stat()
            fstat(out.fileDescriptor, &st)
            e["JOURNAL_STREAM"] = "\(st.st_dev):\(st.st_ino)"
            p.environment = e
        }
        p.standardOutput = out
        p.standardError = out
        try p.run()
        return p
    }
}

@Suite(.serialized) struct SystemdNotifyTests {
    /// The whole conversation with the service manager, in order: `READY=1` only after the inbox
    /// scan (the roster waiting at start-up is already applied), `STATUS=` kept current,
    /// `WATCHDOG=1` every half `WATCHDOG_USEC`, `RELOADING=1` … `READY=1` on SIGHUP, `STOPPING=1` on
    /// SIGTERM, exit 0.
    @Test(.timeLimit(.minutes(2))) func notifySequence() async throws {
        let d = try SystemdDaemon()
        try d.drop("roster.csv", SystemdDaemon.roster(unit: "MICU", from: 0, count: 4))
        let notify = NotifyListener(path: d.h.dir + "/notify.sock")
        defer { notify.stop() }
        let daemon = try d.start(["NOTIFY_SOCKET": notify.path, "WATCHDOG_USEC": "1000000"])
        defer { if daemon.isRunning { daemon.terminate() } }

        let ready = try await notify.waitFor(seconds: 60, "READY=1") { $0.has("READY=1") }
        #expect(FileManager.default.fileExists(atPath: d.h.dir + "/inbox/processed/roster.csv"),
                "the roster waiting at start-up is applied before READY=1")
        let readyStatus = notify.messages[ready].status ?? ""
        #expect(readyStatus.contains("1 unit, 4 staff on shift"), "\(readyStatus)")
        #expect(!notify.messages[..<ready].contains { $0.has("WATCHDOG=1") }, "no watchdog before ready")

        // The watchdog cadence: every 0.5 s while the loops are alive.
        try await Task.sleep(for: .seconds(3))
        let pets = notify.messages[ready...].filter { $0.has("WATCHDOG=1") }.map(\.at)
        #expect(pets.count >= 4, "\(pets.count) WATCHDOG=1 in 3 s or more (a loaded machine may oversleep)")
        if pets.count >= 2 {
            let mean = (pets.last! - pets.first!) / Double(pets.count - 1)
            #expect(mean > 0.35 && mean < 0.75, "mean interval \(mean) s")
        }

        // STATUS= follows what happens.
        try d.drop("west.csv", SystemdDaemon.roster(unit: "5-West", from: 10, count: 2))
        _ = try await notify.waitFor(seconds: 20, after: ready, "STATUS= with the new roster") {
            $0.status?.contains("2 units, 6 staff on shift") == true
        }

        // Reload.
        let beforeReload = notify.messages.count - 1
        kill(daemon.processIdentifier, SIGHUP)
        let reloading = try await notify.waitFor(seconds: 20, after: beforeReload, "RELOADING=1") { $0.has("RELOADING=1") }
        #expect(notify.messages[reloading].fields.contains { $0.hasPrefix("MONOTONIC_USEC=") })
        let reloaded = try await notify.waitFor(seconds: 20, after: reloading, "READY=1 after the reload") { $0.has("READY=1") }
        #expect(notify.messages[reloaded].status?.contains("reload refused") == false)

        // Stop.
        daemon.terminate()
        let status = try await Harness.waitExit(daemon, seconds: 30)
        #expect(status == 0, "jitd log:\n\(d.h.read("jitd.log"))")
        let all = notify.messages
        let stopping = try #require(all.lastIndex { $0.has("STOPPING=1") }, "STOPPING=1 on SIGTERM")
        #expect(stopping > reloaded)
        #expect(!all[stopping...].contains { $0.has("READY=1") || $0.has("RELOADING=1") })
        let log = d.h.read("jitd.log")
        #expect(!log.contains("Secretname"), "staff names never reach the log")
    }

    /// A loop that stops taking its turn stops the watchdog (systemd then restarts jitd), and the
    /// status line names it.
    @Test(.timeLimit(.minutes(2))) func noWatchdogWhileALoopIsStuck() async throws {
        let d = try SystemdDaemon()
        let notify = NotifyListener(path: d.h.dir + "/notify.sock")
        defer { notify.stop() }
        let daemon = try d.start(["NOTIFY_SOCKET": notify.path, "WATCHDOG_USEC": "1000000", "JITD_FAULT_STALL_LOOP": "planner"],
                                 binary: Harness.faultsBinary)
        defer { if daemon.isRunning { daemon.terminate() } }

        let ready = try await notify.waitFor(seconds: 60, "READY=1") { $0.has("READY=1") }
        let withheld = try await notify.waitFor(seconds: 15, after: ready, "STATUS= naming the stuck loop") {
            $0.status?.contains("watchdog withheld: planner loop silent") == true
        }
        try await Task.sleep(for: .seconds(2.5))
        let all = notify.messages
        #expect(all[ready..<withheld].contains { $0.has("WATCHDOG=1") }, "fed while the planner still answered")
        #expect(!all[withheld...].contains { $0.has("WATCHDOG=1") }, "withheld since")
        #expect(all[withheld].status?.contains("inbox") == false, "the inbox loop still answers")
        #expect(daemon.isRunning, "jitd leaves the restart to systemd")
        daemon.terminate()
        #expect(try await Harness.waitExit(daemon, seconds: 30) == 0, "jitd log:\n\(d.h.read("jitd.log"))")
        #expect(d.h.read("jitd.log").contains("withholding the watchdog"))
    }

    /// A service that fails stops the whole daemon: the others shut down gracefully, the log
    /// names the service, and the exit status is 1 so that `Restart=on-failure` applies.
    @Test(.timeLimit(.minutes(1))) func aFailingServiceStopsTheDaemonWithExitOne() async throws {
        let d = try SystemdDaemon()
        let notify = NotifyListener(path: d.h.dir + "/notify.sock")
        defer { notify.stop() }
        let daemon = try d.start(["NOTIFY_SOCKET": notify.path, "JITD_FAULT_FAIL_SERVICE": "planner"], binary: Harness.faultsBinary)
        defer { if daemon.isRunning { daemon.terminate() } }
        #expect(try await Harness.waitExit(daemon, seconds: 60) == 1)
        let log = d.h.read("jitd.log")
        #expect(log.contains("critical jitd: the planner service failed: injected failure"), "\(log)")
        let all = notify.messages
        let ready = try #require(all.firstIndex { $0.has("READY=1") })
        #expect(all[ready...].contains { $0.has("STOPPING=1") })
    }

    /// Without `NOTIFY_SOCKET` nothing is sent and the daemon still starts and stops cleanly.
    @Test(.timeLimit(.minutes(1))) func quietWithoutNotifySocket() async throws {
        let d = try SystemdDaemon()
        let daemon = try d.start([:])
        defer { if daemon.isRunning { daemon.terminate() } }
        _ = try await d.h.waitFor(seconds: 60) { d.h.read("jitd.log").contains("jitd ready") ? true : nil }
        daemon.terminate()
        #expect(try await Harness.waitExit(daemon, seconds: 30) == 0, "jitd log:\n\(d.h.read("jitd.log"))")
    }
}
