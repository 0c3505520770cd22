import Foundation
import JitdCore

/// Planner benchmarks for issue 4, printed side by side in one run:
///   speed     5,000 staff / 40 units / 200 modules: 48-hour and 7-day plans, and 10x the staff
///   scaling   gain over the plain greedy per unit at 500, 5,000 and 50,000 staff (BENCH_SIZES=a,b,...)
///   fairness  training minutes per person by day, night and weekend shifts, next to plain greedy
///   surge     time to 50/90/100 % trained for a critical module, next to the roster's lower bound
///   churn     what moves when the planner runs again (timer, roster change)
///   export D  small instances as JSON for the exact-solver check (bench/planner/exact.py)
/// Times are CPU seconds of this process (one thread), so other load on the machine does not skew them.

func say(_ s: String) { FileHandle.standardOutput.write(Data((s + "\n").utf8)) }

func cpuSeconds(_ body: () -> Void) -> Double {
    var a = timespec(), b = timespec()
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &a)
    body()
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &b)
    return Double(b.tv_sec - a.tv_sec) + Double(b.tv_nsec - a.tv_nsec) / 1e9
}

/// jitd as shipped, or with the search's knobs set from the environment for experiments
/// (BENCH_STEPS: steps per person).
func jitd() -> Planner {
    var planner = Planner(.full)
    if let steps = ProcessInfo.processInfo.environment["BENCH_STEPS"].flatMap(Int.init) { planner.searchStepsPerPerson = steps }
    if let a = ProcessInfo.processInfo.environment["BENCH_ACCEPT"].flatMap(Int.init) { planner.acceptance = a }
    return planner
}

func speed() {
    say("== speed: 7 days of rosters, 200 modules; CPU seconds, best of 3, jitd and the plain greedy alternating")
    say("staff    units  horizon  shifts   needs    placed   cpu-s   greedy-cpu-s  weight  greedy-weight  gain")
    var times: [String: Double] = [:], greedyTimes: [String: Double] = [:]
    for (staff, units, hours) in [(5_000, 40, 48), (5_000, 40, 168), (50_000, 400, 48)] {
        var input = GeneratedHospital(staff: staff, units: units, days: 7, modules: 200).make()
        input.policy.horizonHours = hours
        var plan: Plan? = nil, greedy: Plan? = nil
        // Alternating runs, so that a slow spell of the machine falls on both planners.
        var ts: [Double] = [], gs: [Double] = []
        for _ in 0..<3 {
            ts.append(cpuSeconds { plan = jitd().plan(input) })
            gs.append(cpuSeconds { greedy = Planner(.plainGreedy).plan(input) })
        }
        let t = ts.min()!, g = gs.min()!
        times["\(staff)/\(hours)"] = t
        greedyTimes["\(staff)/\(hours)"] = g
        say(String(format: "%-8d %-6d %-8d %-8d %-8d %-8d %-7.3f %-13.3f %-7d %-14d %+.2f %%", staff, units, hours, input.shifts.count,
                   plan!.needsTotal, plan!.assignments.count, t, g, plan!.weightPlaced, greedy!.weightPlaced,
                   100 * Double(plan!.weightPlaced - greedy!.weightPlaced) / Double(max(1, greedy!.weightPlaced))))
    }
    say(String(format: "goals: 48 h < 1 s: %.3f s; 7 days < 5 s: %.3f s; 10x staff costs %.1fx the time (goal <= 12x; the plain greedy's: %.1fx)",
               times["5000/48"]!, times["5000/168"]!, times["50000/48"]! / times["5000/48"]!,
               greedyTimes["50000/48"]! / greedyTimes["5000/48"]!))
}

/// Gain over the plain greedy by hospital size, units of 125 people each (48-hour plans, one run
/// each): the same hospital shape at 500, 5,000 and 50,000 staff, so that the gain per unit
/// shows whether the search keeps its quality as the hospital grows.
func scaling() {
    say("== scaling: 48 h, 125 staff per unit, 200 modules; weight per unit and gain over the plain greedy in the same run")
    say("staff    units  needs    cpu-s    greedy-cpu-s  weight   greedy-weight  weight/unit  greedy/unit  gain")
    let sizes = ProcessInfo.processInfo.environment["BENCH_SIZES"].map { $0.split(separator: ",").compactMap { Int($0) } } ?? [500, 5_000, 50_000]
    for staff in sizes {
        let units = max(1, staff / 125)
        var input = GeneratedHospital(staff: staff, units: units, days: 7, modules: 200).make()
        input.policy.horizonHours = 48
        var plan: Plan? = nil, greedy: Plan? = nil
        let t = cpuSeconds { plan = jitd().plan(input) }
        let g = cpuSeconds { greedy = Planner(.plainGreedy).plan(input) }
        let w = plan!.weightPlaced, gw = greedy!.weightPlaced
        say(String(format: "%-8d %-6d %-8d %-8.3f %-13.3f %-8d %-14d %-12.1f %-12.1f %+.3f %%", staff, units, plan!.needsTotal, t, g, w, gw,
                   Double(w) / Double(units), Double(gw) / Double(units), 100 * Double(w - gw) / Double(max(1, gw))))
    }
}

