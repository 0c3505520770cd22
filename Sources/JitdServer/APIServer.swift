import Foundation
import Hummingbird
import JitdCore
import JitdStore
import Logging
import NIOCore
import ServiceLifecycle

/// Whether the daemon has finished starting (database open, catalog loaded, inbox scanned, first plan made).
public final class Readiness: @unchecked Sendable {
    private let lock = NSLock()
    private var ready = false
    public init() {}
    public var isReady: Bool { lock.withLock { ready } }
    public func markReady() { lock.withLock { ready = true } }
}

/// What the API needs from the daemon beyond the store: the clock, the catalog in force, and
/// the way to tell the planner and the dispatcher that something changed.
public struct APIHooks: Sendable {
    public var now: @Sendable () -> Instant
    /// The modules of the catalog in force.
    public var modules: @Sendable () -> [Module]
    /// How far ahead the planner plans (progress counts staff rostered up to this far ahead).
    public var horizonSeconds: @Sendable () -> Int64
    /// Asks the planner to plan again soon (after a completion or decline).
    public var replan: @Sendable () -> Void
    /// Wakes the dispatcher (messages were queued or put back).
    public var outboxChanged: @Sendable () -> Void
    /// The `assignment.cancelled` events for an assignment cancelled with a reason at an instant,
    /// each with the endpoints that want it.
    public var cancelledEvents: @Sendable (Assignment, String, Instant) -> [(WebhookEvent, [String])]
    /// The statements of a learning event (acknowledged, declined, completed) for the learning
    /// record stores that want it, each with its store.
    public var learningEvents: LearningEventRouter

    public init(now: @escaping @Sendable () -> Instant = { Instant(seconds: Int64(Date().timeIntervalSince1970)) },
                modules: @escaping @Sendable () -> [Module] = { [] },
                horizonSeconds: @escaping @Sendable () -> Int64 = { 48 * 3600 },
                replan: @escaping @Sendable () -> Void = {},
                outboxChanged: @escaping @Sendable () -> Void = {},
                cancelledEvents: @escaping @Sendable (Assignment, String, Instant) -> [(WebhookEvent, [String])] = { _, _, _ in [] },
                learningEvents: @escaping LearningEventRouter = { _ in [] }) {
        self.now = now
        self.modules = modules
        self.horizonSeconds = horizonSeconds
        self.replan = replan
        self.outboxChanged = outboxChanged
        self.cancelledEvents = cancelledEvents
        self.learningEvents = learningEvents
    }
}

/// Sizes past which the API refuses a request.
public struct APILimits: Sendable {
    /// Largest request body, in bytes (larger is a 413).
    public var maxBodyBytes: Int
    /// Most completions in one `POST /v1/completions`.
    public var maxCompletions: Int

    public init(maxBodyBytes: Int = 4 << 20, maxCompletions: Int = 10_000) {
        self.maxBodyBytes = maxBodyBytes
        self.maxCompletions = maxCompletions
    }
}

/// The HTTP API: health, readiness, metrics, the OpenAPI document and the `/v1` routes for integrators.
public enum APIServer {
    public static func makeApplication(store: Store, tokens: APITokenSource, readiness: Readiness, host: String, port: Int,
                                       logger: Logger, hooks: APIHooks = APIHooks(), metrics: MetricsExposition? = nil,
                                       limits: APILimits = APILimits(), console: ConsoleHooks? = nil) -> some ApplicationProtocol {
        let router = makeRouter(store: store, tokens: tokens, readiness: readiness, logger: logger, hooks: hooks, metrics: metrics,
                                limits: limits, console: console)
        return Application(router: router, configuration: .init(address: .hostname(host, port: port), serverName: "jitd"),
                           logger: logger)
    }

    /// The router alone, for callers that build the `Application` themselves (e.g. on a systemd socket).
    public static func makeRouter(store: Store, tokens: APITokenSource, readiness: Readiness, logger: Logger,
                                  hooks: APIHooks = APIHooks(), metrics: MetricsExposition? = nil,
                                  limits: APILimits = APILimits(), console: ConsoleHooks? = nil) -> Router<JitdRequestContext> {
        let table = makeRouteTable(store: store, tokens: tokens, readiness: readiness, logger: logger, hooks: hooks,
                                   metrics: metrics, limits: limits, console: console)
        return table.router
    }

