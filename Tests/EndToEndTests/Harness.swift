import Foundation
import Synchronization

/// Runs the real `jitd` binary and the Python receiver (which checks signatures with the
/// independent `standardwebhooks` package) in a temporary folder.
struct Harness {
    static let repo = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    /// The built binary: next to the test bundle, or `$JITD_BINARY`.
    static var binary: String { built("jitd", override: "JITD_BINARY") }

    /// `jitd serve` with faults injected around its services (`Sources/jitd-faults`), for the
    /// tests of what the daemon does when a loop wedges or a service fails.
    static var faultsBinary: String { built("jitd-faults", override: "JITD_FAULTS_BINARY") }

    static func built(_ name: String, override: String) -> String {
        if let b = ProcessInfo.processInfo.environment[override] { return b }
        let dir = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
        for candidate in [dir, dir.deletingLastPathComponent()] {
            let p = candidate.appendingPathComponent(name).path
            if FileManager.default.isExecutableFile(atPath: p) { return p }
        }
        return repo.appendingPathComponent(".build/debug/" + name).path
    }

    let dir: String

    init() throws {
        dir = NSTemporaryDirectory() + "jitd-e2e-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: dir + "/inbox", withIntermediateDirectories: true)
    }

    func write(_ name: String, _ text: String) throws {
        try text.write(toFile: dir + "/" + name, atomically: true, encoding: .utf8)
    }

    /// Writes `jitd.toml`: state and inbox in the folder, `catalog` (an empty catalog file is
    /// written when it is the default), the API on a free port, then `extra` lines (`[site]`, …).
    @discardableResult
    func writeConfig(catalog: String = "catalog.toml", extra: String = "", apiLines: String = "") throws -> Int {
        if catalog == "catalog.toml" { try write("catalog.toml", "") }
        let port = Self.freePort()
        try write("jitd.toml", """
            \(extra)
            [paths]
            state = "state"
            inbox = "inbox"
            catalog = "\(catalog)"
            [api]
            listen = "127.0.0.1:\(port)"
            \(apiLines)
            """)
        return port
    }

    /// Starts `jitd serve` on the folder's `jitd.toml`, its output in `log`.
    func startDaemon(log: String = "jitd.log") throws -> Process {
        try start([Self.binary, "serve", "--config", dir + "/jitd.toml"], log: log)
    }

    func read(_ name: String) -> String { (try? String(contentsOfFile: dir + "/" + name, encoding: .utf8)) ?? "" }

