import Foundation
import Testing
@testable import JitdSystemd

@Suite(.serialized) struct NotifierTests {
    @Test func isANoOpWithoutNotifySocket() {
        unsetenv("NOTIFY_SOCKET")
        let n = SystemdNotifier()
        #expect(!n.isActive)
        #expect(!n.send("READY=1"))
        #expect(n.watchdogInterval == nil)
        #expect(n.listenFDs().isEmpty)
    }

    @Test func sendsDatagramsToTheNotifySocket() throws {
        let path = NSTemporaryDirectory() + "jitd-notify-\(getpid()).sock"
        unlink(path)
        let fd = socket(AF_UNIX, Int32(SOCK_DGRAM.rawValue), 0)
        defer { close(fd); unlink(path) }
        var addr = sockaddr_un()
        addr.sun_family = sa_family_t(AF_UNIX)
        withUnsafeMutableBytes(of: &addr.sun_path) { buf in
            for (i, b) in path.utf8.enumerated() { buf[i] = b }
        }
        let bound = withUnsafePointer(to: &addr) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_un>.size)) } }
        #expect(bound == 0)
        setenv("NOTIFY_SOCKET", path, 1)
        defer { unsetenv("NOTIFY_SOCKET") }
        SystemdNotifier().ready(status: "planned 3")
        var buf = [UInt8](repeating: 0, count: 256)
        let n = recv(fd, &buf, buf.count, Int32(MSG_DONTWAIT))
        #expect(n > 0)
        #expect(String(decoding: buf.prefix(max(0, n)), as: UTF8.self) == "READY=1\nSTATUS=planned 3")
    }
}
