import CSystemd
import Foundation
import Logging

/// A swift-log handler that writes natively to the systemd journal through `sd_journal_sendv(3)`.
///
/// Each event becomes one journal entry with `MESSAGE=`, `PRIORITY=`, `CODE_FILE=`, `CODE_LINE=`,
/// `CODE_FUNC=`, `SYSLOG_IDENTIFIER=`, `JITD_LOGGER=` (the logger's label) and one `JITD_*` field per
/// metadata key (`jitd_unit` → `JITD_UNIT`), so `journalctl -u jitd JITD_UNIT=MICU` finds the
/// entries about one unit. Secrets and staff names are redacted by key (``LogRedaction``).
///
/// If the journal cannot be reached (no `/run/systemd/journal/socket`), the entry goes to standard
/// error as a text line instead, so nothing is lost.
public struct JournalLogHandler: LogHandler {
    public var logLevel: Logger.Level = .info
    public var metadata: Logger.Metadata = [:]
    public var metadataProvider: Logger.MetadataProvider?
    public let label: String
    public let identifier: String

    /// - Parameters:
    ///   - label: the logger's label, sent as `JITD_LOGGER=`.
    ///   - identifier: `SYSLOG_IDENTIFIER=`, what `journalctl -t` filters on.
    public init(label: String, identifier: String = "jitd", metadataProvider: Logger.MetadataProvider? = nil) {
        self.label = label
        self.identifier = identifier
        self.metadataProvider = metadataProvider
    }

    public subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    public func log(event: LogEvent) {
        let record = LogRecord(label: label, event: event, handlerMetadata: metadata, provider: metadataProvider)
        if Self.send(Self.fields(record, identifier: identifier)) < 0 {
            StandardErrorWriter.write(LogLine.text(record, timestamp: LogLine.timestamp()))
        }
    }

    /// The journal fields of one record, in the order they are sent.
    public static func fields(_ r: LogRecord, identifier: String) -> [String] {
        var out = [
            "MESSAGE=\(r.message)",
            "PRIORITY=\(JournalFields.priority(r.level))",
            "CODE_FILE=\(r.file)",
            "CODE_LINE=\(r.line)",
            "CODE_FUNC=\(r.function)",
            "SYSLOG_IDENTIFIER=\(identifier)",
            "JITD_LOGGER=\(r.label)",
        ]
        var seen: Set<String> = ["JITD_LOGGER"]
        for (k, v) in r.metadata {
            let name = JournalFields.name(forMetadataKey: k)
            // Two keys that map to one field name keep the first; the journal would keep both,
            // which makes matches surprising.
            if seen.insert(name).inserted { out.append("\(name)=\(v)") }
        }
        return out
    }

    /// Sends fields as one entry; returns `sd_journal_sendv`'s result (negative errno on failure).
    @discardableResult
    public static func send(_ fields: [String]) -> Int32 {
        var bytes: [UInt8] = []
        var ranges: [(start: Int, count: Int)] = []
        for f in fields {
            let start = bytes.count
            bytes.append(contentsOf: f.utf8)
            ranges.append((start, bytes.count - start))
        }
        guard !bytes.isEmpty else { return -EINVAL }
        return bytes.withUnsafeMutableBytes { raw -> Int32 in
            guard let base = raw.baseAddress else { return -EINVAL }
            let iov = ranges.map { iovec(iov_base: base + $0.start, iov_len: $0.count) }
            return iov.withUnsafeBufferPointer { sd_journal_sendv($0.baseAddress, Int32($0.count)) }
        }
    }
}