    static func makeRouteTable(store: Store, tokens: APITokenSource, readiness: Readiness, logger: Logger,
                               hooks: APIHooks, metrics: MetricsExposition?, limits: APILimits,
                               console: ConsoleHooks? = nil) -> RouteTable {
        let router = Router(context: JitdRequestContext.self, options: .autoGenerateHeadEndpoints)
        let routes = RouteTable(router)
        let gate = console.map { ConsoleGate(store: store, hooks: hooks, console: $0, logger: logger) }
        // Outermost first: metrics see the final status; problems shape every error; one
        // authorisation check for every route, API and console.
        router.add(middleware: HTTPMetricsMiddleware())
        router.add(middleware: ProblemMiddleware(logger: logger, maxBodyBytes: limits.maxBodyBytes))
        router.add(middleware: Authorization(tokens: tokens, routes: routes.access, console: gate))
        routes.get("/healthz", access: .open) { _, _ in JSONResponse.make(.object(["status": .string("ok")])) }
        routes.get("/readyz", access: .open) { _, _ in
            guard readiness.isReady else { throw Problem(status: .serviceUnavailable, detail: "jitd is still starting") }
            if let problem = store.health.problem {
                throw Problem(status: .serviceUnavailable, detail: "the database cannot be written (\(problem)); see the log, and check the disk")
            }
            return JSONResponse.make(.object(["status": .string("ready")]))
        }
        routes.get("/metrics", access: .open) { _, _ in
            let text = try await StoreThreads.run { () -> [UInt8] in
                var text: [UInt8] = []
                if let metrics {
                    metrics.beforeScrape() // reads the store's counts
                    metrics.registry.emit(into: &text)
                }
                return text
            }
            return JSONResponse.bytes(text, contentType: "text/plain; version=0.0.4; charset=utf-8")
        }
        routes.get("/openapi.json", access: .open) { _, _ in JSONResponse.bytes(OpenAPIDocument.bytes) }
        AssignmentRoutes(store: store, hooks: hooks).register(routes)
        CompletionRoutes(store: store, hooks: hooks, limits: limits).register(routes)
        ModuleRoutes(store: store, hooks: hooks).register(routes)
        DeliveryRoutes(store: store, hooks: hooks).register(routes)
        InboxRoutes(store: store).register(routes)
        if let gate, let console { ConsoleRoutes(store: store, api: hooks, hooks: console, gate: gate, logger: logger).register(routes) }
        routes.finish()
        return routes
    }
}

/// Registers routes and remembers them, so that every path also answers OPTIONS (204 with
/// `Allow`) and its other methods with 405 (with `Allow`), and so tests can compare the routes
/// with the OpenAPI document.
final class RouteTable: @unchecked Sendable {
    typealias Handler = @Sendable (Request, JitdRequestContext) async throws -> Response
    let router: Router<JitdRequestContext>
    /// What each path needs (``Authorization`` reads it).
    let access = RouteAccessTable()
    /// Paths in registration order, each with its methods.
    private(set) var paths: [(path: String, methods: [HTTPRequest.Method])] = []

    init(_ router: Router<JitdRequestContext>) { self.router = router }

    func get(_ path: String, access: RouteAccess = .token, _ handler: @escaping Handler) { add(path, .get, access, handler) }
    func post(_ path: String, access: RouteAccess = .token, _ handler: @escaping Handler) { add(path, .post, access, handler) }

    private func add(_ path: String, _ method: HTTPRequest.Method, _ access: RouteAccess, _ handler: @escaping Handler) {
        self.access.set(path, access)
        router.on(RouterPath(path), method: method, use: handler)
        if let i = paths.firstIndex(where: { $0.path == path }) { paths[i].methods.append(method) } else { paths.append((path, [method])) }
    }

    /// Methods a client may try that a path does not serve.
    static var probedMethods: [HTTPRequest.Method] {
        [.get, .head, .post, .put, .delete, .patch, .trace] + [HTTPRequest.Method("QUERY")].compactMap { $0 }
    }

    func finish() {
        for (path, methods) in paths {
            var allowed = methods
            if methods.contains(.get) { allowed.append(.head) }
            allowed.append(.options)
            let allow = allowed.map(\.rawValue).joined(separator: ", ")
            router.on(RouterPath(path), method: .options) { _, _ in
                Response(status: .noContent, headers: [.allow: allow])
            }
            for m in Self.probedMethods where !allowed.contains(m) {
                router.on(RouterPath(path), method: m) { request, _ -> Response in
                    throw Problem(status: .methodNotAllowed, detail: "\(path) does not answer \(request.method); it answers \(allow)",
                                  headers: [.allow: allow])
                }
            }
        }
    }
}
