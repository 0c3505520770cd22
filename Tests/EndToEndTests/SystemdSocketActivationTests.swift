import Foundation
import Testing

@Suite(.serialized) struct SystemdSocketActivationTests {
    static let activator = "/usr/bin/systemd-socket-activate"

    /// Under `systemd-socket-activate` (as under `jitd.socket`) the API answers on the socket
    /// systemd passed, named by `--fdname=api`, and does not bind `[api] listen` at all.
    @Test(.timeLimit(.minutes(2)), .enabled(if: FileManager.default.isExecutableFile(atPath: activator)))
    func apiAnswersOnThePassedSocket() async throws {
        let d = try SystemdDaemon()
        let passed = Harness.freePort()
        let p = Process()
        p.executableURL = URL(fileURLWithPath: Self.activator)
        // The activator hands the child only the variables it is told to.
        p.arguments = ["-l", "127.0.0.1:\(passed)", "--fdname=api", "-E", "JITD_LOG_FORMAT=text", "-E", "JITD_SHUTDOWN_GRACE_SECONDS=5",
                       Harness.binary, "serve", "--config", d.h.dir + "/jitd.toml"]
        _ = FileManager.default.createFile(atPath: d.h.dir + "/jitd.log", contents: nil)
        let out = FileHandle(forWritingAtPath: d.h.dir + "/jitd.log")!
        p.standardOutput = out
        p.standardError = out
        try p.run()
        // Before it execs jitd the activator does not stop on SIGTERM.
        defer { if p.isRunning { kill(p.processIdentifier, SIGKILL) } }
        _ = try await d.h.waitFor(seconds: 20) { d.h.read("jitd.log").contains("Listening on") ? true : nil }

        // The first connection starts jitd (it execs in place of the activator), which then
        // answers it on the passed socket.
        let health = httpGet(port: passed, path: "/healthz", seconds: 60)
        #expect(health?.status == 200, "jitd log:\n\(d.h.read("jitd.log"))")
        #expect(health?.body.contains("ok") == true)
        #expect(httpGet(port: passed, path: "/readyz")?.status == 200)
        #expect(httpGet(port: d.port, path: "/healthz", seconds: 2) == nil, "[api] listen is not bound under socket activation")
        #expect(d.h.read("jitd.log").contains("API on the socket passed by systemd"))

        p.terminate() // SIGTERM to jitd itself
        #expect(try await Harness.waitExit(p, seconds: 30) == 0, "jitd log:\n\(d.h.read("jitd.log"))")
    }

    /// Without a passed socket jitd binds `[api] listen` itself, before it reports ready; a port
    /// already taken stops start-up with a clear error and exit 1.
    @Test(.timeLimit(.minutes(1))) func portInUseFailsStartUpClearly() async throws {
        let d = try SystemdDaemon()
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        defer { close(fd) }
        var addr = sockaddr_in()
        addr.sin_family = sa_family_t(AF_INET)
        addr.sin_port = in_port_t(UInt16(d.port).bigEndian)
        addr.sin_addr.s_addr = inet_addr("127.0.0.1")
        _ = withUnsafePointer(to: &addr) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) } }
        #expect(listen(fd, 4) == 0)
        let notify = NotifyListener(path: d.h.dir + "/notify.sock")
        defer { notify.stop() }
        let daemon = try d.start(["NOTIFY_SOCKET": notify.path])
        #expect(try await Harness.waitExit(daemon, seconds: 60) == 1)
        #expect(d.h.read("jitd.log").contains("[api] listen: cannot listen on 127.0.0.1:\(d.port)"), "\(d.h.read("jitd.log"))")
        #expect(!notify.messages.contains { $0.has("READY=1") })
    }
}
