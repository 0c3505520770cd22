import CoreMetrics
import Foundation
import JitdCore
import JitdDispatch
import JitdServer
import JitdStore
import JitdSystemd
import Logging
import ServiceLifecycle

/// The endpoints in force (webhooks and learning record stores); a reload that changes them (a
/// URL, a rotated secret or credential, an endpoint added or removed) replaces them, and ``ReloadableDispatcher`` restarts delivery.
final class DispatcherSlot: @unchecked Sendable {
    private let lock = NSLock()
    private var endpoints: [DispatchEndpoint]
    private var generation = 0
    let changed = ChangeSignal()

    init(_ endpoints: [DispatchEndpoint]) { self.endpoints = endpoints }

    var current: (generation: Int, endpoints: [DispatchEndpoint]) { lock.withLock { (generation, endpoints) } }

    /// Puts new endpoints in force when they differ; returns whether they did.
    @discardableResult
    func replace(_ new: [DispatchEndpoint]) -> Bool {
        let differs = lock.withLock { () -> Bool in
            guard Self.key(new) != Self.key(endpoints) else { return false }
            endpoints = new
            generation += 1
            return true
        }
        if differs { changed.notify() }
        return differs
    }

    private struct Key: Hashable {
        var name: String, url: String, kind: EndpointKind, networks: [CIDR], concurrency: Int
    }

    private static func key(_ list: [DispatchEndpoint]) -> [Key] {
        list.map { Key(name: $0.name, url: $0.url, kind: $0.kind, networks: $0.allowNetworks, concurrency: $0.concurrency) }
    }
}

/// Runs the ``Dispatcher`` for the endpoints in force and, when a reload replaces them, lets the
/// running one finish its deliveries in flight (graceful shutdown of an inner group) before
/// starting the next. Messages left for endpoints that no longer exist go to dead.
struct ReloadableDispatcher: Service {
    let runtime: Runtime
    let slot: DispatcherSlot
    let liveness: Liveness

    private enum Finished { case dispatcher, replaced }

    func run() async throws {
        var first = true
        while !Task.isCancelled && !Task.isShuttingDownGracefully {
            let (generation, endpoints) = slot.current
            if !first {
                let dead = try runtime.store.killOrphans(endpoints: endpoints.map(\.name), now: runtime.now())
                if dead > 0 {
                    runtime.logger.warning("\(dead) queued messages were for endpoints no longer configured; moved to dead")
                    Counter(label: JitdMetric.orphaned).increment(by: Int64(dead))
                }
            }
            first = false
            let liveness = self.liveness, runtime = self.runtime
            let dispatcher = Dispatcher(store: runtime.store, endpoints: endpoints, wake: runtime.outboxChanged, logger: runtime.logger,
                                        clock: DispatchClock(now: runtime.clock), settings: Runtime.dispatchSettings(runtime.config),
                                        onChange: {
                                            liveness.beat(DispatcherLoop.name)
                                            runtime.statusChanged.notify()
                                        },
                                        onExpired: { _ in runtime.planChanged.notify() })
            let inner = ServiceGroup(configuration: .init(
                services: [.init(service: dispatcher, successTerminationBehavior: .gracefullyShutdownGroup,
                                 failureTerminationBehavior: .gracefullyShutdownGroup)],
                logger: runtime.logger))
            let slot = self.slot
            try await withThrowingTaskGroup(of: Finished.self) { group in
                group.addTask {
                    try await inner.run()
                    return .dispatcher
                }
                group.addTask {
                    await withGracefulShutdownHandler {
                        while !Task.isCancelled && !Task.isShuttingDownGracefully && slot.current.generation == generation {
                            await slot.changed.wait(seconds: 3600)
                        }
                    } onGracefulShutdown: {
                        slot.changed.notify()
                    }
                    await inner.triggerGracefulShutdown()
                    return .replaced
                }
                switch try await group.next() {
                case .dispatcher?:
                    // Finished by itself: the outer shutdown reached it, or it stopped on its own.
                    group.cancelAll()
                    _ = try await group.next()
                    if !Task.isCancelled && !Task.isShuttingDownGracefully {
                        throw DaemonFailure(service: "dispatcher", reason: "stopped unexpectedly")
                    }
                case .replaced?, nil:
                    _ = try await group.next()
                }
            }
        }
    }
}
