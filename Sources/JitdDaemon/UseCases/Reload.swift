import Foundation
import JitdCore
import JitdDispatch
import JitdIngest
import JitdServer
import Logging

/// The use case "reload": the config and the catalog (and the secrets and tokens they name) read
/// again and put in force whole, or refused whole with every problem logged; or the catalog
/// alone, after its files changed.
///
/// A reload is all or nothing: a config or catalog with any error, or a webhook secret that
/// cannot be read, is refused whole; the config and catalog in force stay, the problems are
/// logged, and the status line says the reload was refused until a later one succeeds. What only
/// a restart can change (`[paths]`, `[api] listen`, `[limits]`) keeps its old value, with a warning.
public struct Reloader: Sendable {
    let runtime: Runtime
    let configPath: String
    let dispatcher: DispatcherSlot

    /// Reloads now; returns the problems that refused it (empty: the new config and catalog are
    /// in force).
    @discardableResult
    public func reload() -> [String] {
        let log = runtime.logger
        log.notice("reloading \(configPath) and the catalog")
        var problems: [String] = []
        switch prepare() {
        case .failure(let refusal):
            for p in refusal.problems { log.error("reload refused: \(p)") }
            log.error("reload refused; the config and catalog in force are unchanged")
            runtime.status.setReloadProblem(refusal.problems.first ?? "unknown error")
            problems = refusal.problems.isEmpty ? ["unknown error"] : refusal.problems
        case .success(let next):
            apply(next)
            runtime.status.setReloadProblem(nil)
        }
        runtime.statusChanged.notify()
        return problems
    }

    /// Re-reads the catalog after its files changed; returns whether the new one is in force.
    /// A catalog with any error is refused whole: the one in force stays, and each problem is
    /// logged as its `FILE:LINE: error:` line.
    @discardableResult
    public func reloadCatalog() -> Bool {
        let log = runtime.logger
        let config = runtime.config
        do {
            let parsed = try CatalogParser.load(path: config.catalogPath, zone: config.siteZone)
            for w in parsed.warnings { log.warning("\(w)") }
            runtime.catalog.replace(parsed.value)
            runtime.status.setReloadProblem(nil)
            runtime.planChanged.notify()
            log.notice("catalog changed: reloaded \(config.catalogPath), \(parsed.value.count) modules")
            runtime.statusChanged.notify()
            return true
        } catch {
            for p in Self.lines(error.errors.isEmpty ? error.items : error.errors) { log.error("catalog change refused: \(p)") }
            log.error("catalog change refused; the catalog in force is unchanged")
            runtime.status.setReloadProblem(error.items.first?.description ?? "unknown error")
            runtime.statusChanged.notify()
            return false
        }
    }

    struct Prepared {
        var config: Config
        var modules: [Module]
        var endpoints: [DispatchEndpoint]
        var tokens: APITokens
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
        // The listening address needs a restart; the token files' contents (and which files) do not.
        if config.api.host != old.api.host || config.api.port != old.api.port {
            keptOld.append("[api] listen")
            config.api.host = old.api.host
            config.api.port = old.api.port
        }
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
        do { endpoints = try Runtime.dispatchEndpoints(config, warn: { warnings.append($0) }) } catch {
            return .failure(Refusal(problems: ["\(config.file): error: \(error)"]))
        }
        // The token files are read again: a changed token is in force after the reload.
        let tokens: APITokens
        do { tokens = try APITokenFiles.read(config.api, warn: { warnings.append($0) }) } catch {
            return .failure(Refusal(problems: ["\(config.file): error: \(error)"]))
        }
        return .success(Prepared(config: config, modules: modules, endpoints: endpoints, tokens: tokens, warnings: warnings, keptOld: keptOld))
    }

    func apply(_ next: Prepared) {
        let log = runtime.logger
        for w in next.warnings { log.warning("\(w)") }
        if !next.keptOld.isEmpty {
            log.warning("\(next.keptOld.joined(separator: ", ")) changed in \(configPath); restart jitd to apply (the old values stay in force until then)")
        }
        runtime.replaceConfig(next.config)
        runtime.catalog.replace(next.modules)
        let tokensChanged = runtime.tokens.current.readWrite != next.tokens.readWrite || runtime.tokens.current.readOnly != next.tokens.readOnly
        runtime.tokens.replace(with: next.tokens)
        if tokensChanged { log.notice("API tokens changed: the new ones are in force, the old ones no longer open /v1") }
        let restarted = dispatcher.replace(next.endpoints)
        runtime.planChanged.notify()
        log.notice("reloaded: \(next.modules.count) modules, \(next.config.coverage.count) coverage rules, \(next.endpoints.count) endpoints (\(next.config.webhooks.count) webhooks, \(next.config.lrs.count) learning record stores)\(restarted ? " (dispatcher restarting with the new endpoints)" : "")")
    }

    static func lines(_ items: [Diagnostic]) -> [String] { items.map(\.description) }
}
