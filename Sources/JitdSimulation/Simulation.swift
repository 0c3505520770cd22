import Foundation
import GRDB
import JitdAudit
import JitdCore
import JitdDaemon
import JitdDispatch
import JitdIngest
import JitdStore
import Logging

/// What to simulate.
public struct SimulationOptions: Sendable {
    public var seed: UInt64
    public var days: Int
    /// Staff of each of the eight units.
    public var staffPerUnit: Int
    public var replanIntervalMinutes: Int
    public var horizonHours: Int
    /// Where the state, the inbox and the secrets go; a new temporary folder (on /dev/shm when
    /// there is one) when `nil`, removed afterwards unless `keepFiles`.
    public var directory: String?
    public var keepFiles: Bool
    /// The first instant; by default a New York midnight chosen so that the period holds a DST change
    /// of both zones (28 days or more) or of New York (shorter runs, which start on its day):
    /// spring for even seeds, autumn for odd.
    public var start: Int64?
    /// Hears a line now and then (progress, unexpected outcomes).
    public var log: (@Sendable (String) -> Void)?
    /// Stops after this many hours of the period (the same events as the whole run up to then), to look into a moment.
    public var stopAfterHours: Int?

    /// The defaults are the CI's hospital: 304 staff, plans every 30 minutes and after every
    /// change, a 24-hour horizon (docs/simulation.md says why).
    public init(seed: UInt64, days: Int = 28, staffPerUnit: Int = 38, replanIntervalMinutes: Int = 30, horizonHours: Int = 24,
                directory: String? = nil, keepFiles: Bool = false, start: Int64? = nil, log: (@Sendable (String) -> Void)? = nil) {
        self.seed = seed
        self.days = days
        self.staffPerUnit = staffPerUnit
        self.replanIntervalMinutes = replanIntervalMinutes
        self.horizonHours = horizonHours
        self.directory = directory
        self.keepFiles = keepFiles
        self.start = start
        self.log = log
    }

    /// 2026-03-02 (spring: New York on 8 March, London on 29 March) or 2026-10-19 (autumn: London
    /// on 25 October, New York on 1 November), midnight in New York; a run shorter than 28 days
    /// starts at midnight before New York's change.
    public var firstInstant: Int64 {
        if let start { return start }
        let spring = seed % 2 == 0
        let ny = ZoneTime("America/New_York")
        let date = days >= 28 ? (spring ? (2026, 3, 2) : (2026, 10, 19)) : (spring ? (2026, 3, 8) : (2026, 11, 1))
        var utc = Calendar(identifier: .gregorian)
        utc.timeZone = TimeZone(identifier: "UTC")!
        let day = Int(utc.date(from: DateComponents(year: date.0, month: date.1, day: date.2))!.timeIntervalSince1970 / 86_400)
        return ny.instant(day: day, minute: 0)
    }
}

/// Counts of what the simulation did.
public struct SimulationStats: Sendable, Codable {
    public var staff = 0
    public var units = 0
    public var rosterFiles = 0
    public var rosterFilesRefusedOnPurpose = 0
    public var rosterFilesDroppedAgain = 0
    public var sickCalls = 0
    public var swaps = 0
    public var busyBlocksAdded = 0
    public var completionsFiles = 0
    public var completionsPosted = 0
    public var completedElsewhere = 0
    public var acknowledged = 0
    public var declined = 0
    public var completedByAPI = 0
    public var noShows = 0
    public var catalogChanges = 0
    public var receiverIncidents: [String: Int] = [:]
    public var endpointsEnabled = 0
    public var restarts = 0
    public var replans = 0
    public var planSeconds = 0.0
    public var messagesExpired = 0
    public var attempts = 0
    /// Files whose fate was not the one the simulation meant (accepted where refused, or the other way).
    public var surprises: [String] = []
    public var wallSeconds = 0.0
    public var simulatedDaysPerSecond: Double { wallSeconds > 0 ? days / wallSeconds : 0 }
    /// Simulated days.
    public var days = 0.0
}

