import Foundation

/// How many more people each unit and role could have spared at each minute of the period, by
/// the roster in force then and the training in effect then: on shift − in training − the
/// minimum. Read by the renewal figures to tell a unit that had no one to spare from slack left
/// unused. A unit and role no rule binds at a minute is not bounded then.
struct SpareStaff {
    let from: Int64
    /// By `unit␟role` (and `unit␟*` where a `*` rule applies), one value per minute.
    var spare: [String: [Int32]] = [:]

    /// Whether `people` more of `role` could have left `unit` at minute `m` of the period.
    func canSpare(unit: String, role: String, minute m: Int, people: Int32 = 1) -> Bool {
        for k in [unit + "\u{1F}" + role, unit + "\u{1F}*"] {
            if let column = spare[k], m >= 0, m < column.count, column[m] < people { return false }
        }
        return true
    }
}

extension Context {
    /// Minute by minute over the period, for every unit and every coverage rule that applies to
    /// it: on-shift headcount by the roster in force at that minute, minus the people in effect in
    /// training then (until ``Session/awayEnd``), must be at least the minimum (the larger one where several rules apply;
    /// `role = "*"` counts everyone on the unit).
    ///
    /// A shortfall counts as a violation only when training made it: the unit was not already
    /// below the minimum before anyone trained (that is understaffing, counted apart), and at
    /// least one session in effect then started after the unit's latest roster change (a
    /// session already running when the roster changed could not be undone). A unit already
    /// below the minimum releases nobody of that unit and role (SPEC): training then, in a
    /// session that started after the latest roster change, is its own violation. A change applied at
    /// the very instant a session starts came while it ran: jitd cancels only what has not started.
    func coverage(_ report: inout AuditReport, spare: inout SpareStaff) -> [Violation] {
        let from = history.from
        let n = Int((history.to - from) / 60)
        guard n > 0 else { return [] }
        func minute(ceil t: Int64) -> Int {
            let m = floorDiv(t - from + 59, 60)
            return Int(max(0, min(Int64(n), m)))
        }
        func key(_ unit: String, _ role: String) -> String { unit + "\u{1F}" + role }

        // Headcount on shift at each minute, by the roster in force then, and when each unit's
        // roster in force changed.
        var onShift: [String: [Int32]] = [:]
        var changes: [String: [Int64]] = [:]
        var replay = RosterReplay(files: history.rosterFiles, clocks: clocks)
        func record(_ applied: [(at: Int64, units: Set<String>)]) {
            for (at, units) in applied { for u in units { changes[u, default: []].append(at) } }
        }
        record(replay.advance(to: from))
        var m0 = 0
        while m0 < n {
            let m1 = replay.nextApplication.map { max(m0 + 1, minute(ceil: $0)) } ?? n
            let t0 = from + Int64(m0) * 60, t1 = from + Int64(m1) * 60
            for (dayKey, entries) in replay.days {
                let clock = clocks.clock(dayKey.unit)
                guard dayKey.day >= clock.day(t0) - 2 && dayKey.day <= clock.day(t1) + 1 else { continue }
                for e in entries where e.kind == .shift && e.start < t1 && t0 < e.end {
                    let lo = max(m0, minute(ceil: e.start)), hi = min(m1, minute(ceil: e.end))
                    guard lo < hi else { continue }
                    for k in [key(e.unit, e.role), key(e.unit, "*")] {
                        onShift[k, default: [Int32](repeating: 0, count: n + 1)][lo] += 1
                        onShift[k]![hi] -= 1
                    }
                }
            }
            if m1 >= n { break }
            record(replay.advance(to: t1))
            m0 = m1
        }

        // People in training at each minute, and the latest start among the sessions then.
        var training: [String: [Int32]] = [:]
        var latestStart: [String: [Int64]] = [:]
        for s in live {
            let lo = minute(ceil: s.start), hi = minute(ceil: s.awayEnd)
            guard lo < hi else { continue }
            for k in [key(s.unit, s.role), key(s.unit, "*")] {
                training[k, default: [Int32](repeating: 0, count: n + 1)][lo] += 1
                training[k]![hi] -= 1
                if latestStart[k] == nil { latestStart[k] = [Int64](repeating: Int64.min, count: n) }
                for m in lo..<hi where latestStart[k]![m] < s.start { latestStart[k]![m] = s.start }
            }
        }
        func running(_ diff: [Int32]?) -> [Int32] {
            guard var d = diff else { return [Int32](repeating: 0, count: n) }
            for i in 1..<d.count { d[i] += d[i - 1] }
            return Array(d.prefix(n))
        }

        var out: [Violation] = []
        let units = Array(Set(history.hospital.units.map(\.name) + replay.unitsNamed)).sorted()
        for unit in units {
            let rules = history.hospital.coverage.filter { $0.applies(toUnit: unit) }
            guard !rules.isEmpty else { continue }
            let clock = clocks.clock(unit)
            var localMinute = [Int](repeating: 0, count: n), localDay = [Int](repeating: 0, count: n)
            for m in 0..<n {
                let t = from + Int64(m) * 60
                localMinute[m] = clock.minuteOfDay(t)
                localDay[m] = clock.day(t)
            }
            let unitChanges = changes[unit] ?? []
            for role in Set(rules.map(\.role)).sorted() {
                let mine = rules.filter { $0.role == role }
                let k = key(unit, role)
                let on = running(onShift[k]), away = running(training[k])
                let latest = latestStart[k] ?? [Int64](repeating: Int64.min, count: n)
                var spareColumn = [Int32](repeating: .max, count: n)
                defer { spare.spare[k] = spareColumn }
                var changeIndex = 0
                // Runs of minutes per kind, reported as one violation each.
                var open: [Violation.Kind: (first: Int, last: Int, worst: Int, detail: String)] = [:]
                func close(_ kind: Violation.Kind) {
                    guard let o = open.removeValue(forKey: kind) else { return }
                    let what = kind == .coverage ? "short by up to \(o.worst)" : "already short by up to \(o.worst) before training, someone released"
                    out.append(Violation(kind: kind, at: from + Int64(o.first) * 60, unit: unit, minutes: o.last - o.first + 1,
                                         detail: "\(role == "*" ? "everyone" : role) \(what) for \(o.last - o.first + 1) min; first minute: \(o.detail)"))
                }
                func extend(_ kind: Violation.Kind, _ m: Int, _ t: Int64, short: Int, need: Int) {
                    if let o = open[kind], o.last == m - 1 {
                        open[kind] = (o.first, m, max(o.worst, short), o.detail)
                        return
                    }
                    close(kind)
                    let who = live.filter { $0.unit == unit && (role == "*" || $0.role == role) && $0.start <= t && t < $0.awayEnd }
                        .map { "\($0.staff) \($0.module) from \(LocalClock.text($0.start))" }
                    open[kind] = (m, m, short, "\(on[m]) on shift, \(away[m]) in training (\(who.joined(separator: "; "))), minimum \(need)")
                }
                for m in 0..<n {
                    let t = from + Int64(m) * 60
                    var need = 0
                    for r in mine where r.min > need && r.isActive(minuteOfDay: localMinute[m], day: localDay[m]) { need = r.min }
                    guard need > 0 else { continue }
                    spareColumn[m] = on[m] - away[m] - Int32(need)
                    report.coverageMinutesChecked += 1
                    while changeIndex < unitChanges.count && unitChanges[changeIndex] <= t { changeIndex += 1 }
                    let lastChange = changeIndex > 0 ? unitChanges[changeIndex - 1] : Int64.min
                    let trainingsDoing = away[m] > 0 && latest[m] > lastChange
                    if on[m] < need {
                        // Understaffed before any training: not training's shortfall, but SPEC
                        // releases nobody of that unit and role then.
                        report.understaffedMinutes += 1
                        if trainingsDoing {
                            report.trainingWhileUnderstaffedMinutes += 1
                            extend(.understaffedRelease, m, t, short: need - Int(on[m]), need: need)
                        }
                        continue
                    }
                    guard on[m] - away[m] < need else { continue }
                    guard trainingsDoing else { report.excusedMinutes += 1; continue }
                    extend(.coverage, m, t, short: need - Int(on[m] - away[m]), need: need)
                }
                close(.coverage)
                close(.understaffedRelease)
            }
        }
        return out
    }
}