/// Over a weekend, training minutes per shift hour for day, night and weekend shifts, jitd and
/// the plain greedy in one run, from two starts on Friday: 07:00, where shifts change, and 09:00,
/// inside the day shift (BENCH_NOW_HOUR=H: only that one). From 09:00 the Friday day shifts
/// have 10 of their 12 hours inside the horizon while per-shift caps still allow a whole shift's
/// training, so per shift hour they get more than night shifts unless they train less than the
/// caps allow; the per-shift rows show how many trained shifts are at the caps.
func fairness() {
    let hours = ProcessInfo.processInfo.environment["BENCH_NOW_HOUR"].flatMap(Int.init).map { [$0] } ?? [7, 9]
    for hour in hours {
        say(String(format: "== fairness: 5,000 staff, Friday %02d:00 + 72 h (a weekend in the horizon); training minutes per shift hour by shift type", hour))
        var input = GeneratedHospital(staff: 5_000, units: 40, days: 7, modules: 200).make()
        input.now = GeneratedHospital.t0.adding(minutes: (4 * 24 + hour) * 60)
        input.policy.horizonHours = 72
        var lines: [String] = []
        for (name, planner) in [("jitd", jitd()), ("plain greedy", Planner(.plainGreedy))] {
            let plan = planner.plan(input)
            lines += fairnessByShift(input, plan, name)
            let f = plan.fairness
            var perPerson: [String: Int] = [:]
            for s in input.shifts where s.kind == .shift && s.interval.overlaps(plan.horizon) { perPerson[s.staffID] = 0 }
            for a in plan.assignments { perPerson[a.staffID, default: 0] += Int(a.interval.seconds / 60) }
            let values = perPerson.values.map(Double.init)
            let mean = values.reduce(0, +) / Double(values.count)
            let sd = (values.map { ($0 - mean) * ($0 - mean) }.reduce(0, +) / Double(values.count)).squareRoot()
            lines.append(String(format: "%-14@ %-7d %-8d %-10.3f %-12.3f %-14.3f %-10.3f %-16.3f %-10.2f %d", name as NSString, plan.assignments.count, plan.weightPlaced,
                                f.day.minutesPerShiftHour, f.night.minutesPerShiftHour, f.weekend.minutesPerShiftHour,
                                f.nightToDay ?? .nan, f.weekendToWeekday ?? .nan, sd / max(mean, 0.001), values.filter { $0 == 0 }.count))
        }
        say("planner        placed  weight   day min/h  night min/h  weekend min/h  night/day  weekend/weekday  cv/person  untrained")
        for l in lines where !l.contains(": shifts ") { say(l) }
        for l in lines where l.contains(": shifts ") { say(l) }
    }
    say("min/h = training minutes per hour of shift inside the horizon; ratios 1.00 are even (goal >= 0.9); cv = stddev / mean of minutes per person")
    say("per shift: at caps = trained shifts with 2 sessions or 25+ minutes (the default caps), of the shifts with any training")
}

func surge() {
    say("== surge: a critical module for every RN of a 2,000-staff hospital, slack not binding")
    var hospital = GeneratedHospital(staff: 2_000, units: 16, days: 7, modules: 40)
    hospital.coverageShare = 0.3
    var input = hospital.make()
    let critical = Module(id: "surge-critical", title: "Critical update", minutes: 10, roles: ["RN"], priority: .critical,
                          published: input.now, dueDays: 2)
    input.modules.append(critical)
    let plan = Planner().plan(input)
    let report = SurgeReport(plan: plan, input: input, moduleID: critical.id)
    say("eligible \(report.eligible)")
    // How many of the critical module's needs each planner placed (BENCH_DIAG=1).
    if ProcessInfo.processInfo.environment["BENCH_DIAG"] != nil {
        let g = Planner(.plainGreedy).plan(input)
        for (name, p) in [("jitd", plan), ("greedy", g)] {
            let c = p.assignments.filter { $0.moduleID == critical.id }
            say("\(name): \(c.count) critical placed, weight \(p.weightPlaced), unmet critical \(p.unmet.filter { $0.moduleID == critical.id }.count)")
        }
    }
    for p in SurgeReport.percents {
        guard let a = report.planned[p], let b = report.bound[p] else { say("\(p)%: not reached in the horizon"); continue }
        let ratio = Double(a.seconds - input.now.seconds) / Double(max(1, b.seconds - input.now.seconds))
        say(String(format: "%3d%%: planned +%.2f h, roster lower bound +%.2f h, ratio %.3f%@", p,
                   Double(a.seconds - input.now.seconds) / 3600, Double(b.seconds - input.now.seconds) / 3600, ratio,
                   (p == 90 ? " (goal <= 1.10)" : "") as NSString))
    }
}