public struct SimulationResult: Sendable {
    public var seed: UInt64
    public var history: AuditHistory
    public var stats: SimulationStats
    public var report: AuditReport
}

/// Weeks of a hospital run through jitd's real use cases and store under a virtual clock.
///
/// Each simulated minute: the hospital's events of that minute (roster exports and mid-day
/// changes dropped into a real inbox folder and applied by ``InboxFileApplier``; people
/// acknowledging, declining, completing through the store calls of the API; completions from
/// the LMS; catalog changes; operators enabling endpoints; restarts), then what the daemon's
/// services would do: the sweeper's expiry, a re-plan by ``Replanner`` when something changed
/// or the timer ran out, and the dispatcher's claims and answers with receivers that fail, hang
/// and retire. At the end the ``Auditor`` replays what the receivers were told.
public final class Simulation {
    let options: SimulationOptions
    var rng: SplitMix64
    let hospital: Hospital
    let zones: [String: ZoneTime]
    let site: ZoneTime
    let start: Int64
    /// The end of the period the hospital's events are drawn for, and the end of this run.
    let periodEnd: Int64
    let end: Int64
    let catalogPlan: CatalogPlan
    var modules: [Module]
    var incidents: ReceiverIncidents
    let root: String
    let config: Config
    let clock: ManualClock
    let logger = Logger(label: "jitd-sim", factory: { _ in SwiftLogNoOpLogHandler() })
    let dispatch: DispatchSettings
    /// The running daemon's store and runtime; `nil` while it is down.
    var daemon: (store: Store, runtime: Runtime)?
    /// The dispatcher's circuit breaker per endpoint (in memory: a restart closes them).
    var breakers: [String: CircuitBreaker] = [:]
    var downUntil: Int64?
    var scanner: InboxScanner
    var book: RosterBook
    var queue = EventQueue()
    var now: Int64
    var changed = false
    var nextTimedPlan: Int64 = 0

    // What the auditor is given.
    var rosterFiles: [AuditRosterFile] = []
    var catalogs: [AuditCatalog] = []
    var deliveries: [AuditDelivery] = []

    /// Assignments someone was told of (the person reacts once).
    var told: Set<String> = []
    /// Files written to the inbox and not yet applied, with what they should do.
    var pendingFiles: [String: PendingFile] = [:]
    /// Completions waiting for the LMS's next file: staff, module, `completed_at` as written.
    var lmsBatch: [(staff: String, module: String, text: String)] = []
    var lastExport: [String: (text: String, entries: [AuditRosterEntry], ext: String)] = [:]
    var fileCount = 0
    var stats = SimulationStats()

    enum PendingFile {
        case roster([AuditRosterEntry])
        case refused
        case completions
    }

