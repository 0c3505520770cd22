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

/// The HTTP API: health, readiness and the `/v1` routes for integrators.
public enum APIServer {
    public static func makeApplication(store: Store, tokens: APITokens, readiness: Readiness, host: String, port: Int,
                                       logger: Logger) -> some ApplicationProtocol {
        let router = Router(context: BasicRequestContext.self)
        router.get("/healthz") { _, _ in JSONResponse.make(.object(["status": .string("ok")])) }
        router.get("/readyz") { _, _ in
            readiness.isReady ? JSONResponse.make(.object(["status": .string("ready")]))
                : Problem(status: .serviceUnavailable, title: "Starting", detail: "jitd is still starting").response
        }
        let v1 = router.group("/v1").add(middleware: BearerAuth(tokens: tokens))
        AssignmentRoutes(store: store).register(v1)
        return Application(router: router, configuration: .init(address: .hostname(host, port: port), serverName: "jitd"),
                           logger: logger)
    }
}
