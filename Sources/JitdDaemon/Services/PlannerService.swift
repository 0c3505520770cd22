import Foundation
import JitdCore
import JitdIngest
import JitdStore
import JitdSystemd
import Logging
import ServiceLifecycle

/// Re-plans when something changed (a roster, completions, the catalog) and on a timer, and saves
/// the plan with its outbox messages in one transaction.
///
/// The loop comes back to its wait at least every `beatPeriod` (half the watchdog timeout under
/// systemd) and beats ``Liveness`` each time, re-planning only when a change arrived or the
/// replan interval ran out: the watchdog sees a loop that is really going round, not one that
/// merely planned within the last `replan_interval_minutes`.
struct PlannerService: Service {
    let runtime: Runtime
    let liveness: Liveness
    var beatPeriod: Duration = .seconds(60)
    /// How long one plan may keep the loop away before the watchdog counts it as stuck.
    var planBudget: Duration = .seconds(300)

    static let loopName = "planner"

    func run() async throws {
        // Changes arrive on `runtime.planChanged` from any service; a forwarder turns each into a
        // flag plus a wake-up of the loop's own signal, so the loop can tell "something changed"
        // from "time to beat" without racing the signal's timer.
        let wake = ChangeSignal()
        let changed = ChangeFlag()
        await withGracefulShutdownHandler {
            await withTaskGroup(of: Void.self) { group in
                group.addTask {
                    while !Task.isCancelled && !Task.isShuttingDownGracefully {
                        await runtime.planChanged.wait(seconds: 3600)
                        changed.set()
                        wake.notify()
                    }
                }
                group.addTask { await loop(wake: wake, changed: changed) }
                await group.next()
                group.cancelAll()
            }
        } onGracefulShutdown: {
            runtime.planChanged.notify()
            wake.notify()
        }
    }

    private func loop(wake: ChangeSignal, changed: ChangeFlag) async {
        let clock = ContinuousClock()
        var nextPlan = clock.now + replanInterval
        while !Task.isCancelled && !Task.isShuttingDownGracefully {
            let untilPlan = clock.now.duration(to: nextPlan)
            await wake.wait(seconds: Self.seconds(min(max(untilPlan, .zero), beatPeriod)))
            if Task.isCancelled || Task.isShuttingDownGracefully { break }
            liveness.beat(Self.loopName)
            // At each turn, whether the database still takes a write (for /readyz).
            await Self.planning.perform { runtime.store.probeWrite(now: runtime.now()) }
            guard changed.take() || clock.now >= nextPlan else { continue }
            liveness.busy(Self.loopName, for: planBudget)
            await Self.planning.perform {
                do {
                    try Replanner(runtime: runtime).replan(quietIfUnchanged: true)
                    runtime.store.health.writeSucceeded(.planner)
                } catch {
                    runtime.store.health.writeFailed(.planner, error)
                    runtime.logger.error("planning failed: \(error); trying again on the next change")
                }
            }
            liveness.beat(Self.loopName)
            nextPlan = clock.now + replanInterval
        }
    }

    /// Plans are made on a queue of their own, not on Swift's cooperative pool (one thread a
    /// core): a big hospital's plan takes seconds of CPU, and saving it may wait for SQLite's
    /// write lock behind an inbox file; webhook deliveries and the API must go on meanwhile.
    static let planning = DispatchQueue(label: "jitd.planner")

    private var replanInterval: Duration { .seconds(max(1, runtime.config.policy.replanIntervalMinutes) * 60) }

    static func seconds(_ d: Duration) -> Double {
        let c = d.components
        return Double(c.seconds) + Double(c.attoseconds) / 1e18
    }

    /// Plans from the store's current state and saves the result (the use case).
    @discardableResult
    func replan() throws -> (Plan, PlanChange) { try Replanner(runtime: runtime).replan() }
}

/// A flag set by one task and taken (read and cleared) by another.
final class ChangeFlag: @unchecked Sendable {
    private let lock = NSLock()
    private var value = false

    func set() { lock.withLock { value = true } }

    /// Whether the flag was set since the last take; clears it.
    func take() -> Bool { lock.withLock { defer { value = false }; return value } }
}
