import Foundation
import JitdCore
import JitdDispatch
import JitdIngest
import JitdSystemd
import Logging
import ServiceLifecycle

/// SIGHUP, caught from start-up on (its default action would end the process) and queued for
/// ``ReloadService``; hang-ups that arrive while one reload runs make one more reload.
final class HangupSignal: @unchecked Sendable {
    let hangups: AsyncStream<Void>
    private let continuation: AsyncStream<Void>.Continuation
    private let source: any DispatchSourceSignal

    init() {
        signal(SIGHUP, SIG_IGN)
        (hangups, continuation) = AsyncStream.makeStream(of: Void.self, bufferingPolicy: .bufferingNewest(1))
        source = DispatchSource.makeSignalSource(signal: SIGHUP, queue: DispatchQueue(label: "jitd.sighup"))
        let continuation = self.continuation
        source.setEventHandler { continuation.yield() }
        source.resume()
    }

    func finish() {
        continuation.finish()
        source.cancel()
    }
}

/// Re-reads the config and the catalog on SIGHUP (`systemctl reload jitd`), telling systemd
/// `RELOADING=1` … `READY=1` around it.
///
/// A reload is all or nothing: a config or catalog with any error, or a webhook secret that
/// cannot be read, is refused whole; the config and catalog in force stay, the problems are
/// logged, and `STATUS=` says the reload was refused until a later one succeeds. What only a
/// restart can change (`[paths]`, `[api]`, `[limits]`) keeps its old value, with a warning.
struct ReloadService: Service {
    let runtime: Runtime
    let configPath: String
    let hangups: HangupSignal
    let notifier: SystemdNotifier
    let dispatcher: DispatcherSlot

    func run() async throws {
        await withGracefulShutdownHandler {
            for await _ in hangups.hangups {
                if Task.isShuttingDownGracefully { break }
                reload()
            }
        } onGracefulShutdown: {
            hangups.finish()
        }
    }

    /// Reloads now; returns whether the new config and catalog are in force.
    @discardableResult
    func reload() -> Bool {
        notifier.reloading()
        let log = runtime.logger
        log.notice("reloading \(configPath) and the catalog")
        let applied: Bool
        switch prepare() {
        case .failure(let refusal):
            for p in refusal.problems { log.error("reload refused: \(p)") }
            log.error("reload refused; the config and catalog in force are unchanged")
            runtime.status.setReloadProblem(refusal.problems.first ?? "unknown error")
            applied = false
        case .success(let next):
            apply(next)
            runtime.status.setReloadProblem(nil)
            applied = true
        }
        runtime.statusChanged.notify()
        notifier.ready(status: StatusLine.current(runtime))
        return applied
    }

    struct Prepared {
        var config: Config
        var modules: [Module]
        var endpoints: [DispatchEndpoint]
        var warnings: [String]
        var keptOld: [String]
    }

    struct Refusal: Error {
        var problems: [String]
    }

    /// Reads and checks everything; touches nothing in force.
    func prepare() -> Result<Prepared, Refusal> {
        let old = runtime.config
        var config: Config
        var warnings: [String] = []
        do {
            let parsed = try ConfigLoader.load(path: configPath)
            config = parsed.value
            warnings += parsed.warnings.map(\.description)
        } catch {
            return .failure(Refusal(problems: Self.lines(error.errors.isEmpty ? error.items : error.errors)))
        }
        var keptOld: [String] = []
        if config.statePath != old.statePath { keptOld.append("[paths] state"); config.statePath = old.statePath }
        if config.inboxPath != old.inboxPath { keptOld.append("[paths] inbox"); config.inboxPath = old.inboxPath }
        if config.api != old.api { keptOld.append("[api]"); config.api = old.api }
        if config.limits != old.limits { keptOld.append("[limits]"); config.limits = old.limits }
        let modules: [Module]
        do {
            let parsed = try CatalogParser.load(path: config.catalogPath, zone: config.siteZone)
            modules = parsed.value
            warnings += parsed.warnings.map(\.description)
        } catch {
            return .failure(Refusal(problems: Self.lines(error.errors.isEmpty ? error.items : error.errors)))
        }
        let endpoints: [DispatchEndpoint]
        do { endpoints = try Runtime.dispatchEndpoints(config) } catch {
            return .failure(Refusal(problems: ["\(config.file): error: \(error)"]))
        }
        return .success(Prepared(config: config, modules: modules, endpoints: endpoints, warnings: warnings, keptOld: keptOld))
    }

    func apply(_ next: Prepared) {
        let log = runtime.logger
        for w in next.warnings { log.warning("\(w)") }
        if !next.keptOld.isEmpty {
            log.warning("\(next.keptOld.joined(separator: ", ")) changed in \(configPath); restart jitd to apply (the old values stay in force until then)")
        }
        runtime.replaceConfig(next.config)
        runtime.catalog.replace(next.modules)
        let restarted = dispatcher.replace(next.endpoints)
        runtime.planChanged.notify()
        log.notice("reloaded: \(next.modules.count) modules, \(next.config.coverage.count) coverage rules, \(next.endpoints.count) webhook endpoints\(restarted ? " (dispatcher restarting with the new endpoints)" : "")")
    }

    static func lines(_ items: [Diagnostic]) -> [String] { items.map(\.description) }
}
