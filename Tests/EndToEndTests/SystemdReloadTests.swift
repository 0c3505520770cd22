import Foundation
import Testing

/// Plain HTTP/1.1 GET over a loopback TCP socket, with a deadline; returns the status line and body.
func httpGet(port: Int, path: String, seconds: Double = 30) -> (status: Int, body: String)? {
    loopbackHTTP(port: port, request: "GET \(path) HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n", seconds: seconds)
}

/// Sends one whole HTTP/1.1 request to 127.0.0.1:`port` and reads the answer to its end (the
/// request says `Connection: close`); returns the status and the body.
func loopbackHTTP(port: Int, request: String, seconds: Double = 30) -> (status: Int, body: String)? {
    let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
    guard fd >= 0 else { return nil }
    defer { close(fd) }
    var tv = timeval(tv_sec: Int(seconds), tv_usec: 0)
    setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, socklen_t(MemoryLayout<timeval>.size))
    var addr = sockaddr_in()
    addr.sin_family = sa_family_t(AF_INET)
    addr.sin_port = in_port_t(UInt16(port).bigEndian)
    addr.sin_addr.s_addr = inet_addr("127.0.0.1")
    let connected = withUnsafePointer(to: &addr) {
        $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
    }
    guard connected == 0 else { return nil }
    let bytes = Array(request.utf8)
    guard send(fd, bytes, bytes.count, 0) == bytes.count else { return nil }
    var response: [UInt8] = []
    var buf = [UInt8](repeating: 0, count: 4096)
    while true {
        let n = recv(fd, &buf, buf.count, 0)
        if n <= 0 { break }
        response += buf.prefix(n)
    }
    let text = String(decoding: response, as: UTF8.self)
    guard let first = text.split(separator: "\r\n").first, let code = Int(first.split(separator: " ").dropFirst().first ?? "") else { return nil }
    let body = text.components(separatedBy: "\r\n\r\n").dropFirst().joined(separator: "\r\n\r\n")
    return (code, body)
}

@Suite(.serialized) struct SystemdReloadTests {
    /// SIGHUP with a broken config: the reload is refused whole, the daemon keeps running on the
    /// config and catalog it had, and says so in `STATUS=`; a later good reload clears it.
    @Test(.timeLimit(.minutes(2))) func badConfigOnReloadKeepsTheOldOne() async throws {
        let d = try SystemdDaemon(modules: 1)
        let notify = NotifyListener(path: d.h.dir + "/notify.sock")
        defer { notify.stop() }
        let daemon = try d.start(["NOTIFY_SOCKET": notify.path])
        defer { if daemon.isRunning { daemon.terminate() } }
        let ready = try await notify.waitFor(seconds: 60, "READY=1") { $0.has("READY=1") }

        // A config with an unknown key, and a catalog that would have changed: neither is taken.
        try d.h.write("jitd.toml", d.config + "\nbogus_key = 1\n")
        try d.h.write("catalog.toml", SystemdDaemon.catalog(modules: 3))
        kill(daemon.processIdentifier, SIGHUP)
        let reloading = try await notify.waitFor(seconds: 20, after: ready, "RELOADING=1") { $0.has("RELOADING=1") }
        let refused = try await notify.waitFor(seconds: 20, after: reloading, "READY=1 after the refused reload") { $0.has("READY=1") }
        let status = notify.messages[refused].status ?? ""
        #expect(status.contains("reload refused, old config in force: "), "\(status)")
        #expect(status.contains("jitd.toml:"), "the status names the file and line: \(status)")
        try await Task.sleep(for: .milliseconds(300))
        #expect(daemon.isRunning)
        #expect(httpGet(port: d.port, path: "/healthz")?.status == 200, "the API still answers")
        let log = d.h.read("jitd.log")
        #expect(log.contains("reload refused"))
        #expect(!log.contains("reloaded:"), "nothing of the bad reload was applied")

        // A bad catalog alone is refused as well.
        try d.h.write("jitd.toml", d.config)
        try d.h.write("catalog.toml", "[[module]]\nid = \"broken\"\n")
        kill(daemon.processIdentifier, SIGHUP)
        let refusedAgain = try await notify.waitFor(seconds: 20, after: refused, "READY=1 after the refused catalog") { $0.has("READY=1") }
        #expect(notify.messages[refusedAgain].status?.contains("catalog.toml") == true, "\(notify.messages[refusedAgain].status ?? "")")

        // Fixed: the next reload takes the new catalog and clears the problem.
        try d.h.write("catalog.toml", SystemdDaemon.catalog(modules: 3))
        kill(daemon.processIdentifier, SIGHUP)
        let good = try await notify.waitFor(seconds: 20, after: refusedAgain, "READY=1 after the good reload") { $0.has("READY=1") }
        #expect(notify.messages[good].status?.contains("reload refused") == false)
        #expect(d.h.read("jitd.log").contains("reloaded: 3 modules"))

        daemon.terminate()
        #expect(try await Harness.waitExit(daemon, seconds: 30) == 0, "jitd log:\n\(d.h.read("jitd.log"))")
    }

    /// `jitd reload` (the unit's ExecReload=) waits for the daemon's answer: 0 when the new
    /// config is in force, 1 with the problems when it was refused, so `systemctl reload` fails
    /// on a bad config instead of returning before anything happened.
    @Test(.timeLimit(.minutes(2))) func reloadCommandReportsTheOutcome() async throws {
        let d = try SystemdDaemon(modules: 1)
        let daemon = try d.start([:])
        defer { if daemon.isRunning { daemon.terminate() } }
        let config = d.h.dir + "/jitd.toml"
        _ = try await d.h.waitFor(seconds: 60) { httpGet(port: d.port, path: "/readyz")?.status == 200 ? true : nil }

        // A good config: found through the state folder's lock, signalled, answered.
        try d.h.write("catalog.toml", SystemdDaemon.catalog(modules: 2))
        let good = try Harness.run([Harness.binary, "reload", "--config", config])
        #expect(good.status == 0, "\(good.out)\(good.err)")
        #expect(d.h.read("jitd.log").contains("reloaded: 2 modules"), "the reload happened before jitd reload returned")

        // A bad config, signalled by pid as systemd does: the daemon refuses it, jitd reload says so.
        try d.h.write("jitd.toml", d.config + "\nbogus_key = 1\n")
        let bad = try Harness.run([Harness.binary, "reload", "--pid", String(daemon.processIdentifier)])
        #expect(bad.status == 1, "\(bad.out)\(bad.err)")
        #expect(bad.err.contains("bogus_key") && bad.err.contains("reload refused"), "\(bad.err)")
        #expect(daemon.isRunning)

        // Without --pid, a config the daemon would refuse is not sent at all.
        let unsent = try Harness.run([Harness.binary, "reload", "--config", config])
        #expect(unsent.status == 1 && unsent.err.contains("reload not sent"), "\(unsent.err)")

        // Mended: accepted again.
        try d.h.write("jitd.toml", d.config)
        #expect(try Harness.run([Harness.binary, "reload", "--pid", String(daemon.processIdentifier)]).status == 0)

        daemon.terminate()
        #expect(try await Harness.waitExit(daemon, seconds: 30) == 0)
        let after = try Harness.run([Harness.binary, "reload", "--config", config])
        #expect(after.status == 1 && after.err.contains("no jitd serve is running"), "\(after.err)")
    }
}
