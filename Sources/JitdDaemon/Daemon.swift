import Foundation
import JitdCore
import JitdDispatch
import JitdIngest
import JitdServer
import JitdStore
import JitdSystemd
import Logging
import ServiceLifecycle

/// What a caller may change in how the daemon is put together: the clock, and a wrapper around
/// each service of the group (tests inject failures that way, from outside the product's code).
public struct DaemonOptions: Sendable {
    public var clock: any WallClock
    /// Given each service with its name (`planner`, `inbox`, `dispatcher`, …), returns what runs instead.
    public var wrapService: (@Sendable (String, any Service) -> any Service)?

    public init(clock: any WallClock = SystemClock(), wrapService: (@Sendable (String, any Service) -> any Service)? = nil) {
        self.clock = clock
        self.wrapService = wrapService
    }
}

/// The status the process should exit with, after a problem already reported on standard error.
public struct DaemonExit: Error, Sendable {
    public var status: Int32
    public init(status: Int32) { self.status = status }
}

/// `jitd serve`: the daemon put together from its services, each a thin loop around one use case.
public enum Daemon {
    /// Runs `jitd serve` on the config at `configPath` until SIGTERM or SIGINT, or a failure.
    /// Throws ``DaemonExit`` with the status the process should end with after a problem it has
    /// already reported on standard error.
    public static func serve(configPath config: String, options: DaemonOptions = DaemonOptions()) async throws {
        LoggingSetup.bootstrap()
        let metricsRegistry = DaemonMetrics.bootstrap()
        let logger = Logger(label: "jitd")
        let notifier = SystemdNotifier()
        let reloads = ReloadRequests() // from now on SIGHUP reloads instead of ending the process
        let termination = StartupTermination() // and SIGTERM stops it gracefully, even during start-up
        let passedSockets = notifier.listenFDs()
        let cfg = try StartupFiles.config(config)
        let modules = try StartupFiles.catalog(cfg)
        let store = try Self.openStore(cfg, exclusive: true)
        let tokens = APITokenSource(try APITokenFiles.load(cfg.api, logger: logger))
        let runtime = Runtime(config: cfg, store: store, modules: modules, logger: logger, tokens: tokens, clock: options.clock)
        let console = try runtime.startConsole()
        let endpoints: [DispatchEndpoint]
        do { endpoints = try runtime.dispatchEndpoints(warn: { logger.warning("\($0)") }) } catch {
            StandardError.print("\(cfg.file): error: \(error)")
            throw DaemonExit(status: 1)
        }
        let orphans = try store.killOrphans(endpoints: endpoints.map(\.name), now: runtime.now())
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
                                            metrics: try DaemonMetrics.exposition(metricsRegistry, store: store, now: runtime.clock),
                                            console: console)
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
        ], grace: grace, logger: logger, wrap: options.wrapService)
        await termination.attach(group)
        readiness.markReady()
        notifier.ready(status: StatusLine.current(runtime))
        logger.notice("jitd ready: \(modules.count) modules, \(endpoints.count) endpoints (\(cfg.webhooks.count) webhooks, \(cfg.lrs.count) learning record stores), \(waiting) inbox files at start-up, API on \(apiWhere)")
        do {
            try await group.run()
        } catch {
            logger.critical("jitd stopped after a fatal error: \(error)")
            notifier.stopping(status: "stopped after a fatal error: \(error)")
            Self.closeStore(store, logger: logger)
            throw DaemonExit(status: 1)
        }
        notifier.stopping()
        Self.closeStore(store, logger: logger)
        logger.notice("jitd stopped")
    }

    /// Folds the write-ahead log into the database (and truncates it) and closes the writer, so
    /// a stopped daemon leaves one self-contained file to copy or back up. Every service has
    /// stopped by now; a failure only means the WAL stays, for the next start to read.
    static func closeStore(_ store: Store, logger: Logger) {
        do {
            try store.pool.writeWithoutTransaction { try $0.checkpoint(.truncate) }
            try store.pool.close()
        } catch {
            logger.warning("could not checkpoint and close the database at exit (the next start reads its log): \(error)")
        }
    }

    /// Opens the database; `exclusive` (the daemon) first takes the state folder's lock.
    public static func openStore(_ cfg: Config, exclusive: Bool = false) throws -> Store {
        try? FileManager.default.createDirectory(atPath: cfg.statePath, withIntermediateDirectories: true)
        if exclusive {
            do { try StateLock.acquire(stateFolder: cfg.statePath) } catch {
                StandardError.print(error.message)
                throw DaemonExit(status: 1)
            }
        }
        do {
            return try Store(path: cfg.databasePath)
        } catch {
            StandardError.print("\(cfg.databasePath): error: cannot open the database: \(error)")
            throw DaemonExit(status: 1)
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
            StandardError.print("\(cfg.file): error: [api] listen: \(error)")
            throw DaemonExit(status: 1)
        }
    }

    /// One group; graceful shutdown runs from the last service to the first.
    static func serviceGroup(_ services: [(String, any Service)], grace: Duration, logger: Logger,
                             wrap: (@Sendable (String, any Service) -> any Service)?) -> ServiceGroup {
        var config = ServiceGroupConfiguration(
            services: services.map { name, service in
                .init(service: Supervised(name: name, service: wrap?(name, service) ?? service, logger: logger),
                      successTerminationBehavior: .gracefullyShutdownGroup, failureTerminationBehavior: .gracefullyShutdownGroup)
            },
            gracefulShutdownSignals: [.sigterm, .sigint],
            logger: logger)
        config.maximumGracefulShutdownDuration = grace
        config.maximumCancellationDuration = .seconds(5)
        return ServiceGroup(configuration: config)
    }
}