    /// Runs a command to completion; returns its status, stdout and stderr.
    ///
    /// Through `posix_spawn` and `waitpid`, with the output in temporary files: Foundation's
    /// `Process` can lose a child's exit when many tests start processes at once, and a
    /// `waitUntilExit` then never returns.
    static func run(_ args: [String], cwd: String? = nil) throws -> (status: Int32, out: String, err: String) {
        let base = NSTemporaryDirectory() + "jitd-run-" + UUID().uuidString
        defer { try? FileManager.default.removeItem(atPath: base + ".out"); try? FileManager.default.removeItem(atPath: base + ".err") }
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 1, base + ".out", O_WRONLY | O_CREAT | O_TRUNC, 0o600)
        posix_spawn_file_actions_addopen(&actions, 2, base + ".err", O_WRONLY | O_CREAT | O_TRUNC, 0o600)
        // A request never waits for ever: one that hangs fails its test instead of the whole run.
        var args = args
        if args.count > 1, args[0] == "/usr/bin/env", args[1] == "curl" { args.insert(contentsOf: ["--max-time", "60"], at: 2) }
        args = cwd.map { ["/usr/bin/env", "-C", $0] + args } ?? args
        var argv: [UnsafeMutablePointer<CChar>?] = args.map { strdup($0) } + [nil]
        defer { argv.forEach { free($0) } }
        var pid: pid_t = 0
        let rc = posix_spawn(&pid, args[0], &actions, nil, &argv, environ)
        guard rc == 0 else { throw HarnessError.spawn(args[0], rc) }
        var status: Int32 = 0
        while waitpid(pid, &status, 0) == -1 && errno == EINTR {}
        let exit = (status & 0x7f) == 0 ? (status >> 8) & 0xff : 128 + (status & 0x7f)
        func text(_ f: String) -> String { (try? String(contentsOfFile: f, encoding: .utf8)) ?? "" }
        return (exit, text(base + ".out"), text(base + ".err"))
    }

    /// Starts a long-running process with its output going to files in the folder.
    func start(_ args: [String], log: String) throws -> Process {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: args[0])
        p.arguments = Array(args.dropFirst())
        _ = FileManager.default.createFile(atPath: dir + "/" + log, contents: nil)
        let h = FileHandle(forWritingAtPath: dir + "/" + log)!
        p.standardOutput = h
        p.standardError = h
        try p.run()
        return p
    }

    /// Starts the receiver (on `port`, or any free one if 0) and returns it with its port once it
    /// listens: it writes the port file after binding, so nothing is sent before it can answer.
    func startReceiver(secretFile: String, out: String, status: Int = 200, port: Int = 0,
                       log: String = "receiver.log", extra: [String] = []) async throws -> (Process, Int) {
        let script = Self.repo.appendingPathComponent("scripts/receiver.py").path
        try? FileManager.default.removeItem(atPath: dir + "/receiver.port")
        let p = try start(["/usr/bin/env", "python3", script, "--secret-file", secretFile, "--out", dir + "/" + out,
                           "--port", String(port), "--port-file", dir + "/receiver.port", "--status", String(status)] + extra, log: log)
        let bound = try await waitFor(seconds: 30) { Int(read("receiver.port")) }
        return (p, bound)
    }

    /// Polls until `probe` returns a value or the time is up.
    func waitFor<T>(seconds: Double, _ probe: () -> T?) async throws -> T {
        let deadline = Date().addingTimeInterval(seconds)
        while Date() < deadline {
            if let v = probe() { return v }
            try await Task.sleep(for: .milliseconds(200))
        }
        throw HarnessError.timeout(dir)
    }

    /// JSON lines the receiver wrote.
    func deliveries(_ out: String) -> [[String: Any]] {
        read(out).split(separator: "\n").compactMap { try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any] }
    }

    static func secret() -> String {
        var bytes = [UInt8](repeating: 0, count: 32)
        for i in bytes.indices { bytes[i] = UInt8.random(in: 0...255) }
        return "whsec_" + Data(bytes).base64EncodedString() + "\n"
    }

    /// Waits for a process to exit, up to a limit, and returns its status.
    static func waitExit(_ p: Process, seconds: Double) async throws -> Int32 {
        let deadline = Date().addingTimeInterval(seconds)
        while p.isRunning && Date() < deadline { try await Task.sleep(for: .milliseconds(100)) }
        if p.isRunning { p.interrupt(); throw HarnessError.stillRunning }
        return p.terminationStatus
    }

    static func utc(_ d: Date) -> String {
        let f = ISO8601DateFormatter()
        f.formatOptions = [.withInternetDateTime]
        return f.string(from: d)
    }

    /// A port nobody listens on: the kernel picks one for a socket bound to port 0, which is
    /// closed again. (A random pick collided now and then with another test's daemon.)
    static func freePort() -> Int {
        // The kernel may hand the same free port to two tests that ask one after the other
        // before either binds it: never give one out twice in a run.
        for _ in 0..<50 {
            let port = pickPort()
            if handedOut.withLock({ $0.insert(port).inserted }) { return port }
        }
        return pickPort()
    }

    private static let handedOut = Mutex<Set<Int>>([])

    private static func pickPort() -> Int {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { return Int.random(in: 20_000...40_000) }
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) { p in
            p.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, length) == 0 && getsockname(fd, $0, &length) == 0 }
        }
        return bound ? Int(UInt16(bigEndian: address.sin_port)) : Int.random(in: 20_000...40_000)
    }
}

enum HarnessError: Error { case timeout(String), stillRunning, spawn(String, Int32) }