    public init(_ options: SimulationOptions) throws {
        self.options = options
        rng = SplitMix64(seed: options.seed)
        hospital = Hospital(rng: &rng, staffPerUnit: options.staffPerUnit, replanIntervalMinutes: options.replanIntervalMinutes,
                            horizonHours: options.horizonHours)
        var z: [String: ZoneTime] = [:]
        for name in Set(hospital.units.map(\.zone) + [hospital.siteZone]) { z[name] = ZoneTime(name) }
        zones = z
        site = z[hospital.siteZone]!
        start = options.firstInstant
        let periodEnd = start + Int64(options.days) * 86_400
        self.periodEnd = periodEnd
        end = options.stopAfterHours.map { [start] in min(periodEnd, start + Int64($0) * 3600) } ?? periodEnd
        now = start
        catalogPlan = CatalogPlan(start: start, days: options.days, site: site)
        modules = catalogPlan.initial
        incidents = ReceiverIncidents(endpoints: hospital.endpoints.map(\.name), from: start, to: periodEnd, rng: &rng)
        book = RosterBook(hospital: hospital, zones: z, seed: options.seed)
        root = try Self.makeRoot(options)
        for sub in ["state", "inbox", "secrets"] {
            try FileManager.default.createDirectory(atPath: root + "/" + sub, withIntermediateDirectories: true)
        }
        for e in hospital.endpoints {
            try Data("whsec_\(Data((0..<32).map { UInt8($0) }).base64EncodedString())\n".utf8).write(to: URL(fileURLWithPath: "\(root)/secrets/\(e.name)"))
        }
        let text = hospital.configTOML(root: root)
        try Data(text.utf8).write(to: URL(fileURLWithPath: root + "/jitd.toml"))
        config = try ConfigLoader.parse(text: text, file: root + "/jitd.toml").value
        clock = ManualClock(Instant(seconds: start))
        var d = DispatchSettings()
        d.requestTimeout = Int64(config.queue.requestTimeoutSeconds)
        d.retry.maxAge = Int64(config.queue.maxAgeHours) * 3600
        dispatch = d
        scanner = InboxScanner(inbox: config.inboxPath, maxBytes: config.limits.maxInboxFileBytes)
        try scanner.prepare()
        stats.staff = hospital.staff.count
        stats.units = hospital.units.count
        stats.days = Double(end - start) / 86_400
        for i in incidents.incidents { stats.receiverIncidents[Self.name(i.mode), default: 0] += 1 }
    }

    deinit {
        daemon = nil
        if !options.keepFiles { try? FileManager.default.removeItem(atPath: root) }
    }

    static func makeRoot(_ options: SimulationOptions) throws -> String {
        if let d = options.directory { return d }
        var isDir: ObjCBool = false
        let base = FileManager.default.fileExists(atPath: "/dev/shm", isDirectory: &isDir) && isDir.boolValue ? "/dev/shm" : NSTemporaryDirectory()
        return base + "/jitd-sim-\(options.seed)-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
    }

    static func name(_ m: ReceiverMode) -> String {
        switch m {
        case .healthy: "healthy"
        case .failing: "failing"
        case .hanging: "hanging"
        case .gone: "gone"
        }
    }

    var at: Instant { Instant(seconds: now) }

    func say(_ line: @autoclosure () -> String) { options.log?("seed \(options.seed): \(line())") }

    // MARK: The run

    public func run() throws -> SimulationResult {
        let started = DispatchTime.now()
        catalogs.append(AuditCatalog(since: start - 365 * 86_400, modules: CatalogPlan.audit(modules)))
        queue.push(start, .dailyRosters)
        queue.push(start, .newDay(site.day(of: start)))
        for (i, c) in catalogPlan.changes.enumerated() where c.at < end { queue.push(c.at, .catalogChange(i)) }
        try dropHistory()
        try startDaemon()
        var lastReport = start
        while now < end {
            clock.set(at)
            try minute()
            now += 60
            if now - lastReport >= 7 * 86_400 {
                lastReport = now
                say("day \((now - start) / 86_400) of \(options.days), \(stats.replans) plans, \(told.count) told, \(String(format: "%.0f", Double(DispatchTime.now().uptimeNanoseconds - started.uptimeNanoseconds) / 1e9)) s")
            }
        }
        clock.set(at)
        if daemon == nil { try startDaemon() }
        let history = try finalHistory()
        var report = Auditor().audit(history)
        (report.unmetPlaceable, report.offlinePlaced) = try unmetPlaceable()
        stats.wallSeconds = Double(DispatchTime.now().uptimeNanoseconds - started.uptimeNanoseconds) / 1e9
        return SimulationResult(seed: options.seed, history: history, stats: stats, report: report)
    }

    /// One minute: the hospital's events, then the daemon's services.
    func minute() throws {
        if let until = downUntil {
            if now < until {
                try events()
                return
            }
            downUntil = nil
            try startDaemon()
        }
        try events()
        guard let (store, _) = daemon else { return }
        let expired = try store.expireLate(now: at)
        if expired > 0 {
            stats.messagesExpired += expired
            changed = true
        }
        if changed || now >= nextTimedPlan { try replan() }
        try deliver()
        try store.recoverLeases(now: at)
        if now % 3600 == 0 {
            try store.giveUpStale(createdBefore: at.adding(seconds: -dispatch.retry.maxAge), now: at)
            try store.pruneSettled(before: at.adding(seconds: -Int64(config.queue.retentionDays) * 86_400))
        }
    }

