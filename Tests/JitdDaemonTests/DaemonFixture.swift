import Foundation
import Logging
@testable import JitdCore
@testable import JitdDaemon
@testable import JitdIngest
@testable import JitdStore

/// The daemon's real use cases and store on a temporary folder, under a clock the test moves:
/// roster files applied through the inbox use case, plans made and saved by the re-plan use
/// case, messages delivered by the outbox's own claim and finish, as receivers that answer or not.
final class DaemonFixture: @unchecked Sendable {
    let dir: String
    let clock: ManualClock
    let runtime: Runtime
    var store: Store { runtime.store }
    /// What each endpoint accepted: (message, when).
    private(set) var received: [String: [(OutboxMessage, Instant)]] = [:]

    /// `config` is the text of a jitd.toml without `[paths]`; `catalog` the text of a TOML catalog.
    init(config: String, catalog: String, at start: Instant) throws {
        dir = NSTemporaryDirectory() + "jitd-daemon-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: dir + "/inbox", withIntermediateDirectories: true)
        try catalog.write(toFile: dir + "/catalog.toml", atomically: true, encoding: .utf8)
        let secret: String = "whsec_" + Data(repeating: 7, count: 32).base64EncodedString() + "\n"
        for name in ["paging", "chat"] {
            let path: String = dir + "/" + name + ".secret"
            try secret.write(toFile: path, atomically: true, encoding: .utf8)
            chmod(path, 0o600)
        }
        let text = "[paths]\nstate = \"state\"\ninbox = \"inbox\"\ncatalog = \"catalog.toml\"\n" + config
        try text.write(toFile: dir + "/jitd.toml", atomically: true, encoding: .utf8)
        let cfg = try ConfigLoader.load(path: dir + "/jitd.toml").value
        let modules = try CatalogParser.load(path: cfg.catalogPath, zone: cfg.siteZone).value
        try FileManager.default.createDirectory(atPath: cfg.statePath, withIntermediateDirectories: true)
        clock = ManualClock(start)
        var logger = Logger(label: "jitd-test")
        logger.logLevel = .error
        runtime = Runtime(config: cfg, store: try Store(path: cfg.databasePath), modules: modules, logger: logger, clock: clock)
    }

    /// A webhook endpoint `name` for every event, as config lines.
    static func webhook(_ name: String) -> String {
        """
        [[webhook]]
        name = "\(name)"
        url = "https://\(name).example.org/jitd"
        secret_file = "\(name).secret"
        events = ["*"]

        """
    }

    var now: Instant { clock.now() }

    func advance(minutes: Int) { clock.advance(seconds: Int64(minutes) * 60) }

    /// Drops a roster or completions file into the inbox and applies it.
    func drop(_ name: String, _ text: String) throws {
        let path = dir + "/inbox/" + name
        try text.write(toFile: path, atomically: true, encoding: .utf8)
        InboxFileApplier(runtime: runtime).process(InboxCandidate(name: name, path: path, size: text.utf8.count, refusal: nil))
    }

    @discardableResult
    func replan() throws -> (Plan, PlanChange) { try Replanner(runtime: runtime).replan() }

    /// Every due message of `endpoint` is answered `status` (2xx: delivered; else retried in a
    /// minute); expiries happen as the dispatcher's sweeper does them.
    func deliver(_ endpoint: String, status: Int = 204) throws {
        try store.expireLate(now: now)
        for m in try store.claimDue(now: now, limit: 10_000, leaseSeconds: 30, endpoint: endpoint) {
            if (200..<300).contains(status) {
                try store.finish(m, DeliveryResult(outcome: .delivered, status: status, error: nil, durationMs: 1), now: now)
                received[endpoint, default: []].append((m, now))
            } else {
                try store.finish(m, DeliveryResult(outcome: .retry(at: now.adding(seconds: 60)), status: status, error: "HTTP \(status)",
                                                   durationMs: 1), now: now)
            }
        }
    }

    /// The bodies of what `endpoint` accepted, of one event type.
    func events(_ endpoint: String, _ type: String) -> [[String: Any]] {
        (received[endpoint] ?? []).filter { $0.0.type == type }.compactMap { m, _ in
            ((try? JSONSerialization.jsonObject(with: m.body)) as? [String: Any])?["data"] as? [String: Any]
        }
    }

    /// Every `assignment.scheduled` any endpoint accepted, once per assignment id.
    func told() -> [String: [String: Any]] {
        var out: [String: [String: Any]] = [:]
        for endpoint in received.keys {
            for d in events(endpoint, "assignment.scheduled") { if let id = d["id"] as? String { out[id] = d } }
        }
        return out
    }

    func state(_ id: String) throws -> AssignmentState? { try store.assignment(id: id)?.state }

    static func utc(_ text: String) -> Instant { Instant(rfc3339: text)! }
}
