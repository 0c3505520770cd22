import Foundation
import Logging

/// Where the daemon's logs go: natively to the journal, or to standard error as text or JSON.
public enum LogDestination: Equatable, Sendable {
    case journal
    case standardError(StandardErrorLogHandler.Format)

    /// Chooses from `JITD_LOG_FORMAT` (`auto`, `journal`, `text`, `json`; `auto` when unset):
    /// `auto` logs to the journal when standard error is connected to it (systemd sets
    /// `JOURNAL_STREAM` to its device and inode), else text. An unknown value is `nil`.
    public static func choose(requested: String?, stderrIsJournal: Bool) -> LogDestination? {
        switch requested?.lowercased() ?? "auto" {
        case "auto", "": return stderrIsJournal ? .journal : .standardError(.text)
        case "journal": return .journal
        case "text": return .standardError(.text)
        case "json": return .standardError(.json)
        default: return nil
        }
    }

    /// A handler factory for `LoggingSystem.bootstrap`.
    public func makeHandler(level: Logger.Level, stderrIsJournal: Bool) -> @Sendable (String) -> any LogHandler {
        switch self {
        case .journal:
            return { label in
                var h = JournalLogHandler(label: label)
                h.logLevel = level
                return h
            }
        case .standardError(let format):
            // Under systemd with text on standard error the journal stamps each line itself.
            let timestamps = !(stderrIsJournal && format == .text)
            return { label in
                var h = StandardErrorLogHandler(label: label, format: format, timestamps: timestamps)
                h.logLevel = level
                return h
            }
        }
    }
}

/// Whether standard error is the journal's stream, per `JOURNAL_STREAM` (see systemd.exec(5)).
public enum JournalStream {
    /// `JOURNAL_STREAM` is `DEVICE:INODE` of the stream systemd connected; it is inherited by
    /// children whose standard error goes elsewhere, so it must match fd 2 itself.
    public static func isStandardError(environment: [String: String] = ProcessInfo.processInfo.environment) -> Bool {
        guard let value = environment["JOURNAL_STREAM"] else { return false }
        var st = stat()
        guard fstat(2, &st) == 0 else { return false }
        return matches(value, device: UInt64(st.st_dev), inode: UInt64(st.st_ino))
    }

    public static func matches(_ value: String, device: UInt64, inode: UInt64) -> Bool {
        let parts = value.split(separator: ":")
        guard parts.count == 2, let d = UInt64(parts[0]), let i = UInt64(parts[1]) else { return false }
        return d == device && i == inode
    }
}
