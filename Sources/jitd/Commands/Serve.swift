import ArgumentParser
import Foundation
import JitdCore
import JitdDispatch
import JitdIngest
import JitdServer
import JitdStore
import JitdSystemd
import Logging
import ServiceLifecycle

/// `jitd serve`: the daemon.
struct Serve: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Run the daemon.")

    @Option(help: "The config file.") var config = "/etc/jitd/jitd.toml"

    func run() async throws {
        LoggingSetup.bootstrap()
        let logger = Logger(label: "jitd")
        let notifier = SystemdNotifier()
        let cfg = loadConfigOrExit(config)
        let modules = loadCatalogOrExit(cfg)
        let store: Store
        do {
            try FileManager.default.createDirectory(atPath: cfg.statePath, withIntermediateDirectories: true)
            store = try Store(path: cfg.databasePath)
        } catch {
            printError("\(cfg.databasePath): error: cannot open the database: \(error)")
            throw ExitCode(1)
        }
        let runtime = Runtime(config: cfg, store: store, modules: modules, logger: logger)
        let endpoints: [DispatchEndpoint]
        do { endpoints = try runtime.dispatchEndpoints() } catch {
            printError("\(cfg.file): error: \(error)")
            throw ExitCode(1)
        }
        let orphans = try store.killOrphans(endpoints: endpoints.map(\.name), now: runtime.clock())
        if orphans > 0 { logger.warning("\(orphans) queued messages were for endpoints no longer configured; moved to dead") }

        let heartbeat = Heartbeat()
        let inbox = InboxService(runtime: runtime, heartbeat: heartbeat)
        let planner = PlannerService(runtime: runtime, heartbeat: heartbeat)
        var scanner = InboxScanner(inbox: cfg.inboxPath, maxBytes: cfg.limits.maxInboxFileBytes)
        try scanner.prepare()
        let waiting = inbox.processReady(&scanner, settle: false)
        try planner.replan()

        let readiness = Readiness()
        let api = APIServer.makeApplication(store: store, tokens: try APITokenFiles.load(cfg.api, logger: logger),
                                            readiness: readiness, host: cfg.api.host, port: cfg.api.port, logger: logger)
        let dispatcher = Dispatcher(store: store, endpoints: endpoints, wake: runtime.outboxChanged, logger: logger,
                                    now: runtime.clock)
        let status = StatusService(runtime: runtime, heartbeat: heartbeat, notifier: notifier)
        let group = ServiceGroup(configuration: .init(
            services: ([inbox, planner, dispatcher, api, status] as [any Service]).map {
                .init(service: $0, successTerminationBehavior: .gracefullyShutdownGroup, failureTerminationBehavior: .gracefullyShutdownGroup)
            },
            gracefulShutdownSignals: [.sigterm, .sigint],
            logger: logger))
        readiness.markReady()
        notifier.ready(status: status.line())
        logger.notice("jitd ready: \(modules.count) modules, \(endpoints.count) webhook endpoints, \(waiting) inbox files at start-up, API on \(cfg.api.host):\(cfg.api.port)")
        do {
            try await group.run()
        } catch {
            logger.critical("stopping after a fatal error: \(error)")
            notifier.stopping()
            throw ExitCode(1)
        }
        notifier.stopping()
        logger.notice("jitd stopped")
    }
}

/// Reads the API's token files (or their systemd credentials).
enum APITokenFiles {
    static func load(_ api: APIConfig, logger: Logger) throws -> APITokens {
        func read(_ file: String?) throws -> String? {
            guard let file else { return nil }
            let path = CredentialFile.resolve(file, environment: ProcessInfo.processInfo.environment)
            guard let data = FileManager.default.contents(atPath: path),
                  let text = String(data: data, encoding: .utf8)?.trimmingCharacters(in: .whitespacesAndNewlines), text.count >= 16 else {
                printError("\(path): error: cannot read the API token, or it is shorter than 16 characters")
                throw ExitCode(1)
            }
            return text
        }
        let tokens = APITokens(readWrite: try read(api.tokenFile), readOnly: try read(api.readTokenFile))
        if tokens.readWrite == nil && tokens.readOnly == nil {
            logger.warning("no [api] token_file is configured: every /v1 request is refused")
        }
        return tokens
    }
}