/// Stability: re-plan five minutes later with what was notified by then kept, and again after a
/// roster change that removes a tenth of one unit's shifts; count what moved.
func churn() {
    say("== churn: 5,000 staff, 48 h; re-plan 5 min later, then after a roster change (jitd, then the plain greedy beside it)")
    for (name, planner) in [("jitd", jitd()), ("plain greedy", Planner(.plainGreedy))] {
        var input = GeneratedHospital(staff: 5_000, units: 40, days: 7, modules: 200).make()
        let first = planner.plan(input)
        func compare(_ label: String, _ before: Plan, _ after: Plan, since: Instant) {
            let old = Set(before.assignments.filter { $0.interval.start >= since }.map(\.id))
            let new = Set(after.assignments.filter { $0.interval.start >= since }.map(\.id))
            let kept = old.intersection(new).count
            say(String(format: "%@ %@: %d of %d future assignments kept (%.2f %%), %d removed or moved, %d new, %d notified cancelled; weight placed %d",
                       name as NSString, label as NSString, kept, old.count, 100 * Double(kept) / Double(max(1, old.count)), old.count - kept,
                       new.count - kept, after.cancellations.count, after.weightPlaced))
        }
        let later = input.now.adding(minutes: 5)
        let told = later.adding(minutes: input.policy.notifyLeadMinutes)
        // What the daemon gives a re-plan: what was told by then as commitments, and the rest of
        // the last plan as `previous` (BENCH_NO_PREVIOUS=1: without it, as before).
        let withPrevious = ProcessInfo.processInfo.environment["BENCH_NO_PREVIOUS"] == nil
        input.committed = first.assignments.filter { $0.interval.start < told }
        if withPrevious { input.previous = first.assignments.filter { $0.interval.start >= told } }
        input.now = later
        var second: Plan! = nil
        let t = cpuSeconds { second = planner.plan(input) }
        compare(String(format: "timer re-plan (%.3f CPU s)", t), first, second, since: later)
        let unit = input.shifts[0].unit
        var dropped = 0
        input.shifts.removeAll { s in
            guard s.unit == unit && s.kind == .shift else { return false }
            dropped += 1
            return dropped % 10 == 0
        }
        input.committed = second.assignments.filter { $0.interval.start < told }
        if withPrevious { input.previous = second.assignments.filter { $0.interval.start >= told } }
        let third = planner.plan(input)
        compare("roster change (\(dropped / 10) shifts of \(unit) removed)", second, third, since: later)
    }
}

/// Writes the quality instances (`QualityInstances`) with the scores of jitd, the plain greedy and
/// first-fit, for `bench/planner/exact.py`.
func export(_ dir: String, seeds: ClosedRange<UInt64>) {
    try? FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
    for seed in seeds {
        let input = QualityInstances.make(seed: seed)
        let plans = ["jitd": jitd().plan(input), "greedy": Planner(.plainGreedy).plan(input), "first-fit": Planner(.firstFit).plan(input)]
        let doc = ExactInstance.json(input: input, scores: plans)
        _ = FileManager.default.createFile(atPath: "\(dir)/instance-\(seed).json", contents: doc.encoded())
    }
    say("wrote \(seeds.count) instances (seeds \(seeds.lowerBound)...\(seeds.upperBound)) to \(dir)")
}

