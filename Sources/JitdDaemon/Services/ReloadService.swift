import Foundation
import JitdCore
import JitdDispatch
import JitdIngest
import JitdServer
import JitdSystemd
import Logging
import ServiceLifecycle

/// What to reload: everything (SIGHUP) or the catalog alone (its files changed).
enum ReloadKind: Sendable { case all, catalog }

/// Reload requests for ``ReloadService``, which runs them one at a time: SIGHUP (caught from
/// start-up on, since its default action would end the process) asks for a full reload, a change
/// to the catalog files for the catalog's. Requests that arrive while a reload runs make one
/// more reload of what they asked for (a full one includes the catalog).
final class ReloadRequests: @unchecked Sendable {
    let wakeups: AsyncStream<Void>
    private let continuation: AsyncStream<Void>.Continuation
    private let source: any DispatchSourceSignal
    private let lock = NSLock()
    private var pending: Set<ReloadKind> = []

    init() {
        signal(SIGHUP, SIG_IGN)
        (wakeups, continuation) = AsyncStream.makeStream(of: Void.self, bufferingPolicy: .bufferingNewest(1))
        source = DispatchSource.makeSignalSource(signal: SIGHUP, queue: DispatchQueue(label: "jitd.sighup"))
        source.setEventHandler { [unowned self] in request(.all) }
        source.resume()
    }

    func request(_ kind: ReloadKind) {
        lock.withLock { _ = pending.insert(kind) }
        continuation.yield()
    }

    /// What was asked for since the last call: `.all` when anything asked for a full reload.
    func take() -> ReloadKind? {
        lock.withLock {
            defer { pending = [] }
            return pending.contains(.all) ? .all : pending.first
        }
    }

    func finish() {
        continuation.finish()
        source.cancel()
    }
}

/// Runs ``Reloader`` on SIGHUP (`systemctl reload jitd`), telling systemd `RELOADING=1` …
/// `READY=1` around it, and for the catalog alone when its files change (``CatalogWatchService``).
struct ReloadService: Service {
    let runtime: Runtime
    let configPath: String
    let requests: ReloadRequests
    let notifier: SystemdNotifier
    let dispatcher: DispatcherSlot

    func run() async throws {
        await withGracefulShutdownHandler {
            for await _ in requests.wakeups {
                if Task.isShuttingDownGracefully { break }
                switch requests.take() {
                case .all: reload()
                case .catalog: reloader.reloadCatalog()
                case nil: break
                }
            }
        } onGracefulShutdown: {
            requests.finish()
        }
    }

    /// The use case every reload runs.
    var reloader: Reloader { Reloader(runtime: runtime, configPath: configPath, dispatcher: dispatcher) }

    /// Reloads now, telling systemd `RELOADING=1` … `READY=1` around it and recording the
    /// outcome for `jitd reload` (ExecReload=), which waits for it. Returns whether the new
    /// config and catalog are in force.
    @discardableResult
    func reload() -> Bool {
        let started = ReloadOutcome.now()
        notifier.reloading()
        let problems = reloader.reload()
        notifier.ready(status: StatusLine.current(runtime))
        let outcome = ReloadOutcome(pid: getpid(), startedUsec: started, applied: problems.isEmpty, problems: problems)
        do { try outcome.write(stateFolder: runtime.config.statePath) } catch {
            runtime.logger.warning("could not record the reload's outcome for jitd reload: \(error)")
        }
        return outcome.applied
    }
}
