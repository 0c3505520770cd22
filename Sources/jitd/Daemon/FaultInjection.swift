import Foundation
import Logging
import ServiceLifecycle

/// For tests only, and only in debug builds (a release binary reads neither variable).
/// `JITD_FAULT_STALL_LOOP=planner` (or `inbox`) makes that loop stop taking its turn after
/// start-up, as a wedged loop would, until shutdown; `JITD_FAULT_FAIL_SERVICE=NAME` makes that
/// service of the group fail shortly after start-up.
enum FaultInjection {
    #if DEBUG
    static let stalledLoop = ProcessInfo.processInfo.environment["JITD_FAULT_STALL_LOOP"]
    static let failedService = ProcessInfo.processInfo.environment["JITD_FAULT_FAIL_SERVICE"]
    #else
    static let stalledLoop: String? = nil
    static let failedService: String? = nil
    #endif

    struct InjectedFailure: Error, CustomStringConvertible {
        var description: String { "injected failure (JITD_FAULT_FAIL_SERVICE)" }
    }

    static func failIfRequested(_ service: String) async throws {
        guard failedService == service else { return }
        try await Task.sleep(for: .milliseconds(300))
        throw InjectedFailure()
    }

    static func stallIfRequested(_ loop: String, logger: Logger) async {
        guard stalledLoop == loop else { return }
        logger.warning("JITD_FAULT_STALL_LOOP=\(loop): the \(loop) loop stops here, to test the watchdog")
        try? await gracefulShutdown()
    }
}