say("jitd planner benchmark")
if let seed = ProcessInfo.processInfo.environment["BENCH_DEBUG_SEED"].flatMap(UInt64.init) {
    let input = QualityInstances.make(seed: seed)
    let plan = Planner().plan(input)
    say("score \(plan.weightPlaced)")
    for u in plan.unmet { say("unmet \(u.staffID) \(u.moduleID) \(u.reason)") }
    for a in plan.assignments { say("placed \(a.staffID) \(a.moduleID) \(a.interval.start.rfc3339) \(a.group ?? "")") }
    for m in input.modules { say("module \(m.id) \(m.kind) \(m.priority) \(m.minutes) min prereq \(m.prerequisites)") }
}
let args = Array(CommandLine.arguments.dropFirst())
if let i = args.firstIndex(of: "export") {
    // export DIR [FIRST COUNT]: the 30 instances of the quality table by default; other seeds check
    // that what holds on those 30 holds on instances the search was never tuned on.
    let first = i + 2 < args.count ? UInt64(args[i + 2]) ?? 1 : 1
    let count = i + 3 < args.count ? UInt64(args[i + 3]) ?? UInt64(QualityInstances.count) : UInt64(QualityInstances.count)
    export(i + 1 < args.count ? args[i + 1] : "bench-instances", seeds: first...(first + count - 1))
}
else {
    if args.isEmpty || args.contains("speed") { speed() }
    if args.isEmpty || args.contains("fairness") { fairness() }
    if args.isEmpty || args.contains("scaling") { scaling() }
    if args.isEmpty || args.contains("surge") { surge() }
    if args.isEmpty || args.contains("churn") { churn() }
    if args.contains("profile") {
        // For perf: the 5,000-staff, 48-hour plan, three times.
        // BENCH_STAFF=n: another size (units of 125 people).
        let staff = ProcessInfo.processInfo.environment["BENCH_STAFF"].flatMap(Int.init) ?? 5_000
        let input = GeneratedHospital(staff: staff, units: max(1, staff / 125), days: 7, modules: 200).make()
        let strategy: Planner.Strategy = args.contains("greedy") ? .plainGreedy : .full
        let planner = strategy == .full ? jitd() : Planner(strategy)
        for _ in 0..<3 { say(String(format: "%.3f s", cpuSeconds { _ = planner.plan(input) })) }
    }
}

/// Per day, night and weekend bucket (New York, the generated hospital's zone): how many shifts,
/// their hours inside the horizon, the training minutes, how many shifts got nothing, how many of
/// the others reached the default caps (2 sessions or 25+ minutes), and the mean hours inside
/// the horizon per shift (a shift cut by `now` or the horizon's end has fewer).
func fairnessByShift(_ input: PlanningInput, _ plan: Plan, _ name: String) -> [String] {
    let zone = Zone("America/New_York")!
    var used: [String: (Int, Int)] = [:] // shift key -> minutes, sessions
    let byStaff = Dictionary(grouping: input.shifts, by: \.staffID)
    for a in plan.assignments {
        for s in byStaff[a.staffID] ?? [] where s.kind == .shift && s.interval.start <= a.interval.start && a.interval.end <= s.interval.end {
            let k = "\(s.staffID)@\(s.interval.start.seconds)"
            let u = used[k] ?? (0, 0)
            used[k] = (u.0 + Int(a.interval.seconds / 60), u.1 + 1)
        }
    }
    var rows: [String: [Int]] = [:] // shifts, insideMin, minutes, capped, zero
    for s in input.shifts where s.kind == .shift && s.interval.overlaps(plan.horizon) {
        let l = zone.local(s.interval.start)
        let wd = (Int((s.interval.start.seconds - 5 * 3600) / 86400) % 7 + 7) % 7 // 0 = Thursday (epoch)
        let weekend = wd == 2 || wd == 3
        let b = weekend ? "weekend" : (6..<18).contains(l.hour) ? "day" : "night"
        let inside = (min(s.interval.end, plan.horizon.end).seconds - max(s.interval.start, plan.horizon.start).seconds) / 60
        let u = used["\(s.staffID)@\(s.interval.start.seconds)"] ?? (0, 0)
        var r = rows[b] ?? [0, 0, 0, 0, 0]
        r[0] += 1; r[1] += Int(inside); r[2] += u.0; r[3] += (u.0 >= 25 || u.1 >= 2) ? 1 : 0; r[4] += u.0 == 0 ? 1 : 0
        rows[b] = r
    }
    return rows.sorted(by: { $0.key < $1.key }).map { b, r in
        String(format: "%@ %@: shifts %d, hours inside %d, training minutes %d (%.3f min/h), untrained %d, at caps %d of %d trained (%.1f %%), hours inside per shift %.2f",
               name as NSString, b as NSString, r[0], r[1] / 60, r[2], Double(r[2]) * 60 / Double(r[1]), r[4], r[3], r[0] - r[4],
               100 * Double(r[3]) / Double(max(1, r[0] - r[4])), Double(r[1]) / 60 / Double(r[0]))
    }
}
