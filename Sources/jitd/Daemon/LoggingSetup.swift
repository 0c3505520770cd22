import Foundation
import Logging

/// Plain text to standard error, at `JITD_LOG_LEVEL` (default `info`).
enum LoggingSetup {
    static func bootstrap() {
        let level = ProcessInfo.processInfo.environment["JITD_LOG_LEVEL"].flatMap(Logger.Level.init(rawValue:)) ?? .info
        LoggingSystem.bootstrap { label in
            var h = StreamLogHandler.standardError(label: label)
            h.logLevel = level
            return h
        }
    }
}
