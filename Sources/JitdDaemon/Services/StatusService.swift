import Foundation
import JitdCore
import JitdStore
import JitdSystemd
import Logging
import ServiceLifecycle

/// Keeps systemd's `STATUS=` line current and feeds the watchdog, but only while every loop of
/// the daemon proves it is alive (``Liveness``).
///
/// `WATCHDOG=1` goes out every `watchdogInterval` (half of `WATCHDOG_USEC`), from this task, after
/// asking ``Liveness`` whether the planner, inbox and dispatcher loops took their turn recently.
/// While one has not, the watchdog is withheld (and the status line says which loop), so systemd
/// restarts a wedged daemon. `STATUS=` is re-sent whenever what it shows changed.
struct StatusService: Service {
    let runtime: Runtime
    let liveness: Liveness
    let notifier: SystemdNotifier
    let timing: WatchdogTiming
    /// A due message left waiting this long means the dispatcher is not taking its turn.
    var dispatcherOverdueSeconds: Int64 = 120

    func run() async throws {
        guard notifier.isActive else {
            try? await gracefulShutdown()
            return
        }
        liveness.beatAll()
        let clock = ContinuousClock()
        let tick = timing.interval ?? .seconds(30)
        var nextTick = clock.now
        var lastLine = ""
        var withheld = false
        await withGracefulShutdownHandler {
            while !Task.isCancelled && !Task.isShuttingDownGracefully {
                if clock.now >= nextTick {
                    if !dispatcherHasOverdueWork() { liveness.beat(DispatcherLoop.name) }
                    let silent = liveness.silent(longerThan: timing.allowedSilence)
                    if silent.isEmpty {
                        if timing.interval != nil { notifier.watchdog() }
                        if withheld {
                            runtime.logger.notice("every daemon loop answers again; feeding the watchdog")
                            withheld = false
                        }
                        runtime.status.setWatchdogProblem(nil)
                    } else {
                        let what = silent.map { "\($0.loop) loop silent for \(Self.wholeSeconds($0.silence)) s" }.joined(separator: ", ")
                        runtime.status.setWatchdogProblem("watchdog withheld: " + what)
                        if !withheld {
                            runtime.logger.critical("\(what); withholding the watchdog so that systemd restarts jitd")
                            withheld = true
                        }
                    }
                    nextTick = max(nextTick + tick, clock.now)
                }
                if !runtime.status.isStopping {
                    let line = StatusLine.current(runtime)
                    if line != lastLine {
                        notifier.status(line)
                        lastLine = line
                    }
                }
                await runtime.statusChanged.wait(seconds: PlannerService.seconds(clock.now.duration(to: nextTick)))
            }
        } onGracefulShutdown: {
            runtime.statusChanged.notify()
        }
    }

    /// Whether a message has been due for a while without the dispatcher taking it.
    func dispatcherHasOverdueWork() -> Bool {
        let cutoff = runtime.now().seconds - dispatcherOverdueSeconds
        let config = runtime.config
        return (config.webhooks.map(\.name) + config.lrs.map(\.name)).contains { name in
            ((try? runtime.store.nextDue(endpoint: name)) ?? nil).map { $0.seconds < cutoff } ?? false
        }
    }

    static func wholeSeconds(_ d: Duration) -> Int64 { d.components.seconds }
}

/// How often the loops beat and the watchdog is fed, from the watchdog systemd armed.
struct WatchdogTiming: Sendable {
    /// Half of `WATCHDOG_USEC`; `nil` when no watchdog is armed.
    let interval: Duration?

    init(interval: Duration?) { self.interval = interval }

    /// How long a loop may wait before it comes back to beat: the watchdog interval, or a
    /// minute when nobody watches (so an idle daemon hardly ever wakes).
    var beatPeriod: Duration { interval ?? .seconds(60) }

    /// How long a loop may stay silent before it counts as stuck: two beat periods and a second.
    var allowedSilence: Duration { beatPeriod * 2 + .seconds(1) }
}

/// What the status line shows, gathered from the services.
final class DaemonStatus: @unchecked Sendable {
    private struct OnShift { var staff: String; var unit: String; var interval: Interval }
    private let lock = NSLock()
    private var shifts: [OnShift] = []
    private var reloadProblem: String?
    private var watchdogProblem: String?
    private var staleUnits: [String] = []
    private var stopping = false

    /// Keeps the working shifts of the latest planning snapshot, to count who is on shift.
    func record(shifts list: [Shift]) {
        let kept = list.filter { $0.kind == .shift }.map { OnShift(staff: $0.staffID, unit: $0.unit, interval: $0.interval) }
        lock.withLock { shifts = kept }
    }

