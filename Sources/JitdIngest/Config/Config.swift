import JitdCore

/// `jitd.toml`, checked and with every path made absolute.
public struct Config: Sendable {
    /// The config file itself; relative paths inside it are relative to its folder.
    public var file: String
    public var siteZone: Zone
    public var statePath: String
    public var inboxPath: String
    public var catalogPath: String
    public var policy: Policy
    public var units: [CareUnit]
    public var coverage: [CoverageRule]
    public var webhooks: [WebhookEndpoint]
    public var api: APIConfig
    public var limits: Limits
    public var queue: QueueConfig = QueueConfig()
    public var console: ConsoleConfig = ConsoleConfig()
    /// `[[lrs]]`: learning record stores that receive xAPI statements.
    public var lrs: [LRSEndpoint] = []

    public var unitZones: [String: Zone] { Dictionary(units.map { ($0.name, $0.zone) }, uniquingKeysWith: { a, _ in a }) }
    /// The policy of each unit whose `[[unit]]` table overrides `[policy]`, for `PlanningInput.unitPolicies`.
    public var unitPolicies: [String: Policy] {
        Dictionary(units.compactMap { u in u.policy.map { (u.name, $0) } }, uniquingKeysWith: { a, _ in a })
    }
    public var databasePath: String { statePath + "/jitd.sqlite" }
}

/// One `[[webhook]]`: an integrator's endpoint.
public struct WebhookEndpoint: Sendable, Hashable {
    public var name: String
    public var url: String
    /// One secret file, or two while a secret is rotated (each is used to sign).
    public var secretFiles: [String]
    /// Event type patterns: `assignment.*`, `roster.accepted`, `*`.
    public var events: [String]
    public var units: [String]
    /// CIDRs a loopback/private/link-local URL is allowed in (on-site receivers).
    public var allowNetworks: [String]
    /// Whether staff names go into bodies (off by default: ids only).
    public var includeNames: Bool
    /// Requests in flight at once to this endpoint.
    public var concurrency: Int = 8

    public func wants(event type: String, unit: String?) -> Bool {
        let eventOK = events.contains { p in
            p == "*" || p == type || (p.hasSuffix(".*") && type.hasPrefix(String(p.dropLast())))
        }
        let unitOK = unit.map { u in units.contains("*") || units.contains(u) } ?? true
        return eventOK && unitOK
    }
}

/// `[api]`: where the HTTP API listens and which tokens open it.
public struct APIConfig: Sendable, Hashable {
    public var host: String
    public var port: Int
    /// Read-write token.
    public var tokenFile: String?
    /// Optional read-only token.
    public var readTokenFile: String?
}

/// `[queue]`: how the webhook outbox retries, gives up and forgets.
public struct QueueConfig: Sendable, Hashable {
    /// Total time allowed for one delivery attempt.
    public var requestTimeoutSeconds = 10
    /// A message not delivered this long after it was queued goes to dead.
    public var maxAgeHours = 72
    /// Delivered, expired and cancelled messages are deleted this long after they settled.
    public var retentionDays = 7
    /// Messages per second an endpoint gets right after an outage; doubles every 5 s.
    public var recoveryRate = 20

    public init() {}
}

/// `[limits]`: sizes past which jitd refuses input.
public struct Limits: Sendable, Hashable {
    public var maxInboxFileBytes: Int = 256 << 20
    /// Inbox files that are read whole (JSON and iCalendar rosters, completions): parsing one
    /// takes about twelve times its size in memory, so a 256 MiB one would take gigabytes. CSV
    /// rosters are streamed and bounded by `maxInboxFileBytes` only.
    public var maxWholeFileBytes: Int = 16 << 20
}
