import Foundation
import JitdCore
import JitdDispatch
import JitdIngest
import JitdServer
import JitdStore

extension Runtime {
    /// Puts the modules published in the console in force beside the file catalog and returns
    /// what the console needs from the daemon, or `nil` when `[console] enabled = false`. A
    /// feed secret that cannot be read, or that others may write, stops start-up.
    func startConsole() throws -> ConsoleHooks? {
        let c = config.console
        guard c.enabled else { return nil }
        catalog.replacePublished(try store.livePublishedModules())
        var feedKey: [UInt8]? = nil
        if let file = c.feedSecretFile {
            do {
                let secret = try SecretFile.read(file, what: "console feed secret")
                if let warning = secret.warning { logger.warning("\(warning)") }
                let text = secret.text.trimmingCharacters(in: .whitespacesAndNewlines)
                guard text.utf8.count >= 16 else {
                    StandardError.print("\(config.file): error: [console] feed_secret_file \(secret.path) holds \(text.utf8.count) bytes; write at least 16 random ones (e.g. openssl rand -base64 32 > \(secret.path))")
                    throw DaemonExit(status: 1)
                }
                feedKey = Array(text.utf8)
            } catch let problem as SecretFile.Problem {
                StandardError.print("\(config.file): error: [console] feed_secret_file: \(problem)")
                throw DaemonExit(status: 1)
            }
        }
        let settings = ConsoleSettings(
            trustedProxies: c.trustedProxies.compactMap(CIDR.init), userHeader: c.userHeader,
            proxyRole: c.proxyRole.flatMap(ConsoleRole.init(rawValue:)),
            secureCookies: c.secureCookies == .always ? .always : c.secureCookies == .never ? .never : .auto,
            sessionSeconds: Int64(c.sessionHours) * 3600, idleSeconds: Int64(c.idleMinutes) * 60, feedKey: feedKey)
        return ConsoleHooks(
            settings: settings,
            siteZone: { self.config.siteZone },
            unitZone: { unit in let c = self.config; return c.unitZones[unit] ?? c.siteZone },
            coverage: { self.config.coverage },
            slotMinutes: { self.config.policy.slotMinutes },
            fileModules: { [catalog] in catalog.files },
            readModule: { form, others in
                let zone = self.config.siteZone
                switch PublishedModuleParser.parse(form, zone: zone, catalog: others, fileCatalogIDs: Set(self.catalog.files.map(\.id))) {
                case .success(let (module, warnings)):
                    return .success((module, warnings.map { ModuleFormProblem(field: $0.field, message: $0.message, isError: $0.isError) }))
                case .failure(let problems):
                    return .failure(ModuleFormProblems(problems.items.map { ModuleFormProblem(field: $0.field, message: $0.message, isError: $0.isError) }))
                }
            },
            moduleForm: { m in PublishedModuleParser.form(of: m, zone: self.config.siteZone) },
            publishedChanged: { [catalog, store, planChanged, logger] in
                do { catalog.replacePublished(try store.livePublishedModules()) } catch {
                    logger.error("console: cannot read the published modules: \(error)")
                }
                planChanged.notify()
            },
            latestPlan: { [latestPlan] in latestPlan.current },
            endpoints: { self.config.webhooks.map { ($0.name, $0.url) } },
            circuitThreshold: CircuitBreaker().threshold)
    }
}
