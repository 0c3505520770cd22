import Foundation
import Hummingbird
import HummingbirdTesting
import Logging
import Metrics
import NIOCore
import NIOFoundationCompat
import Prometheus
import Testing
@testable import JitdCore
@testable import JitdServer
@testable import JitdStore

let readWriteToken = "rw-token-0123456789"
let readOnlyToken = "ro-token-0123456789"
let rw: HTTPFields = [.authorization: "Bearer \(readWriteToken)"]
let ro: HTTPFields = [.authorization: "Bearer \(readOnlyToken)"]
let t0 = Instant(rfc3339: "2026-11-24T12:00:00Z")!

/// swift-metrics can be bootstrapped once per process: every test shares this registry.
enum TestMetrics {
    static let registry: PrometheusCollectorRegistry = {
        let r = PrometheusCollectorRegistry()
        MetricsSystem.bootstrap(JitdMetricsFactory(registry: r))
        return r
    }()
}

/// What the API told the daemon, for tests to look at.
final class HookLog: @unchecked Sendable {
    private let lock = NSLock()
    private var _replans = 0
    private var _wakes = 0
    var replans: Int { lock.withLock { _replans } }
    var wakes: Int { lock.withLock { _wakes } }
    func replan() { lock.withLock { _replans += 1 } }
    func wake() { lock.withLock { _wakes += 1 } }
}

/// A store with a few assignments and an API over it, on a fixed clock.
struct Fixture {
    let store: Store
    let log = HookLog()
    var now = t0
    var modules: [Module] = [
        Module(id: "m", title: "Sepsis bundle", minutes: 10, roles: ["RN"], units: ["*"], published: t0.adding(seconds: -86_400 * 30)),
        Module(id: "fire", title: "Fire safety", minutes: 10, roles: ["*"], units: ["MICU"], published: t0.adding(seconds: -86_400 * 30),
               recurDays: 365),
    ]

    init() throws {
        let dir = NSTemporaryDirectory() + "jitd-api-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        store = try Store(path: dir + "/jitd.sqlite")
        _ = TestMetrics.registry
    }

    /// Three planned assignments of module `m`: a_0 (s0, MICU, 12:00), a_1 (s1, MICU, 13:00), a_2 (s2, 5W, 14:00),
    /// each with an `assignment.scheduled` message for endpoint `paging`.
    func seedAssignments() throws {
        let a = (0..<3).map { i in
            Assignment(id: "a_\(i)", staffID: "s\(i)", moduleID: "m", unit: i == 2 ? "5W" : "MICU", role: "RN",
                       interval: Interval(start: t0.adding(minutes: 60 * i + 60), end: t0.adding(minutes: 60 * i + 70)))
        }
        try save(a)
    }

    func save(_ a: [Assignment]) throws {
        let plan = Plan(generatedAt: t0, horizon: Interval(start: t0, end: t0.adding(minutes: 2880)), assignments: a, unmet: [],
                        understaffed: [], cancellations: [], needsTotal: a.count, weightPlaced: 0, weightTotal: 0, fairness: FairnessStats())
        let m = modules[0]
        _ = try store.savePlan(plan, now: t0, leadSeconds: 600, scheduled: { a in
            [(WebhookEvent.assignmentScheduled(a, module: m, name: nil, at: t0), ["paging"])]
        }, cancelled: { _, _ in [] })
    }

    func setState(_ id: String, _ state: AssignmentState) throws {
        try store.pool.write { try $0.execute(sql: "UPDATE assignment SET state = ? WHERE id = ?", arguments: [state.rawValue, id]) }
    }

    var hooks: APIHooks {
        let log = self.log, now = self.now, modules = self.modules
        return APIHooks(now: { now }, modules: { modules }, horizonSeconds: { 48 * 3600 }, replan: { log.replan() },
                        outboxChanged: { log.wake() },
                        cancelledEvents: { a, reason, at in [(WebhookEvent.assignmentCancelled(a, reason: reason, at: at), ["paging"])] })
    }

    func app(ready: Bool = true, limits: APILimits = APILimits(), metrics: MetricsExposition? = nil) -> some ApplicationProtocol {
        let readiness = Readiness()
        if ready { readiness.markReady() }
        var logger = Logger(label: "jitd-test")
        logger.logLevel = .warning
        return APIServer.makeApplication(store: store, tokens: APITokenSource(APITokens(readWrite: readWriteToken, readOnly: readOnlyToken)),
                                         readiness: readiness, host: "127.0.0.1", port: 0, logger: logger, hooks: hooks,
                                         metrics: metrics, limits: limits)
    }

    /// Runs `body` against the real server on a loopback port.
    func live(ready: Bool = true, limits: APILimits = APILimits(), metrics: MetricsExposition? = nil,
              _ body: @escaping @Sendable (any TestClientProtocol) async throws -> Void) async throws {
        try await app(ready: ready, limits: limits, metrics: metrics).test(.live) { client in try await body(client) }
    }
}

extension TestResponse {
    /// The body as a JSON object.
    var json: [String: Any] {
        (try? JSONSerialization.jsonObject(with: Data(buffer: body))) as? [String: Any] ?? [:]
    }

    var text: String { String(buffer: body) }

    /// Whether this is an RFC 9457 problem document with the response's status.
    var isProblem: Bool {
        headers[.contentType] == "application/problem+json" && (json["status"] as? Int) == Int(status.code)
            && json["title"] is String && json["type"] is String
    }
}

func body(_ object: Any) -> ByteBuffer {
    ByteBuffer(data: try! JSONSerialization.data(withJSONObject: object))
}

func jsonHeaders(_ auth: HTTPFields = rw) -> HTTPFields {
    var h = auth
    h[.contentType] = "application/json"
    return h
}
