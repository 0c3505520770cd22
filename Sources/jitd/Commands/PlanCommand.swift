import ArgumentParser
import Foundation
import JitdCore
import JitdIngest

/// `jitd plan`: plans offline from files and prints the plan; writes nothing.
struct PlanCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "plan",
        abstract: "Plan offline from roster and completions files and print the plan; writes nothing.")

    enum Format: String, ExpressibleByArgument, CaseIterable { case table, json, ics }

    @Option(help: "The config (policy, coverage, catalog).") var config: String
    @Option(help: "A roster file; repeat for several, applied in order.") var roster: [String] = []
    @Option(help: "A completions CSV; repeatable.") var completions: [String] = []
    @Option(help: "Plan as if it were this time (RFC 3339; default: now).") var now: TimeArgument?
    @Option(help: "Hours ahead to plan (default: the config's horizon_hours).") var horizon: Int?
    @Option(help: "table, json or ics.") var format: Format = .table
    @Option(help: "Also report when 50/90/100 % of eligible staff are projected trained in this module, next to the roster's lower bound.")
    var surge: [String] = []

    func run() throws {
        var cfg = loadConfigOrExit(config)
        if let horizon {
            guard (1...24 * 31).contains(horizon) else { throw ValidationError("--horizon must be between 1 and 744 hours") }
            cfg.policy.horizonHours = horizon
        }
        let modules = loadCatalogOrExit(cfg)
        for id in surge where !modules.contains(where: { $0.id == id }) {
            throw ValidationError("--surge \(id): no such module in the catalog")
        }
        let at = now?.instant ?? JitdCommandClock.now()
        let zones = UnitZones(site: cfg.siteZone, units: cfg.unitZones)
        let context = RosterContext(zones: zones, window: Interval(start: at.adding(seconds: -86_400),
                                                                    end: at.adding(seconds: Int64(cfg.policy.horizonHours) * 3600 + 86_400)))
        var shifts: [Shift] = []
        var done: [Completion] = []
        var failed = false
        for file in roster + completions {
            guard let data = FileManager.default.contents(atPath: file) else {
                printError("\(file): error: cannot read the file"); failed = true; continue
            }
            var sink = DiagnosticSink(file: file)
            let parsed = InputFileReader.parse(name: file, data: data, context: context, sink: &sink)
            sink.items.forEach { printError($0.description) }
            if sink.hasErrors { failed = true; continue }
            switch parsed {
            case .roster(let entries): shifts = RosterMerge.apply(entries.map(\.shift), to: shifts, zones: zones)
            case .completions(let list): done += list
            case nil: failed = true
            }
        }
        if failed { throw ExitCode(1) }
        var input = PlanningInput(now: at, policy: cfg.policy, siteZone: cfg.siteZone, unitZones: cfg.unitZones,
                                  shifts: shifts, coverage: cfg.coverage, modules: Booster.planned(modules), completions: done)
        input.unitPolicies = cfg.unitPolicies
        let plan = Planner().plan(input)
        let out: String
        switch format {
        case .json:
            var doc = PlanDocument.json(plan, modules: Booster.planned(modules))
            if !surge.isEmpty, case .object(var o) = doc {
                o["surge"] = .array(surge.map { SurgeReport(plan: plan, input: input, moduleID: $0).json })
                doc = .object(o)
            }
            out = String(decoding: doc.encoded(pretty: true), as: UTF8.self) + "\n"
        case .table:
            out = PlanTable.render(plan, modules: Booster.planned(modules), zone: zones.zone(of:))
                + surge.map { "\n" + SurgeReport(plan: plan, input: input, moduleID: $0).table }.joined()
        case .ics: out = PlanCalendar.render(plan, modules: Booster.planned(modules))
        }
        FileHandle.standardOutput.write(Data(out.utf8))
    }
}

enum JitdCommandClock {
    static func now() -> Instant { Instant(seconds: Int64(Date().timeIntervalSince1970)) }
}
