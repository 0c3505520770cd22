import Foundation
import Logging

/// A swift-log handler for standard error: one plain text line, or one JSON object, per event.
///
/// Used when the daemon runs outside systemd, or under systemd with `JITD_LOG_FORMAT=text|json`.
/// Metadata is redacted by key like the journal handler's (``LogRedaction``).
public struct StandardErrorLogHandler: LogHandler {
    public enum Format: String, Sendable, CaseIterable {
        /// `2026-11-24T12:00:00.123Z notice jitd: message key=value`
        case text
        /// `{"ts":"…","level":"notice","logger":"jitd","msg":"…","key":"value","file":…,"line":…,"func":…}`
        case json
    }

    public var logLevel: Logger.Level = .info
    public var metadata: Logger.Metadata = [:]
    public var metadataProvider: Logger.MetadataProvider?
    public let label: String
    public let format: Format
    /// Whether text lines start with a timestamp (the journal adds its own).
    public let timestamps: Bool

    public init(label: String, format: Format, timestamps: Bool = true, metadataProvider: Logger.MetadataProvider? = nil) {
        self.label = label
        self.format = format
        self.timestamps = timestamps
        self.metadataProvider = metadataProvider
    }

    public subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    public func log(event: LogEvent) {
        StandardErrorWriter.write(render(LogRecord(label: label, event: event, handlerMetadata: metadata, provider: metadataProvider)))
    }

    /// The line written for a record, newline included.
    public func render(_ r: LogRecord) -> String {
        switch format {
        case .text: return LogLine.text(r, timestamp: timestamps ? LogLine.timestamp() : nil)
        case .json: return LogLine.json(r, timestamp: LogLine.timestamp())
        }
    }
}

/// Writes whole lines to file descriptor 2, one `write(2)` per line under a lock, so lines from
/// different threads never interleave.
enum StandardErrorWriter {
    private static let lock = NSLock()

    static func write(_ line: String) {
        var bytes = Array(line.utf8)
        lock.withLock {
            var offset = 0
            while offset < bytes.count {
                let n = bytes.withUnsafeMutableBytes { Glibc.write(2, $0.baseAddress! + offset, $0.count - offset) }
                if n < 0 && errno == EINTR { continue }
                if n <= 0 { return }
                offset += n
            }
        }
        bytes.removeAll()
    }
}
