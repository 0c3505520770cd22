import Foundation
import Testing

/// journald's native socket, played by the test when no real journald listens (containers, CI).
final class JournalSocket: @unchecked Sendable {
    static let path = "/run/systemd/journal/socket"
    private let fd: Int32

    /// Whether the test may play journald: nobody listens there and /run is writable.
    static var available: Bool { !FileManager.default.fileExists(atPath: path) && access("/run", W_OK) == 0 }

    /// Waits (without blocking a thread) for another test of this run that plays journald at
    /// the same moment to finish; `nil` when the socket cannot be had.
    static func make() async -> JournalSocket? {
        for _ in 0..<300 where FileManager.default.fileExists(atPath: path) { try? await Task.sleep(for: .milliseconds(100)) }
        return JournalSocket()
    }

    private init?() {
        if FileManager.default.fileExists(atPath: Self.path) { return nil }
        guard (try? FileManager.default.createDirectory(atPath: "/run/systemd/journal", withIntermediateDirectories: true)) != nil else { return nil }
        fd = socket(AF_UNIX, Int32(SOCK_DGRAM.rawValue), 0)
        var addr = sockaddr_un()
        addr.sun_family = sa_family_t(AF_UNIX)
        withUnsafeMutableBytes(of: &addr.sun_path) { buf in
            for (i, b) in Self.path.utf8.enumerated() { buf[i] = b }
        }
        let bound = withUnsafePointer(to: &addr) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_un>.size)) }
        }
        guard bound == 0 else {
            close(fd)
            return nil
        }
        var size: Int32 = 8 << 20
        setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &size, socklen_t(MemoryLayout<Int32>.size))
    }

    deinit {
        close(fd)
        unlink(Self.path)
    }

    private let lock = NSLock()
    private var received: [[String: String]] = []
    private var running = false

    /// Reads entries as they come, like journald (a sender blocks once a few datagrams wait).
    func start() {
        running = true
        Thread.detachNewThread { [self] in
            var buf = [UInt8](repeating: 0, count: 1 << 20)
            while lock.withLock({ running }) {
                var p = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
                guard poll(&p, 1, 100) > 0 else { continue }
                let n = recv(fd, &buf, buf.count, Int32(MSG_DONTWAIT))
                if n > 0 {
                    let entry = Self.parse(Array(buf.prefix(n)))
                    lock.withLock { received.append(entry) }
                }
            }
        }
    }

    func stop() {
        lock.withLock { running = false }
        Thread.sleep(forTimeInterval: 0.15)
    }

    /// Every entry so far.
    func entries() -> [[String: String]] { lock.withLock { received } }

    /// The native protocol: `KEY=value\n`, or `KEY\n` + 64-bit little-endian length + bytes + `\n`.
    static func parse(_ d: [UInt8]) -> [String: String] {
        var fields: [String: String] = [:]
        var i = 0
        while i < d.count, let nl = d[i...].firstIndex(of: 10) {
            if let eq = d[i..<nl].firstIndex(of: 61) {
                fields[String(decoding: d[i..<eq], as: UTF8.self)] = String(decoding: d[(eq + 1)..<nl], as: UTF8.self)
                i = nl + 1
            } else {
                var len = 0
                for k in 0..<8 { len |= Int(d[nl + 1 + k]) << (8 * k) }
                fields[String(decoding: d[i..<nl], as: UTF8.self)] = String(decoding: d[(nl + 9)..<(nl + 9 + len)], as: UTF8.self)
                i = nl + 10 + len
            }
        }
        return fields
    }
}

@Suite(.serialized) struct SystemdJournalTests {
    /// Started by systemd (standard error is the journal stream named by `JOURNAL_STREAM`), jitd
    /// logs natively to the journal with structured fields, and never a staff name.
    @Test(.timeLimit(.minutes(2)), .enabled(if: JournalSocket.available, "needs /run/systemd/journal/socket free and /run writable"))
    func logsNativelyToTheJournalUnderSystemd() async throws {
        let journal = try #require(await JournalSocket.make())
        journal.start()
        defer { journal.stop() }
        let d = try SystemdDaemon()
        try d.drop("roster.csv", SystemdDaemon.roster(unit: "MICU", from: 0, count: 4))
        // Standard error is stderr.log, and JOURNAL_STREAM names it: what systemd sets up.
        let daemon = try d.start(["JITD_LOG_FORMAT": "auto", "JITD_LOG_LEVEL": "debug"], log: "stderr.log", journalStream: true)
        defer { if daemon.isRunning { daemon.terminate() } }
        let applied = try await d.h.waitFor(seconds: 60) {
            journal.entries().first { $0["MESSAGE"]?.hasPrefix("applied roster roster.csv") == true }
        }
        #expect(applied["PRIORITY"] == "5")
        #expect(applied["SYSLOG_IDENTIFIER"] == "jitd")
        #expect(applied["JITD_FILE"] == "roster.csv")
        #expect(applied["CODE_FILE"]?.hasSuffix("ApplyInboxFile.swift") == true, "the file that logs it: \(applied["CODE_FILE"] ?? "")")
        #expect(Int(applied["CODE_LINE"] ?? "") != nil)
        #expect(applied["CODE_FUNC"]?.isEmpty == false)
        _ = try await d.h.waitFor(seconds: 30) { journal.entries().contains { $0["MESSAGE"]?.hasPrefix("jitd ready") == true } ? true : nil }
        daemon.terminate()
        #expect(try await Harness.waitExit(daemon, seconds: 30) == 0)
        let all = journal.entries()
        #expect(all.contains { $0["MESSAGE"] == "jitd stopped" })
        #expect(!all.contains { $0.values.contains { $0.contains("Secretname") } }, "no staff name in any field")
        #expect(!d.h.read("stderr.log").contains("applied roster"), "journal entries are not duplicated on standard error")
    }
}