    /// Units with someone on shift at `now`, and the people on shift.
    func onShift(at now: Instant) -> (units: Int, staff: Int) {
        lock.withLock {
            var units = Set<String>(), staff = Set<String>()
            for s in shifts where s.interval.contains(now) {
                units.insert(s.unit)
                staff.insert(s.staff)
            }
            return (units.count, staff.count)
        }
    }

    func setReloadProblem(_ p: String?) { lock.withLock { reloadProblem = p } }
    func setWatchdogProblem(_ p: String?) { lock.withLock { watchdogProblem = p } }
    func setStaleUnits(_ u: [String]) { lock.withLock { staleUnits = u } }
    func markStopping() { lock.withLock { stopping = true } }
    var isStopping: Bool { lock.withLock { stopping } }
    var problems: [String] {
        lock.withLock {
            [reloadProblem.map { "reload refused, old config in force: " + $0 }, watchdogProblem,
             staleUnits.isEmpty ? nil : "roster stale (no shift ahead): " + staleUnits.joined(separator: ", ")].compactMap { $0 }
        }
    }
}

/// The one short line `systemctl status jitd` shows.
enum StatusLine {
    static func current(_ runtime: Runtime) -> String {
        let (units, staff) = runtime.status.onShift(at: runtime.now())
        let a = (try? runtime.store.assignmentCounts()) ?? [:]
        let q = (try? runtime.store.queueCounts()) ?? [:]
        var line = "\(count(units, "unit")), \(staff) staff on shift, \(count(a["planned", default: 0] + a["notified", default: 0], "assignment")) due, "
            + "queue \(q["pending", default: 0] + q["leased", default: 0]), \(q["dead", default: 0]) dead"
        let disabled = ((try? runtime.store.disabledEndpoints()) ?? [:]).keys.sorted()
        if !disabled.isEmpty { line += "; endpoint disabled (410 Gone): " + disabled.joined(separator: ", ") }
        for p in runtime.status.problems { line += "; " + p }
        return line.count > 400 ? String(line.prefix(399)) + "…" : line
    }

    static func count(_ n: Int, _ noun: String) -> String { "\(n) \(noun)\(n == 1 ? "" : "s")" }
}

/// Names the dispatcher for ``Liveness``.
enum DispatcherLoop {
    static let name = "dispatcher"
}

/// Runs one of the daemon's services, turning a failure or an unexpected return into a clear
/// critical log line naming the service, and an error that stops the group with a non-zero exit.
struct Supervised: Service {
    let name: String
    let service: any Service
    let logger: Logger

    func run() async throws {
        do {
            try await service.run()
        } catch {
            if Task.isCancelled { throw error }
            logger.critical("the \(name) service failed: \(error); stopping jitd")
            throw DaemonFailure(service: name, reason: "\(error)")
        }
        if !Task.isCancelled && !Task.isShuttingDownGracefully {
            logger.critical("the \(name) service stopped unexpectedly; stopping jitd")
            throw DaemonFailure(service: name, reason: "stopped unexpectedly")
        }
    }
}

struct DaemonFailure: Error, CustomStringConvertible {
    var service: String
    var reason: String
    var description: String { "the \(service) service failed: \(reason)" }
}

/// The first service told to shut down (it is last in the group): says `STOPPING=1` at once,
/// while the others finish their work in reverse order.
struct ShutdownNotice: Service {
    let runtime: Runtime
    let notifier: SystemdNotifier
    let grace: Duration

    func run() async throws {
        do { try await gracefulShutdown() } catch { return }
        runtime.status.markStopping()
        let seconds = grace.components.seconds
        notifier.stopping(status: "shutting down: deliveries in flight get up to \(seconds) s")
        runtime.logger.notice("shutting down: taking no new work; deliveries in flight get up to \(seconds) s")
    }
}

/// The graceful shutdown budget: `JITD_SHUTDOWN_GRACE_SECONDS` (default 25, below the unit's
/// `TimeoutStopSec=45s`); past it, work still running is cancelled and its messages are retried
/// after the restart.
enum ShutdownGrace {
    static func fromEnvironment(_ env: [String: String] = ProcessInfo.processInfo.environment) -> Duration {
        let seconds = env["JITD_SHUTDOWN_GRACE_SECONDS"].flatMap(Double.init).map { max(0, min($0, 3600)) } ?? 25
        return .milliseconds(Int64(seconds * 1000))
    }
}
