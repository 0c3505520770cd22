import Foundation
import JitdCore
import JitdDispatch
import JitdIngest
import JitdStore
import Logging

/// What the daemon's services share: the config, the catalog in force, the store and the
/// routing of events to endpoints. The catalog can be replaced on reload; the rest is fixed.
final class Runtime: Sendable {
    let config: Config
    let store: Store
    let logger: Logger
    let catalog: CatalogHolder
    let planChanged = ChangeSignal()
    let outboxChanged = ChangeSignal()
    let clock: @Sendable () -> Instant

    init(config: Config, store: Store, modules: [Module], logger: Logger,
         clock: @escaping @Sendable () -> Instant = { Instant(seconds: Int64(Date().timeIntervalSince1970)) }) {
        self.config = config
        self.store = store
        self.logger = logger
        self.catalog = CatalogHolder(modules)
        self.clock = clock
    }

    var zones: UnitZones { UnitZones(site: config.siteZone, units: config.unitZones) }

    /// Pairs each event with the endpoints that want it. Endpoints that may see staff names get
    /// a body with the name; the others get ids only.
    func route(_ type: String, unit: String?, name: String? = nil, _ make: (String?) -> WebhookEvent) -> [(WebhookEvent, [String])] {
        let wanting = config.webhooks.filter { $0.wants(event: type, unit: unit) }
        let plain = wanting.filter { !$0.includeNames || name == nil }.map(\.name)
        let named = wanting.filter { $0.includeNames && name != nil }.map(\.name)
        var out: [(WebhookEvent, [String])] = []
        if !plain.isEmpty { out.append((make(nil), plain)) }
        if !named.isEmpty { out.append((make(name), named)) }
        return out
    }

    /// Reads the secrets of every endpoint; a missing or malformed secret stops start-up.
    func dispatchEndpoints() throws -> [DispatchEndpoint] {
        try config.webhooks.map { w in
            DispatchEndpoint(name: w.name, url: w.url,
                             secrets: try w.secretFiles.map { f in try WebhookSecret.load(file: f) },
                             allowNetworks: w.allowNetworks.compactMap(CIDR.init))
        }
    }
}

/// The catalog in force; replaced whole on reload.
final class CatalogHolder: @unchecked Sendable {
    private let lock = NSLock()
    private var modules: [Module]

    init(_ modules: [Module]) { self.modules = modules }

    var current: [Module] { lock.withLock { modules } }
    func replace(_ m: [Module]) { lock.withLock { modules = m } }
}
