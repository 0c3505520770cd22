import ArgumentParser
import Foundation
import JitdAudit
import JitdSimulation

/// `jitd-sim`: simulated weeks of a hospital run through jitd's use cases and store, each seed
/// audited by the independent auditor. Exits 1 when any seed breaks a hard rule.
@main
struct JitdSim: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "jitd-sim",
        abstract: "Simulate weeks of operation of jitd and audit every hard rule of SPEC.")

    @Option(help: "How many seeds.") var seeds = 10
    @Option(help: "The first seed; the others follow.") var firstSeed: UInt64 = 1
    @Option(help: "Simulated days per seed.") var days = 28
    @Option(help: "Staff per unit (eight units).") var staffPerUnit = 38
    @Option(help: "policy.replan_interval_minutes") var replanInterval = 30
    @Option(help: "policy.horizon_hours") var horizon = 24
    @Option(help: "Seeds run at once, each on its own thread.") var jobs = 1
    @Option(help: "Examples printed per violation kind.") var examples = 2
    @Option(help: "Write every seed's report and counts to this JSON file.") var json: String?
    @Option(help: "Keep each seed's folder (state, inbox, config) under this one.") var keep: String?
    @Option(help: "Write each seed's history (what the auditor replays) as JSON into this folder.") var dump: String?
    @Option(help: "Audit a history written by --dump again instead of simulating (every violation is printed).") var audit: String?
    @Option(help: "Stop each seed after this many hours (the same events as the whole run until then), to look into a moment with --keep.") var stopAfterHours: Int?
    @Flag(help: "Progress lines on standard error.") var verbose = false

    func run() throws {
        if let audit {
            let history = try JSONDecoder().decode(AuditHistory.self, from: Data(contentsOf: URL(fileURLWithPath: audit)))
            let report = Auditor().audit(history)
            for v in report.violations { print(v.description) }
            print(report.summary(examples: 0))
            if !report.violations.isEmpty { throw ExitCode(1) }
            return
        }
        let seedList = (0..<UInt64(seeds)).map { firstSeed + $0 }
        let results = Results()
        let started = Date()
        let examples = self.examples, dumpFolder = self.dump
        var log: (@Sendable (String) -> Void)? = nil
        if verbose { log = { line in FileHandle.standardError.write(Data((line + "\n").utf8)) } }
        let stop = stopAfterHours
        let options = seedList.map { seed -> SimulationOptions in
            var o = SimulationOptions(seed: seed, days: days, staffPerUnit: staffPerUnit, replanIntervalMinutes: replanInterval,
                                      horizonHours: horizon, directory: keep.map { "\($0)/seed-\(seed)" }, keepFiles: keep != nil, log: log)
            o.stopAfterHours = stop
            return o
        }
        let next = Results.Counter()
        DispatchQueue.concurrentPerform(iterations: max(1, min(jobs, options.count))) { _ in
            while let i = next.take(below: options.count) {
                let seed = options[i].seed
                do {
                    let result = try Simulation(options[i]).run()
                    if let dumpFolder { try Self.dump(result, to: dumpFolder) }
                    results.add(.success(result), seed: seed)
                    Self.say(Self.describe(result, examples: examples))
                } catch {
                    results.add(.failure(error), seed: seed)
                    Self.say("seed \(seed): the simulation failed: \(error)")
                }
            }
        }
        let wall = Date().timeIntervalSince(started)
        let all = results.all
        let ok = all.compactMap { try? $0.1.get() }
        let violations = ok.reduce(0) { $0 + $1.report.violations.count }
        let simDays = ok.reduce(0.0) { $0 + $1.stats.days }
        let notifications = ok.reduce(0) { $0 + $1.report.notifications }
        let cancelled = ok.reduce(0) { $0 + $1.report.cancelledNotifications }
        let dups = ok.reduce(0) { $0 + $1.report.duplicateTotal }
        let deliveries = ok.reduce(0) { $0 + $1.report.deliveries }
        let unmet = ok.reduce(0) { $0 + ($1.report.unmetPlaceable ?? 0) }
        let offline = ok.reduce(0) { $0 + ($1.report.offlinePlaced ?? 0) }
        let perSeed = ok.map { $0.stats.simulatedDaysPerSecond }
        print(String(format: """
            all seeds: %d of %d ran, %d hard-rule violations; %.0f simulated days in %.1f s wall (%.2f days/s with %d jobs; %.2f days/s per seed alone)
            notifications %d, later cancelled %d (%.1f per 1,000); deliveries %d, duplicate webhook-ids %d; unmet at the end an offline plan places %d of %d
            """, ok.count, all.count, violations, simDays, wall, simDays / wall, jobs, perSeed.isEmpty ? 0 : perSeed.reduce(0, +) / Double(perSeed.count),
            notifications, cancelled, notifications == 0 ? 0 : Double(cancelled) * 1000 / Double(notifications), deliveries, dups, unmet, offline))
        if let json { try Self.write(ok, to: json) }
        if violations > 0 || ok.count < all.count { throw ExitCode(1) }
    }

    /// Prints a seed's report at once, whole: a long run written to a file shows each seed as it
    /// ends, even if the run is stopped before the others (standard output to a file is buffered).
    static func say(_ text: String) {
        FileHandle.standardOutput.write(Data((text + "\n").utf8))
    }

    static func describe(_ r: SimulationResult, examples: Int) -> String {
        let s = r.stats
        var lines = [String(format: "seed %llu: %g days, %d staff on %d units, %.1f s wall (%.2f simulated days/s, planning %.1f s in %d plans)",
                            r.seed, s.days, s.staff, s.units, s.wallSeconds, s.simulatedDaysPerSecond, s.planSeconds, s.replans)]
        lines.append("  events: \(s.rosterFiles) roster files (\(s.sickCalls) sick calls, \(s.swaps) swaps, \(s.busyBlocksAdded) busy blocks, "
                     + "\(s.rosterFilesDroppedAgain) dropped again, \(s.rosterFilesRefusedOnPurpose) refused on purpose), "
                     + "\(s.completionsFiles) completions files, \(s.completionsPosted) completions posted, \(s.completedElsewhere) completed elsewhere, "
                     + "\(s.acknowledged) acknowledged, \(s.declined) declined, \(s.completedByAPI) completed by API, \(s.noShows) no-shows, "
                     + "\(s.catalogChanges) catalog changes, receiver incidents \(s.receiverIncidents.sorted { $0.key < $1.key }.map { "\($0.key) \($0.value)" }.joined(separator: ", ")), "
                     + "\(s.endpointsEnabled) endpoints enabled, \(s.restarts) restarts, \(s.messagesExpired) messages expired")
        for surprise in s.surprises.prefix(5) { lines.append("  surprise: \(surprise)") }
        lines.append(r.report.summary(examples: examples))
        return lines.joined(separator: "\n")
    }

    static func dump(_ r: SimulationResult, to folder: String) throws {
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        try JSONEncoder().encode(r.history).write(to: URL(fileURLWithPath: "\(folder)/history-\(r.seed).json"))
    }

    static func write(_ results: [SimulationResult], to path: String) throws {
        struct Seed: Encodable {
            var seed: UInt64
            var stats: SimulationStats
            var report: AuditReport
        }
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        try encoder.encode(results.map { Seed(seed: $0.seed, stats: $0.stats, report: $0.report) }).write(to: URL(fileURLWithPath: path))
    }
}

/// Results from the worker threads, in seed order.
final class Results: @unchecked Sendable {
    private let lock = NSLock()
    private var list: [(UInt64, Result<SimulationResult, Error>)] = []

    func add(_ r: Result<SimulationResult, Error>, seed: UInt64) { lock.withLock { list.append((seed, r)) } }

    var all: [(UInt64, Result<SimulationResult, Error>)] { lock.withLock { list.sorted { $0.0 < $1.0 } } }

    /// Hands out indexes to the worker threads.
    final class Counter: @unchecked Sendable {
        private let lock = NSLock()
        private var value = 0

        func take(below n: Int) -> Int? {
            lock.withLock {
                guard value < n else { return nil }
                defer { value += 1 }
                return value
            }
        }
    }
}
