import Foundation
import Testing
@testable import JitdSystemd

/// A datagram socket standing in for systemd's notify socket.
final class FakeNotifySocket {
    let path: String
    let fd: Int32

    init() throws {
        path = NSTemporaryDirectory() + "jitd-notify-\(getpid())-\(UInt32.random(in: 0...UInt32.max)).sock"
        unlink(path)
        fd = socket(AF_UNIX, Int32(SOCK_DGRAM.rawValue), 0)
        var addr = sockaddr_un()
        addr.sun_family = sa_family_t(AF_UNIX)
        withUnsafeMutableBytes(of: &addr.sun_path) { buf in
            for (i, b) in path.utf8.enumerated() { buf[i] = b }
        }
        let bound = withUnsafePointer(to: &addr) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_un>.size)) }
        }
        #expect(bound == 0)
    }

    deinit {
        close(fd)
        unlink(path)
    }

    /// The next datagram, if one is waiting.
    func receive() -> String? {
        var buf = [UInt8](repeating: 0, count: 4096)
        let n = recv(fd, &buf, buf.count, Int32(MSG_DONTWAIT))
        return n > 0 ? String(decoding: buf.prefix(n), as: UTF8.self) : nil
    }
}

@Suite(.serialized) struct NotifierTests {
    @Test func isANoOpWithoutNotifySocket() {
        unsetenv("NOTIFY_SOCKET")
        unsetenv("WATCHDOG_USEC")
        let n = SystemdNotifier()
        #expect(!n.isActive)
        #expect(!n.send("READY=1"))
        #expect(!n.ready(status: "x"))
        #expect(!n.watchdog())
        #expect(n.watchdogInterval == nil)
        #expect(n.listenFDs().isEmpty)
    }

    @Test func sendsDatagramsToTheNotifySocket() throws {
        let socket = try FakeNotifySocket()
        setenv("NOTIFY_SOCKET", socket.path, 1)
        defer { unsetenv("NOTIFY_SOCKET") }
        let n = SystemdNotifier()
        n.ready(status: "planned 3")
        #expect(socket.receive() == "READY=1\nSTATUS=planned 3")
        n.status("two\nlines")
        #expect(socket.receive() == "STATUS=two lines", "a newline would start a new field")
        n.watchdog()
        #expect(socket.receive() == "WATCHDOG=1")
        n.stopping()
        #expect(socket.receive() == "STOPPING=1\nSTATUS=shutting down")
    }

    @Test func reloadingCarriesTheMonotonicClock() throws {
        let socket = try FakeNotifySocket()
        setenv("NOTIFY_SOCKET", socket.path, 1)
        defer { unsetenv("NOTIFY_SOCKET") }
        let before = SystemdNotifier.monotonicMicroseconds()
        SystemdNotifier().reloading()
        let after = SystemdNotifier.monotonicMicroseconds()
        let lines = try #require(socket.receive()).split(separator: "\n").map(String.init)
        #expect(lines.first == "RELOADING=1")
        let usec = try #require(lines.first { $0.hasPrefix("MONOTONIC_USEC=") }.flatMap { UInt64($0.dropFirst(15)) })
        #expect(before <= usec && usec <= after)
    }

    @Test func watchdogIntervalIsHalfOfWatchdogUsec() {
        setenv("WATCHDOG_USEC", "2000000", 1)
        setenv("WATCHDOG_PID", "\(getpid())", 1)
        defer { unsetenv("WATCHDOG_USEC"); unsetenv("WATCHDOG_PID") }
        #expect(SystemdNotifier().watchdogTimeout == .seconds(2))
        #expect(SystemdNotifier().watchdogInterval == .seconds(1))
        setenv("WATCHDOG_PID", "\(getpid() + 1)", 1)
        #expect(SystemdNotifier().watchdogInterval == nil, "a watchdog armed for another process is not ours")
    }

    @Test func picksTheSocketByName() {
        #expect(SystemdNotifier.pick([("metrics", 3), ("api", 4)], named: "api") == 4)
        #expect(SystemdNotifier.pick([("unknown", 3)], named: "api") == 3, "one unnamed socket is the API's")
        #expect(SystemdNotifier.pick([("metrics", 3)], named: "api") == nil)
        #expect(SystemdNotifier.pick([], named: "api") == nil)
    }

    @Test func recognisesAListeningSocket() throws {
        // Close-on-exec: other tests' children must not inherit (and keep) a listening socket.
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        defer { close(fd) }
        #expect(!SystemdNotifier.isListeningStreamSocket(fd))
        var addr = sockaddr_in()
        addr.sin_family = sa_family_t(AF_INET)
        addr.sin_addr.s_addr = inet_addr("127.0.0.1")
        _ = withUnsafePointer(to: &addr) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) } }
        #expect(listen(fd, 4) == 0)
        #expect(SystemdNotifier.isListeningStreamSocket(fd))
        #expect(!SystemdNotifier.isListeningStreamSocket(0) || isatty(0) == 0)
    }
}