    func events() throws {
        while let t = queue.nextTime, t <= now {
            let (_, event) = queue.pop()!
            if downUntil != nil && event.needsAPI {
                queue.push(downUntil!, event)
                continue
            }
            try handle(event)
        }
    }

    func replan() throws {
        guard let (_, runtime) = daemon else { return }
        let started = DispatchTime.now()
        try Replanner(runtime: runtime).replan()
        stats.planSeconds += Double(DispatchTime.now().uptimeNanoseconds - started.uptimeNanoseconds) / 1e9
        stats.replans += 1
        changed = false
        nextTimedPlan = now + Int64(config.policy.replanIntervalMinutes) * 60
    }

    /// The LMS's record of what people completed before the period: most people completed most
    /// modules at some time within the module's recertification period, so needs fall due
    /// across the weeks instead of all on the first day.
    func dropHistory() throws {
        var rows: [String] = []
        for person in hospital.staff {
            for m in modules where m.isEligible(role: person.role, unit: person.unit) && rng.chance(0.85) {
                let back = Int64(rng.below((m.recurDays ?? 90) * 24 * 60)) * 60
                rows.append("\(person.id),\(m.id),\(Instant(seconds: start - back).rfc3339)\n")
            }
        }
        try drop("lms-history", "csv", "staff_id,module_id,completed_at\n" + rows.joined(), .completions)
    }

    // MARK: Start-up and restarts

    /// What `jitd serve` does on start: open the store, return every lease (the process that held
    /// them is gone), move messages of endpoints no longer configured to dead, apply the files
    /// waiting in the inbox, and plan.
    func startDaemon() throws {
        let store = try Store(path: config.databasePath)
        let runtime = Runtime(config: config, store: store, modules: modules, logger: logger, clock: clock)
        daemon = (store, runtime)
        try store.killOrphans(endpoints: hospital.endpoints.map(\.name), now: at)
        try store.recoverLeases(now: at, all: true)
        try applyInbox()
        try replan()
    }

    /// The daemon stops in the middle of its deliveries: some messages were leased and sent, and
    /// their answers are never recorded. The store is closed; it opens again a few minutes later.
    func restart() throws {
        guard let (store, _) = daemon else { return }
        stats.restarts += 1
        let disabled = try store.disabledEndpoints()
        for e in hospital.endpoints where disabled[e.name] == nil {
            for m in try store.claimDue(now: at, limit: 50, leaseSeconds: dispatch.leaseSeconds, endpoint: e.name) where rng.chance(0.5) {
                try receive(m, e.name)
            }
        }
        daemon = nil
        breakers = [:]
        downUntil = now + Int64(rng.int(1...6)) * 60
    }

    // MARK: The inbox

    /// Writes a file into the inbox as a careful writer does (a hidden name, then a rename) and,
    /// when the daemon runs, applies what is waiting.
    func drop(_ base: String, _ ext: String, _ text: String, _ what: PendingFile) throws {
        fileCount += 1
        let name = String(format: "%05d-", fileCount) + base + "." + ext
        let hidden = config.inboxPath + "/." + name + ".part"
        try Data(text.utf8).write(to: URL(fileURLWithPath: hidden))
        guard rename(hidden, config.inboxPath + "/" + name) == 0 else { throw SimulationError.cannotDrop(name) }
        pendingFiles[name] = what
        if daemon != nil { try applyInbox() }
    }

