import Foundation
import Logging
import Testing
@testable import JitdSystemd

/// Stands in for systemd-journald on its native socket, `/run/systemd/journal/socket`, where
/// `sd_journal_sendv` sends; only when no real journald listens there (containers, CI).
final class FakeJournald {
    static let path = "/run/systemd/journal/socket"
    let fd: Int32

    /// Whether the test may play journald: nobody listens there and /run is writable.
    static var available: Bool { !FileManager.default.fileExists(atPath: path) && access("/run", W_OK) == 0 }

    /// Waits (without blocking a thread) for another test of this run that plays journald at
    /// the same moment to finish; `nil` when the socket cannot be had.
    static func make() async -> FakeJournald? {
        for _ in 0..<300 where FileManager.default.fileExists(atPath: path) { try? await Task.sleep(for: .milliseconds(100)) }
        return FakeJournald()
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
        if bound != 0 {
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

    /// Every entry waiting, each as its fields (a field may repeat; the last wins here).
    func entries() -> [[String: String]] {
        var out: [[String: String]] = []
        var buf = [UInt8](repeating: 0, count: 1 << 20)
        while true {
            let n = recv(fd, &buf, buf.count, Int32(MSG_DONTWAIT))
            if n <= 0 { break }
            out.append(Self.parse(Array(buf.prefix(n))))
        }
        return out
    }

    /// The native protocol: `KEY=value\n`, or `KEY\n` + 64-bit little-endian length + bytes + `\n`.
    static func parse(_ d: [UInt8]) -> [String: String] {
        var fields: [String: String] = [:]
        var i = 0
        while i < d.count {
            guard let nl = d[i...].firstIndex(of: 10) else { break }
            let line = d[i..<nl]
            if let eq = line.firstIndex(of: 61) {
                fields[String(decoding: d[i..<eq], as: UTF8.self)] = String(decoding: d[(eq + 1)..<nl], as: UTF8.self)
                i = nl + 1
            } else {
                let key = String(decoding: line, as: UTF8.self)
                var len = 0
                for k in 0..<8 { len |= Int(d[nl + 1 + k]) << (8 * k) }
                let start = nl + 9
                fields[key] = String(decoding: d[start..<(start + len)], as: UTF8.self)
                i = start + len + 1
            }
        }
        return fields
    }
}

@Suite(.serialized) struct LoggingTests {
    func event(_ level: Logger.Level, _ message: String, _ metadata: Logger.Metadata = [:]) -> LogEvent {
        LogEvent(level: level, message: "\(message)", metadata: metadata, source: "jitd", file: "jitd/Daemon/InboxService.swift",
                 function: "process(_:)", line: 42)
    }

    @Test func secretsAndStaffNamesAreRedactedByKey() {
        for key in ["staff_name", "name", "jitd_staff_name", "api_token", "secret", "webhook-secret", "Authorization", "password"] {
            #expect(LogRedaction.isSensitive(key), "\(key)")
        }
        for key in ["jitd_unit", "jitd_file", "jitd_assignment", "staff_id", "jitd_endpoint", "sl-service", "hb.request.id"] {
            #expect(!LogRedaction.isSensitive(key), "\(key)")
        }
        let r = LogRecord(label: "jitd", event: event(.info, "m", ["staff_name": "Alice Example", "jitd_unit": "MICU"]),
                          handlerMetadata: ["api_token": "abcdef"], provider: nil)
        #expect(r.metadata.map(\.key) == ["api_token", "jitd_unit", "staff_name"])
        #expect(r.metadata.map(\.value) == ["[redacted]", "MICU", "[redacted]"])
    }

    @Test func metadataMergesHandlerThenProviderThenCall() {
        let provider = Logger.MetadataProvider { ["jitd_request": "p", "jitd_unit": "from-provider"] }
        let r = LogRecord(label: "jitd", event: event(.info, "m", ["jitd_unit": "MICU"]),
                          handlerMetadata: ["jitd_request": "h", "jitd_file": "a.csv"], provider: provider)
        #expect(Dictionary(uniqueKeysWithValues: r.metadata.map { ($0.key, $0.value) })
                == ["jitd_file": "a.csv", "jitd_request": "p", "jitd_unit": "MICU"])
    }

    @Test func journalFieldNamesAndPriorities() {
        #expect(JournalFields.name(forMetadataKey: "jitd_unit") == "JITD_UNIT")
        #expect(JournalFields.name(forMetadataKey: "unit") == "JITD_UNIT")
        #expect(JournalFields.name(forMetadataKey: "hb.request.id") == "JITD_HB_REQUEST_ID")
        #expect(JournalFields.name(forMetadataKey: "_private") == "JITD_PRIVATE")
        #expect(JournalFields.name(forMetadataKey: "sl-service") == "JITD_SL_SERVICE")
        #expect(JournalFields.name(forMetadataKey: String(repeating: "x", count: 100)).count == 64)
        #expect([Logger.Level.trace, .debug, .info, .notice, .warning, .error, .critical].map(JournalFields.priority) == [7, 7, 6, 5, 4, 3, 2])
    }

    @Test func journalEntryFields() {
        let r = LogRecord(label: "jitd", event: event(.warning, "applied roster a.csv", ["jitd_file": "a.csv", "unit": "x", "jitd_unit": "MICU"]),
                          handlerMetadata: [:], provider: nil)
        let fields = JournalLogHandler.fields(r, identifier: "jitd")
        #expect(Array(fields.prefix(7)) == ["MESSAGE=applied roster a.csv", "PRIORITY=4", "CODE_FILE=jitd/Daemon/InboxService.swift",
                                            "CODE_LINE=42", "CODE_FUNC=process(_:)", "SYSLOG_IDENTIFIER=jitd", "JITD_LOGGER=jitd"])
        #expect(fields.contains("JITD_FILE=a.csv"))
        #expect(fields.contains("JITD_UNIT=MICU"), "jitd_unit sorts before unit and wins the field name")
        #expect(!fields.contains("JITD_UNIT=x"))
    }

    @Test(.enabled(if: FakeJournald.available, "needs /run/systemd/journal/socket free and /run writable"))
    func sendsNativelyToTheJournal() async throws {
        let journald = try #require(await FakeJournald.make())
        var handler = JournalLogHandler(label: "jitd")
        handler.metadata = ["jitd_unit": "MICU"]
        handler.log(event: event(.error, "line one\nline two", ["jitd_assignment": "a-1", "staff_name": "Alice Example"]))
        let entries = journald.entries()
        let e = try #require(entries.last)
        #expect(e["MESSAGE"] == "line one\nline two")
        #expect(e["PRIORITY"] == "3")
        #expect(e["SYSLOG_IDENTIFIER"] == "jitd")
        #expect(e["CODE_LINE"] == "42")
        #expect(e["JITD_UNIT"] == "MICU")
        #expect(e["JITD_ASSIGNMENT"] == "a-1")
        #expect(e["JITD_STAFF_NAME"] == "[redacted]")
    }

    @Test func textAndJSONLinesForStandardError() throws {
        let r = LogRecord(label: "jitd", event: event(.notice, "applied \"a b\"", ["jitd_file": "a b.csv", "secret": "whsec_x"]),
                          handlerMetadata: [:], provider: nil)
        let text = StandardErrorLogHandler(label: "jitd", format: .text, timestamps: false).render(r)
        #expect(text == "notice jitd: applied \"a b\" jitd_file=\"a b.csv\" secret=[redacted]\n")
        let json = StandardErrorLogHandler(label: "jitd", format: .json).render(r)
        #expect(json.hasSuffix("}\n") && json.filter { $0 == "\n" }.count == 1)
        let object = try #require(try JSONSerialization.jsonObject(with: Data(json.utf8)) as? [String: Any])
        #expect(object["level"] as? String == "notice")
        #expect(object["msg"] as? String == "applied \"a b\"")
        #expect(object["jitd_file"] as? String == "a b.csv")
        #expect(object["secret"] as? String == "[redacted]")
        #expect(object["line"] as? Int == 42)
        #expect((object["ts"] as? String)?.hasSuffix("Z") == true)
        let multi = LogRecord(label: "jitd", event: event(.info, "a\nb"), handlerMetadata: [:], provider: nil)
        #expect(StandardErrorLogHandler(label: "jitd", format: .text, timestamps: false).render(multi) == "info jitd: a ⏎ b\n")
    }

    @Test func choosesTheDestination() {
        #expect(LogDestination.choose(requested: nil, stderrIsJournal: true) == .journal)
        #expect(LogDestination.choose(requested: nil, stderrIsJournal: false) == .standardError(.text))
        #expect(LogDestination.choose(requested: "json", stderrIsJournal: true) == .standardError(.json))
        #expect(LogDestination.choose(requested: "journal", stderrIsJournal: false) == .journal)
        #expect(LogDestination.choose(requested: "syslog", stderrIsJournal: false) == nil)
    }

    @Test func journalStreamMustMatchStandardErrorItself() {
        #expect(JournalStream.matches("2049:123456", device: 2049, inode: 123_456))
        #expect(!JournalStream.matches("2049:123456", device: 2049, inode: 1))
        #expect(!JournalStream.matches("garbage", device: 0, inode: 0))
        var st = stat()
        #expect(fstat(2, &st) == 0)
        #expect(JournalStream.isStandardError(environment: ["JOURNAL_STREAM": "\(st.st_dev):\(st.st_ino)"]))
        #expect(!JournalStream.isStandardError(environment: ["JOURNAL_STREAM": "\(st.st_dev):\(st.st_ino + 1)"]))
        #expect(!JournalStream.isStandardError(environment: [:]))
    }
}
