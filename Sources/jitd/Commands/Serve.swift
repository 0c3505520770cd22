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
        let metricsRegistry = DaemonMetrics.bootstrap()
        let logger = Logger(label: "jitd")
        let notifier = SystemdNotifier()
        let reloads = ReloadRequests() // from now on SIGHUP reloads instead of ending the process
        let termination = StartupTermination() // and SIGTERM stops it gracefully, even during start-up
        let passedSockets = notifier.listenFDs()
        let cfg = loadConfigOrExit(config)
        let modules = loadCatalogOrExit(cfg)
        let store = try Self.openStore(cfg, exclusive: true)
        let tokens = APITokenSource(try APITokenFiles.load(cfg.api, logger: logger))
        let runtime = Runtime(config: cfg, store: store, modules: modules, logger: logger, tokens: tokens)
        let endpoints: [DispatchEndpoint]
        do { endpoints = try runtime.dispatchEndpoints(warn: { logger.warning("\($0)") }) } catch {
            printError("\(cfg.file): error: \(error)")
            throw ExitCode(1)
        }
        let orphans = try store.killOrphans(endpoints: endpoints.map(\.name), now: runtime.clock())
        if orphans > 0 { logger.warning("\(orphans) queued messages were for endpoints no longer configured; moved to dead") }

        let timing = WatchdogTiming(interval: notifier.watchdogInterval)
        let liveness = Liveness(loops: [PlannerService.loopName, InboxService.loopName, DispatcherLoop.name])
        let inbox = InboxService(runtime: runtime, liveness: liveness, beatPeriod: timing.beatPeriod)
        let planner = PlannerService(runtime: runtime, liveness: liveness, beatPeriod: timing.beatPeriod)
        var scanner = InboxScanner(inbox: cfg.inboxPath, maxBytes: cfg.limits.maxInboxFileBytes)
        try scanner.prepare()
        let waiting = await inbox.startupScan(&scanner)
        try planner.replan()

        let (apiSocket, apiWhere) = try Self.apiSocket(passed: passedSockets, cfg, logger)
        let readiness = Readiness()
        let app = APIServer.makeApplication(store: store, tokens: tokens,
                                            readiness: readiness, host: cfg.api.host, port: cfg.api.port, logger: logger,
                                            hooks: runtime.apiHooks,
                                            metrics: try DaemonMetrics.exposition(metricsRegistry, store: store, now: runtime.clock))
        let api = ListeningSocketServer(app: app, listeningSocket: apiSocket)
        let slot = DispatcherSlot(endpoints)
        let dispatcher = ReloadableDispatcher(runtime: runtime, slot: slot, liveness: liveness)
        let status = StatusService(runtime: runtime, liveness: liveness, notifier: notifier, timing: timing)
        let reload = ReloadService(runtime: runtime, configPath: config, requests: reloads, notifier: notifier, dispatcher: slot)
        let catalogWatch = CatalogWatchService(runtime: runtime, requests: reloads)
        let grace = ShutdownGrace.fromEnvironment()
        // Graceful shutdown runs from the last service to the first: say STOPPING=1, stop taking
        // requests and files, finish deliveries in flight, and keep the watchdog fed to the end.
        let group = Self.serviceGroup([
            ("status", status), ("dispatcher", dispatcher), ("planner", planner), ("inbox", inbox),
            ("reload", reload), ("catalog-watch", catalogWatch), ("api", api), ("shutdown", ShutdownNotice(runtime: runtime, notifier: notifier, grace: grace)),
        ], grace: grace, logger: logger)
        await termination.attach(group)
        readiness.markReady()
        notifier.ready(status: StatusLine.current(runtime))
        logger.notice("jitd ready: \(modules.count) modules, \(endpoints.count) webhook endpoints, \(waiting) inbox files at start-up, API on \(apiWhere)")
        do {
            try await group.run()
        } catch {
            logger.critical("jitd stopped after a fatal error: \(error)")
            notifier.stopping(status: "stopped after a fatal error: \(error)")
            throw ExitCode(1)
        }
        notifier.stopping()
        logger.notice("jitd stopped")
    }

    /// Opens the database; `exclusive` (the daemon) first takes the state folder's lock.
    static func openStore(_ cfg: Config, exclusive: Bool = false) throws -> Store {
        try? FileManager.default.createDirectory(atPath: cfg.statePath, withIntermediateDirectories: true)
        if exclusive {
            do { try StateLock.acquire(stateFolder: cfg.statePath) } catch {
                printError(error.message)
                throw ExitCode(1)
            }
        }
        do {
            return try Store(path: cfg.databasePath)
        } catch {
            printError("\(cfg.databasePath): error: cannot open the database: \(error)")
            throw ExitCode(1)
        }
    }

    /// The API's socket: the one systemd passed (jitd.socket, FileDescriptorName=api), else bind
    /// `[api] listen` now, so a port in use fails start-up before READY=1. Returns it and where it listens.
    static func apiSocket(passed: [(name: String, fd: Int32)], _ cfg: Config, _ logger: Logger) throws -> (Int32, String) {
        if let fd = SystemdNotifier.pick(passed, named: "api"), SystemdNotifier.isListeningStreamSocket(fd) {
            return (fd, "the socket passed by systemd" + (APIListener.localPort(fd).map { " (port \($0))" } ?? ""))
        }
        if !passed.isEmpty {
            logger.warning("systemd passed sockets \(passed.map(\.name)) but none named 'api'; binding [api] listen")
        }
        do { return (try APIListener.bind(host: cfg.api.host, port: cfg.api.port), "\(cfg.api.host):\(cfg.api.port)") } catch {
            printError("\(cfg.file): error: [api] listen: \(error)")
            throw ExitCode(1)
        }
    }

    /// One group; graceful shutdown runs from the last service to the first.
    static func serviceGroup(_ services: [(String, any Service)], grace: Duration, logger: Logger) -> ServiceGroup {
        var config = ServiceGroupConfiguration(
            services: services.map { name, service in
                .init(service: Supervised(name: name, service: service, logger: logger),
                      successTerminationBehavior: .gracefullyShutdownGroup, failureTerminationBehavior: .gracefullyShutdownGroup)
            },
            gracefulShutdownSignals: [.sigterm, .sigint],
            logger: logger)
        config.maximumGracefulShutdownDuration = grace
        config.maximumCancellationDuration = .seconds(5)
        return ServiceGroup(configuration: config)
    }
}