    /// The inbox service's turn: files that have settled (two looks), each applied by the use case.
    func applyInbox() throws {
        guard let (_, runtime) = daemon else { return }
        _ = scanner.ready()
        let applier = InboxFileApplier(runtime: runtime)
        for candidate in scanner.ready() {
            applier.process(candidate)
            let accepted = FileManager.default.fileExists(atPath: config.inboxPath + "/processed/" + candidate.name)
            let rejected = FileManager.default.fileExists(atPath: config.inboxPath + "/rejected/" + candidate.name)
            let what = pendingFiles.removeValue(forKey: candidate.name)
            switch what {
            case .roster(let entries)?:
                if accepted {
                    rosterFiles.append(AuditRosterFile(name: candidate.name, appliedAt: now, entries: entries))
                    changed = true
                } else {
                    surprise("\(candidate.name) was refused: \(errors(candidate.name))")
                }
            case .refused?:
                if accepted {
                    surprise("\(candidate.name) was accepted although it has a broken row")
                } else {
                    stats.rosterFilesRefusedOnPurpose += 1
                }
            case .completions?:
                if accepted { changed = true } else { surprise("\(candidate.name) was refused: \(errors(candidate.name))") }
            case nil:
                surprise("\(candidate.name) was not a file of the simulation")
            }
            if !accepted && !rejected { surprise("\(candidate.name) stayed in the inbox") }
        }
    }

    func errors(_ name: String) -> String {
        (try? String(contentsOfFile: config.inboxPath + "/rejected/" + name + ".errors.txt", encoding: .utf8))?
            .split(separator: "\n").prefix(3).joined(separator: " | ") ?? "(no report)"
    }

    func surprise(_ line: String) {
        stats.surprises.append("\(Instant(seconds: now).rfc3339) \(line)")
        say(line)
    }

    // MARK: The end

    /// The store's final state, with the record of what was applied and told.
    func finalHistory() throws -> AuditHistory {
        guard let (store, _) = daemon else { throw SimulationError.daemonDown }
        var assignments: [AuditStoredAssignment] = []
        var after: (Int64, String)? = nil
        while true {
            let page = try store.assignments(after: after, limit: 10_000)
            assignments += page.map { AuditStoredAssignment(id: $0.assignment.id, state: $0.state.rawValue, updatedAt: $0.updatedAt.seconds) }
            guard let last = page.last, page.count == 10_000 else { break }
            after = (last.assignment.interval.start.seconds, last.assignment.id)
        }
        let completions = try store.pool.read { db in
            try Row.fetchAll(db, sql: "SELECT staff_id, module_id, completed_at FROM completion ORDER BY staff_id, module_id, completed_at").map {
                AuditCompletion(staff: $0[0], module: $0[1], completedAt: $0[2])
            }
        }
        return AuditHistory(hospital: hospital.audit, from: start, to: end, rosterFiles: rosterFiles, catalogs: catalogs,
                            deliveries: deliveries, assignments: assignments, completions: completions)
    }

    /// Needs an offline plan of the final state places that the store has no live assignment
    /// for, and how many needs that plan places. The one use of the planner outside the daemon:
    /// as the reference for "could have been placed", never for checking.
    func unmetPlaceable() throws -> (Int, Int) {
        guard let (store, runtime) = daemon else { throw SimulationError.daemonDown }
        var input = try Replanner(runtime: runtime).snapshot(now: at, config: runtime.config)
        input.previous = [] // an offline plan: not started from the daemon's last plan
        let offline = Planner().plan(input)
        var live: Set<String> = []
        for state in [AssignmentState.planned, .notified, .acknowledged] {
            for a in try store.assignments(state: state, from: at, limit: 1_000_000) { live.insert(a.assignment.staffID + "|" + a.assignment.moduleID) }
        }
        let placed = Set(offline.assignments.map { $0.staffID + "|" + $0.moduleID })
        return (placed.subtracting(live).count, placed.count)
    }
}

enum SimulationError: Error, CustomStringConvertible {
    case cannotDrop(String)
    case daemonDown

    var description: String {
        switch self {
        case .cannotDrop(let name): "cannot rename \(name) into the inbox"
        case .daemonDown: "the daemon is not running"
        }
    }
}
