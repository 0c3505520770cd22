import Foundation
import JitdCore
import JitdDispatch
import JitdIngest
import JitdServer
import JitdStore
import Logging

/// What the daemon's services share: the config, the catalog in force, the store and the
/// routing of events to endpoints. The config and the catalog can be replaced whole on reload
/// (`jitd` keeps the paths and the API of the config it started with); the rest is fixed.
public final class Runtime: Sendable {
    /// The config in force. Read it once per piece of work: a reload may replace it between two reads.
    public var config: Config { configHolder.current }
    private let configHolder: ConfigHolder
    public let store: Store
    public let logger: Logger
    public let catalog: CatalogHolder
    /// The latest plan with its input (the console reads it).
    public let latestPlan = LatestPlan()
    let planChanged = ChangeSignal()
    let outboxChanged = ChangeSignal()
    /// Something `STATUS=` shows changed (a file applied, a plan saved, a reload).
    let statusChanged = ChangeSignal()
    /// What `STATUS=` shows beyond the store's counts.
    let status = DaemonStatus()
    /// The one clock every use case and service reads the time of day from.
    public let wallClock: any WallClock
    /// The API's tokens in force; a reload re-reads their files.
    let tokens: APITokenSource

    public init(config: Config, store: Store, modules: [Module], logger: Logger,
                tokens: APITokenSource = APITokenSource(APITokens(readWrite: nil, readOnly: nil)),
                clock: any WallClock = SystemClock()) {
        self.tokens = tokens
        self.wallClock = clock
        self.configHolder = ConfigHolder(config)
        self.store = store
        self.logger = logger
        self.catalog = CatalogHolder(modules)
    }

    /// The time now, from ``wallClock``.
    public func now() -> Instant { wallClock.now() }

    /// ``now()`` as a function, for the parts (dispatcher, API, metrics) that take one.
    public var clock: @Sendable () -> Instant { { [wallClock] in wallClock.now() } }

    /// Puts a reloaded config in force.
    public func replaceConfig(_ c: Config) { configHolder.replace(c) }

    var zones: UnitZones { let c = config; return UnitZones(site: c.siteZone, units: c.unitZones) }

    /// Pairs each event with the endpoints that want it. Endpoints that may see staff names get
    /// a body with the name; the others get ids only. Learning record stores that want the
    /// event get its xAPI statement (``learningStatements(of:name:_:)``).
    func route(_ type: String, unit: String?, name: String? = nil, _ make: (String?) -> WebhookEvent) -> [(WebhookEvent, [String])] {
        let config = self.config
        let wanting = config.webhooks.filter { $0.wants(event: type, unit: unit) }
        let plain = wanting.filter { !$0.includeNames || name == nil }.map(\.name)
        let named = wanting.filter { $0.includeNames && name != nil }.map(\.name)
        var out: [(WebhookEvent, [String])] = []
        if !plain.isEmpty { out.append((make(nil), plain)) }
        if !named.isEmpty { out.append((make(name), named)) }
        return out + learningStatements(of: type, name: name, make)
    }

    /// When a completion stops holding, by the catalog in force: `recur_days` after it, or never.
    func completionHoldsUntil() -> @Sendable (Completion) -> Instant? {
        let recur = Dictionary(catalog.current.map { ($0.id, $0.recurDays) }, uniquingKeysWith: { a, _ in a })
        return { c in (recur[c.moduleID] ?? nil).map { c.completedAt.adding(seconds: Int64($0) * 86_400) } }
    }

    /// The `assignment.cancelled` events of an assignment cancelled with a reason at `now`.
    func cancelledEvents(at now: Instant) -> @Sendable (Assignment, String) -> [(WebhookEvent, [String])] {
        { a, reason in self.route("assignment.cancelled", unit: a.unit) { _ in .assignmentCancelled(a, reason: reason, at: now) } }
    }

    /// The dispatcher's settings from `[queue]`.
    static func dispatchSettings(_ config: Config) -> DispatchSettings {
        var s = DispatchSettings()
        s.requestTimeout = Int64(config.queue.requestTimeoutSeconds)
        s.retry.maxAge = Int64(config.queue.maxAgeHours) * 3600
        s.retentionSeconds = Int64(config.queue.retentionDays) * 86_400
        s.recovery = RecoveryLimiter(startRate: Double(config.queue.recoveryRate))
        return s
    }

    /// Reads the secrets of every endpoint (webhook secrets, LRS credentials); a missing or
    /// malformed one, or one others may write, stops start-up (and refuses a reload). `warn` hears of secrets others may read.
    func dispatchEndpoints(warn: (String) -> Void) throws -> [DispatchEndpoint] { try Self.dispatchEndpoints(config, warn: warn) }

    static func dispatchEndpoints(_ config: Config, warn: (String) -> Void) throws -> [DispatchEndpoint] {
        try config.webhooks.map { w in
            DispatchEndpoint(name: w.name, url: w.url,
                             secrets: try w.secretFiles.map { f in try WebhookSecret.load(file: f, warn: warn) },
                             allowNetworks: w.allowNetworks.compactMap(CIDR.init), concurrency: w.concurrency)
        } + config.lrs.map { l in
            DispatchEndpoint(name: l.name, url: l.endpoint, kind: .lrs(try LRSCredentials.load(file: l.credentialsFile, warn: warn)),
                             allowNetworks: l.allowNetworks.compactMap(CIDR.init), concurrency: l.concurrency)
        }
    }
}

/// The catalog in force: the file catalog (replaced whole on reload) and the modules
/// published in the console (replaced whole when one is published, edited or retired). A file
/// module wins an id both define (the console refuses to publish one, but a file may add it later).
public final class CatalogHolder: @unchecked Sendable {
    private let lock = NSLock()
    private var modules: [Module]
    private var published: [Module] = []

    init(_ modules: [Module]) { self.modules = modules }

    /// The modules the planner plans with: the file catalog's and the published ones, by id.
    public var current: [Module] {
        lock.withLock {
            guard !published.isEmpty else { return modules }
            let fileIDs = Set(modules.map(\.id))
            return (modules + published.filter { !fileIDs.contains($0.id) }).sorted { $0.id < $1.id }
        }
    }
    /// The file catalog's modules alone.
    public var files: [Module] { lock.withLock { modules } }
    public func replace(_ m: [Module]) { lock.withLock { modules = m } }
    public func replacePublished(_ m: [Module]) { lock.withLock { published = m } }
}

/// The latest plan and the input it was made from, for the console (its live surge report and
/// who must take what); replaced by every re-plan.
public final class LatestPlan: @unchecked Sendable {
    private let lock = NSLock()
    private var value: (plan: Plan, input: PlanningInput)?

    public var current: (plan: Plan, input: PlanningInput)? { lock.withLock { value } }
    func record(_ plan: Plan, _ input: PlanningInput) { lock.withLock { value = (plan, input) } }
}

/// The config in force; replaced whole on reload.
final class ConfigHolder: @unchecked Sendable {
    private let lock = NSLock()
    private var config: Config

    init(_ config: Config) { self.config = config }

    var current: Config { lock.withLock { config } }
    func replace(_ c: Config) { lock.withLock { config = c } }
}