/// Reads the API's token files (or their systemd credentials), through ``SecretFile``: a token
/// file others may write is refused, one others may read is taken with a warning.
enum APITokenFiles {
    struct Problem: Error, CustomStringConvertible {
        var description: String
    }

    static func read(_ api: APIConfig, warn: (String) -> Void) throws(Problem) -> APITokens {
        func read(_ file: String?) throws(Problem) -> String? {
            guard let file else { return nil }
            let secret: SecretText
            do { secret = try SecretFile.read(file, what: "API token") } catch { throw Problem(description: error.description) }
            if let w = secret.warning { warn(w) }
            let text = secret.text.trimmingCharacters(in: .whitespacesAndNewlines)
            guard text.count >= 16 else {
                throw Problem(description: "the API token in \(secret.path) is shorter than 16 characters; generate one with: head -c 32 /dev/urandom | base64")
            }
            return text
        }
        return APITokens(readWrite: try read(api.tokenFile), readOnly: try read(api.readTokenFile))
    }

    /// At start-up: a token that cannot be used stops jitd.
    static func load(_ api: APIConfig, logger: Logger) throws -> APITokens {
        let tokens: APITokens
        do { tokens = try read(api, warn: { logger.warning("\($0)") }) } catch {
            printError("error: \(error)")
            throw ExitCode(1)
        }
        if tokens.readWrite == nil && tokens.readOnly == nil {
            logger.warning("no [api] token_file is configured: every /v1 request is refused")
        }
        return tokens
    }
}
