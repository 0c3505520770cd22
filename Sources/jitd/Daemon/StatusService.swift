import Foundation
import JitdCore
import JitdSystemd
import Logging
import ServiceLifecycle

/// Keeps systemd's `STATUS=` line current and pets the watchdog only while the planner and
/// inbox loops prove they are alive.
struct StatusService: Service {
    let runtime: Runtime
    let heartbeat: Heartbeat
    let notifier: SystemdNotifier

    func run() async throws {
        let period = notifier.watchdogInterval ?? .seconds(15)
        let staleAfter = Double(runtime.config.policy.replanIntervalMinutes * 60) * 2 + 60
        while !Task.isCancelled && !Task.isShuttingDownGracefully {
            if heartbeat.allAlive(within: staleAfter) {
                notifier.watchdog()
            } else {
                runtime.logger.error("a daemon loop has stopped answering; withholding the watchdog so systemd restarts jitd")
            }
            notifier.status(line())
            try? await Task.sleep(for: period)
        }
    }

    /// One short human line: what systemctl status shows.
    func line() -> String {
        let queue = (try? runtime.store.queueCounts()) ?? [:]
        let assignments = (try? runtime.store.assignmentCounts()) ?? [:]
        return "planned \(assignments["planned", default: 0]), notified \(assignments["notified", default: 0]); queue \(queue["pending", default: 0]) pending, \(queue["dead", default: 0]) dead"
    }
}
