import Foundation
import ServiceLifecycle

/// SIGTERM and SIGINT caught from the first moment of `serve`, before the service group (which
/// handles them once it runs) exists. A stop asked for during start-up (while the inbox waiting
/// at start-up is applied, say) then stops the group gracefully as soon as it starts, with exit
/// 0, rather than killing the process half-way through its start.
final class StartupTermination: @unchecked Sendable {
    private let lock = NSLock()
    private var requested = false
    private var group: ServiceGroup?
    private var sources: [any DispatchSourceSignal] = []

    init() {
        for sig in [SIGTERM, SIGINT] {
            signal(sig, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: sig, queue: DispatchQueue(label: "jitd.startup-signal"))
            source.setEventHandler { [weak self] in self?.request() }
            source.resume()
            sources.append(source)
        }
    }

    private func request() {
        let group: ServiceGroup? = lock.withLock {
            requested = true
            return self.group
        }
        if let group { Task { await group.triggerGracefulShutdown() } }
    }

    /// Hands over to the group: a stop already asked for is passed on before it runs.
    func attach(_ group: ServiceGroup) async {
        let already: Bool = lock.withLock {
            self.group = group
            return requested
        }
        if already { await group.triggerGracefulShutdown() }
    }
}
