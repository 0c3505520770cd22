// A build of `jitd serve` for the end-to-end tests only, with faults injected by wrapping the
// daemon's services, so that the product's own binary carries no fault switches:
//
//   JITD_FAULT_STALL_LOOP=planner|inbox   that service never takes a turn (a wedged loop): the
//                                         watchdog must be withheld and the status line name it;
//   JITD_FAULT_FAIL_SERVICE=NAME          that service fails 300 ms after start-up: the daemon
//                                         must stop with exit status 1.
//
// Usage: jitd-faults serve --config PATH (the arguments of `jitd serve`).
import Foundation
import JitdDaemon
import ServiceLifecycle

/// Waits for shutdown without ever running the service it stands for.
struct Stalled: Service {
    func run() async throws { try? await gracefulShutdown() }
}

/// Fails shortly after start-up.
struct Failing: Service {
    struct InjectedFailure: Error, CustomStringConvertible {
        var description: String { "injected failure (JITD_FAULT_FAIL_SERVICE)" }
    }

    func run() async throws {
        try await Task.sleep(for: .milliseconds(300))
        throw InjectedFailure()
    }
}

let env = ProcessInfo.processInfo.environment
let stalled = env["JITD_FAULT_STALL_LOOP"], failed = env["JITD_FAULT_FAIL_SERVICE"]
let args = CommandLine.arguments
guard args.count == 4, args[1] == "serve", args[2] == "--config" else {
    FileHandle.standardError.write(Data("usage: jitd-faults serve --config PATH\n".utf8))
    exit(2)
}
let options = DaemonOptions(wrapService: { name, service in
    if name == stalled { return Stalled() }
    if name == failed { return Failing() }
    return service
})
do {
    try await Daemon.serve(configPath: args[3], options: options)
} catch let e as DaemonExit {
    exit(e.status)
}
