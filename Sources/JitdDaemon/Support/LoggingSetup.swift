import Foundation
import JitdSystemd
import Logging

/// Sends swift-log to the journal or to standard error, at `JITD_LOG_LEVEL` (default `info`).
///
/// `JITD_LOG_FORMAT` chooses where: `auto` (the default) logs natively to the journal when
/// standard error is connected to it (systemd's `JOURNAL_STREAM`), else plain text; `journal`,
/// `text` and `json` force one. Either way secrets and staff names are redacted by key.
enum LoggingSetup {
    static func bootstrap(environment env: [String: String] = ProcessInfo.processInfo.environment) {
        var problems: [String] = []
        let level: Logger.Level
        if let text = env["JITD_LOG_LEVEL"] {
            if let l = Logger.Level(rawValue: text.lowercased()) { level = l } else {
                level = .info
                problems.append("JITD_LOG_LEVEL=\(text) is not one of \(Logger.Level.allCases.map(\.rawValue).joined(separator: ", ")); using info")
            }
        } else {
            level = .info
        }
        let stderrIsJournal = JournalStream.isStandardError(environment: env)
        let destination: LogDestination
        if let d = LogDestination.choose(requested: env["JITD_LOG_FORMAT"], stderrIsJournal: stderrIsJournal) {
            destination = d
        } else {
            destination = LogDestination.choose(requested: nil, stderrIsJournal: stderrIsJournal) ?? .standardError(.text)
            problems.append("JITD_LOG_FORMAT=\(env["JITD_LOG_FORMAT"] ?? "") is not one of auto, journal, text, json; using \(destination)")
        }
        LoggingSystem.bootstrap(destination.makeHandler(level: level, stderrIsJournal: stderrIsJournal))
        let logger = Logger(label: "jitd")
        for p in problems { logger.warning("\(p)") }
    }
}
