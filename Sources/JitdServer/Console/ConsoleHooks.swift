import Foundation
import JitdCore
import JitdStore

/// How the console lets people in: `[console]` of the config, with its secret read.
public struct ConsoleSettings: Sendable {
    public enum SecureCookies: Sendable { case auto, always, never }

    /// Reverse proxies whose ``userHeader`` is believed.
    public var trustedProxies: [CIDR]
    public var userHeader: String
    /// Role of a proxy user with no local account; `nil` refuses them.
    public var proxyRole: ConsoleRole?
    public var secureCookies: SecureCookies
    public var sessionSeconds: Int64
    public var idleSeconds: Int64
    /// Key of the calendar feeds' secret URLs; `nil`: no feeds.
    public var feedKey: [UInt8]?

    public init(trustedProxies: [CIDR] = [], userHeader: String = "X-Remote-User", proxyRole: ConsoleRole? = .viewer,
                secureCookies: SecureCookies = .auto, sessionSeconds: Int64 = 12 * 3600, idleSeconds: Int64 = 2 * 3600,
                feedKey: [UInt8]? = nil) {
        self.trustedProxies = trustedProxies
        self.userHeader = userHeader
        self.proxyRole = proxyRole
        self.secureCookies = secureCookies
        self.sessionSeconds = sessionSeconds
        self.idleSeconds = idleSeconds
        self.feedKey = feedKey
    }
}

/// A problem with one field of the module form, in the catalog's own words.
public struct ModuleFormProblem: Sendable, Hashable {
    public var field: String?
    public var message: String
    public var isError: Bool

    public init(field: String?, message: String, isError: Bool) {
        self.field = field
        self.message = message
        self.isError = isError
    }
}

/// Why a module form was not accepted.
public struct ModuleFormProblems: Error, Sendable {
    public var items: [ModuleFormProblem]
    public init(_ items: [ModuleFormProblem]) { self.items = items }
}

/// What the console needs from the daemon beyond ``APIHooks``: the site's shape (zones,
/// coverage, grid), the file catalog alone, the catalog's reader for published modules, the
/// latest plan with its input, the webhook endpoints, and the way to put published modules in
/// force.
public struct ConsoleHooks: Sendable {
    public var settings: ConsoleSettings
    public var siteZone: @Sendable () -> Zone
    public var unitZone: @Sendable (String) -> Zone
    public var coverage: @Sendable () -> [CoverageRule]
    public var slotMinutes: @Sendable () -> Int
    /// The modules of the file catalog (published ones may not take their ids).
    public var fileModules: @Sendable () -> [Module]
    /// Reads the module form as the catalog reads a file; `catalog` is the rest of the catalog in force.
    public var readModule: @Sendable (_ form: [String: String], _ catalog: [Module]) -> Result<(Module, [ModuleFormProblem]), ModuleFormProblems>
    /// The form of a module, to edit it.
    public var moduleForm: @Sendable (Module) -> [String: String]
    /// Puts the store's published modules in force and asks for a plan at once.
    public var publishedChanged: @Sendable () -> Void
    /// The latest plan and what it was made from (for the live surge report).
    public var latestPlan: @Sendable () -> (plan: Plan, input: PlanningInput)?
    /// The configured webhook endpoints: name and URL.
    public var endpoints: @Sendable () -> [(name: String, url: String)]
    /// Failures in a row after which an endpoint's circuit opens.
    public var circuitThreshold: Int

    public init(settings: ConsoleSettings = ConsoleSettings(),
                siteZone: @escaping @Sendable () -> Zone = { .utc },
                unitZone: @escaping @Sendable (String) -> Zone = { _ in .utc },
                coverage: @escaping @Sendable () -> [CoverageRule] = { [] },
                slotMinutes: @escaping @Sendable () -> Int = { 5 },
                fileModules: @escaping @Sendable () -> [Module] = { [] },
                readModule: @escaping @Sendable ([String: String], [Module]) -> Result<(Module, [ModuleFormProblem]), ModuleFormProblems> = { _, _ in
                    .failure(ModuleFormProblems([ModuleFormProblem(field: nil, message: "publishing is not available", isError: true)]))
                },
                moduleForm: @escaping @Sendable (Module) -> [String: String] = { _ in [:] },
                publishedChanged: @escaping @Sendable () -> Void = {},
                latestPlan: @escaping @Sendable () -> (plan: Plan, input: PlanningInput)? = { nil },
                endpoints: @escaping @Sendable () -> [(name: String, url: String)] = { [] },
                circuitThreshold: Int = 5) {
        self.settings = settings
        self.siteZone = siteZone
        self.unitZone = unitZone
        self.coverage = coverage
        self.slotMinutes = slotMinutes
        self.fileModules = fileModules
        self.readModule = readModule
        self.moduleForm = moduleForm
        self.publishedChanged = publishedChanged
        self.latestPlan = latestPlan
        self.endpoints = endpoints
        self.circuitThreshold = circuitThreshold
    }
}
