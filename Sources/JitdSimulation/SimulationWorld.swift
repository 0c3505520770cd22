import Foundation
import JitdAudit
import JitdCore
import JitdDaemon
import JitdServer
import JitdStore

/// The hospital's side: its scheduling system, its people, its LMS, its educators and operators.
extension Simulation {
    func handle(_ event: SimEvent) throws {
        switch event {
        case .newDay(let d): planDay(d)
        case .dailyRosters: try dailyRosters()
        case .sickCall: try sickCall()
        case .swap: try swap()
        case .busyBlock: try addBusyBlock()
        case .badRoster: try badRoster()
        case .droppedAgain: try dropAgain()
        case .lmsFile: try lmsFile()
        case .completedElsewhere: try completedElsewhere()
        case .acknowledge(let id): try act(id, .acknowledge)
        case .decline(let id): try act(id, .decline)
        case .complete(let id): try act(id, .complete)
        case .reported(let id, let viaFile): try reported(id, viaFile: viaFile)
        case .postCompletions(let list): try post(list)
        case .catalogChange(let i): catalogChange(i)
        case .enable(let endpoint):
            guard let (store, _) = daemon else { return }
            if try store.enableEndpoint(endpoint, now: at) { stats.endpointsEnabled += 1 }
        case .restart: try restart()
        }
    }

    /// At midnight in the site's zone, the day's events are drawn.
    func planDay(_ d: Int) {
        func sometime() -> Int64 { max(now, site.instant(day: d, minute: rng.below(1440))) }
        queue.push(site.instant(day: d, minute: 5 * 60), .dailyRosters)
        for _ in 0..<rng.int(2...6) { queue.push(sometime(), .sickCall) }
        for _ in 0..<rng.int(1...3) { queue.push(sometime(), .swap) }
        for _ in 0..<rng.int(3...8) { queue.push(sometime(), .busyBlock) }
        for _ in 0..<rng.int(8...20) { queue.push(sometime(), .completedElsewhere) }
        for h in 0..<24 { queue.push(max(now, site.instant(day: d, minute: h * 60 + 17)), .lmsFile) }
        if rng.chance(0.5) { queue.push(sometime(), .droppedAgain) }
        // The first day has a refused export and a restart, so that even a short run has both.
        let firstDay = d == site.day(of: start)
        if firstDay || rng.chance(0.25) { queue.push(sometime(), .badRoster) }
        if firstDay || rng.chance(2.5 / 7) { queue.push(sometime(), .restart) }
        queue.push(site.instant(day: d + 1, minute: 0), .newDay(d + 1))
    }

    // MARK: Rosters

    /// The scheduling system's export: the next days of every unit, CSV for New York and JSON for
    /// London (the first one also the day before, for the nights still running).
    func dailyRosters() throws {
        let first = lastExport.isEmpty
        for json in [false, true] {
            let units = hospital.units.filter { $0.json == json }.map(\.name)
            let z = book.zone(units[0])
            let d = z.day(of: now)
            var entries: [AuditRosterEntry] = []
            for unit in units { for day in (first ? d - 1 : d)...(d + 2) { entries += book.entries(unit, day) } }
            let ext = json ? "json" : "csv"
            let text = json ? RosterText.json(entries, hospital: hospital, zones: zones) : RosterText.csv(entries, hospital: hospital, zones: zones)
            lastExport[ext] = (text, entries, ext)
            stats.rosterFiles += 1
            try drop("roster-\(json ? "london" : "newyork")-\(z.dateText(day: d))", ext, text, .roster(entries))
        }
    }

    /// A change to one unit-day: the scheduling system exports that unit-day whole.
    func dropUnitDay(_ unit: String, _ day: Int, _ why: String) throws {
        let entries = book.existing(unit, day) ?? []
        let json = hospital.units.first { $0.name == unit }!.json
        let text = json ? RosterText.json(entries, hospital: hospital, zones: zones) : RosterText.csv(entries, hospital: hospital, zones: zones)
        stats.rosterFiles += 1
        try drop("\(why)-\(unit)-\(book.zone(unit).dateText(day: day))", json ? "json" : "csv", text, .roster(entries))
    }

    /// Shifts already exported, near now, that match.
    func exportedShifts(_ unit: String, _ match: (AuditRosterEntry) -> Bool) -> [(day: Int, entry: AuditRosterEntry)] {
        let today = book.zone(unit).day(of: now)
        return ((today - 1)...(today + 2)).flatMap { day in
            (book.existing(unit, day) ?? []).filter { $0.kind == .shift && match($0) }.map { (day, $0) }
        }
    }

    /// Someone of the same unit and role who works nowhere near `[start, end)`.
    func cover(for e: AuditRosterEntry) -> Hospital.Staff? {
        let pool = hospital.staff.filter { $0.unit == e.unit && $0.role == e.role && $0.id != e.staff }
        guard !pool.isEmpty else { return nil }
        let first = rng.below(pool.count)
        for k in 0..<pool.count {
            let s = pool[(first + k) % pool.count]
            if book.isFree(s.id, unit: e.unit, start: e.start, end: e.end, margin: 8 * 3600) { return s }
        }
        return nil
    }

    /// A sick call: a shift later today is dropped (half the time someone covers it), or a person
    /// on shift goes home within the hour.
    func sickCall() throws {
        let unit = rng.pick(hospital.units).name
        let candidates = exportedShifts(unit) { e in
            (e.start > now + 1800 && e.start < now + 16 * 3600) || (e.start <= now && e.end > now + 7200)
        }
        guard !candidates.isEmpty else { return }
        let (day, e) = rng.pick(candidates)
        var list = book.existing(unit, day)!
        list.removeAll { $0 == e }
        if e.start <= now {
            let home = (now + Int64(rng.int(4...18)) * 300) / 300 * 300
            list.append(AuditRosterEntry(staff: e.staff, role: e.role, unit: unit, start: e.start, end: home))
            list = list.compactMap { b in
                guard b.staff == e.staff, b.kind == .busy, b.start < e.end, e.start < b.end else { return b }
                if b.start >= home { return nil }
                var clipped = b
                clipped.end = min(b.end, home)
                return clipped
            }
        } else {
            list.removeAll { $0.staff == e.staff && $0.kind == .busy && $0.start < e.end && e.start < $0.end }
            if rng.chance(0.5), let c = cover(for: e) {
                list.append(AuditRosterEntry(staff: c.id, role: e.role, unit: unit, start: e.start, end: e.end))
            }
        }
        book.replace(unit, day, list)
        stats.sickCalls += 1
        try dropUnitDay(unit, day, "sick")
    }

    /// Two people swap: a shift tomorrow goes to someone who was off.
    func swap() throws {
        let unit = rng.pick(hospital.units).name
        let candidates = exportedShifts(unit) { e in e.start > now + 3600 && e.start < now + 40 * 3600 }
        guard !candidates.isEmpty else { return }
        let (day, e) = rng.pick(candidates)
        guard let other = cover(for: e) else { return }
        var list = book.existing(unit, day)!
        list.removeAll { $0 == e || ($0.staff == e.staff && $0.kind == .busy && $0.start < e.end && e.start < $0.end) }
        list.append(AuditRosterEntry(staff: other.id, role: e.role, unit: unit, start: e.start, end: e.end))
        book.replace(unit, day, list)
        stats.swaps += 1
        try dropUnitDay(unit, day, "swap")
    }

    /// A meeting or a procedure is booked into a shift running now or starting soon.
    func addBusyBlock() throws {
        let unit = rng.pick(hospital.units).name
        let candidates = exportedShifts(unit) { e in e.end > now + 3 * 3600 && e.start < now + 12 * 3600 }
        guard !candidates.isEmpty else { return }
        let (_, e) = rng.pick(candidates)
        let from = (max(now + 900, e.start + 1800) + 299) / 300 * 300 + Int64(rng.below(12)) * 300
        let to = from + Int64([15, 30, 45, 60][rng.below(4)]) * 60
        guard to <= e.end - 1800 else { return }
        let day = book.zone(unit).day(of: from)
        var list = book.entries(unit, day)
        list.append(AuditRosterEntry(staff: e.staff, role: e.role, unit: unit, kind: .busy, start: from, end: to))
        book.replace(unit, day, list)
        stats.busyBlocksAdded += 1
        try dropUnitDay(unit, day, "busy")
    }

    /// An export with one broken row, refused whole: a date that does not exist, or a local time
    /// inside the spring gap of New York's clock change.
    func badRoster() throws {
        let unit = hospital.units.first { !$0.json }!.name
        let z = book.zone(unit)
        let today = z.day(of: now)
        let entries = book.entries(unit, today)
        var bad = "E9999,\(unit),RN,2026-02-30T07:00,2026-02-30T19:00,shift,Nobody"
        if let gap = (today...(today + 2)).first(where: { z.offset(z.instant(day: $0, minute: 0)) != z.offset(z.instant(day: $0, minute: 1439)) }),
           z.offset(z.instant(day: gap, minute: 0)) < z.offset(z.instant(day: gap, minute: 1439)) {
            bad = "E9999,\(unit),RN,\(z.dateText(day: gap))T02:30,\(z.dateText(day: gap))T08:00,shift,Nobody"
        }
        try drop("export-\(unit)-\(z.dateText(day: today))", "csv", RosterText.csv(entries, hospital: hospital, zones: zones, badRow: bad), .refused)
    }

    /// The last export dropped again, byte for byte, by a scheduling system that retried.
    func dropAgain() throws {
        guard let key = lastExport.keys.sorted().randomElement(using: &rng), let last = lastExport[key] else { return }
        stats.rosterFilesDroppedAgain += 1
        try drop("again", last.ext, last.text, .roster(last.entries))
    }

    // MARK: People

    /// A person told of a session: acknowledges (7 in 10), declines (6 in 100, up to five minutes
    /// after the start), and afterwards completes it through the API (1 in 4), has the LMS report
    /// it (half, mostly in its hourly file), does not show up (12 in 100) or forgets to say.
    func react(to id: String) throws {
        guard let (store, _) = daemon, let s = try store.assignment(id: id) else { return }
        let begin = s.assignment.interval.start.seconds, finish = s.assignment.interval.end.seconds
        if rng.below(100) < 6 {
            let latest = max(now, begin + 300)
            queue.push(now + Int64(rng.below(Int((latest - now) / 60) + 1)) * 60, .decline(id))
            return
        }
        if rng.chance(0.7) { queue.push(now + Int64(rng.int(0...8)) * 60, .acknowledge(id)) }
        let outcome = rng.below(100)
        if outcome < 12 {
            stats.noShows += 1
        } else if outcome < 37 {
            queue.push(finish + Int64(rng.int(0...30)) * 60, .complete(id))
        } else if outcome < 87 {
            queue.push(finish + Int64(rng.int(5...45)) * 60, .reported(id, viaFile: rng.chance(0.7)))
        }
    }

    /// The LMS saw the module completed in the session, a minute before its end.
    func reported(_ id: String, viaFile: Bool) throws {
        guard let (store, _) = daemon, let s = try store.assignment(id: id),
              [.planned, .notified, .acknowledged].contains(s.state) || s.state.rawValue == "missed" else { return }
        let done = s.assignment.interval.end.seconds - 60
        if viaFile {
            lmsBatch.append((s.assignment.staffID, s.assignment.moduleID, Instant(seconds: done).rfc3339))
        } else {
            try post([(s.assignment.staffID, s.assignment.moduleID, done)])
        }
    }

    /// Someone completed a module on their own (the LMS reports it by file or through the API);
    /// one file row in five gives a bare date.
    func completedElsewhere() throws {
        let person = rng.pick(hospital.staff)
        let eligible = modules.filter { $0.isEligible(role: person.role, unit: person.unit) }
        guard !eligible.isEmpty else { return }
        let m = rng.pick(eligible)
        let done = now - Int64(rng.int(0...180)) * 60
        stats.completedElsewhere += 1
        if rng.chance(0.5) {
            lmsBatch.append((person.id, m.id, rng.chance(0.2) ? site.dateText(day: site.day(of: done)) : Instant(seconds: done).rfc3339))
        } else {
            try post([(person.id, m.id, done)])
        }
    }

    /// The LMS's hourly completions file.
    func lmsFile() throws {
        guard !lmsBatch.isEmpty else { return }
        let text = "staff_id,module_id,completed_at\n" + lmsBatch.map { "\($0.staff),\($0.module),\($0.text)\n" }.joined()
        lmsBatch = []
        stats.completionsFiles += 1
        try drop("lms-completions", "csv", text, .completions)
    }

    /// `POST /v1/completions`, as its route calls the store.
    func post(_ list: [(staff: String, module: String, at: Int64)]) throws {
        guard let (store, runtime) = daemon else { return }
        let recur = Dictionary(modules.map { ($0.id, $0.recurDays) }, uniquingKeysWith: { a, _ in a })
        let hooks = runtime.apiHooks
        let t = at
        let applied = try store.applyCompletions(list.map { Completion(staffID: $0.staff, moduleID: $0.module, completedAt: Instant(seconds: $0.at)) },
                                                 source: "api", now: t,
                                                 holdsUntil: { c in (recur[c.moduleID] ?? nil).map { c.completedAt.adding(seconds: Int64($0) * 86_400) } },
                                                 cancelledEvents: { a, reason in hooks.cancelledEvents(a, reason, t) },
                                                 learningEvents: hooks.learningEvents)
        stats.completionsPosted += list.count
        if applied.added > 0 || applied.assignmentsCancelled > 0 || applied.assignmentsCompleted > 0 { changed = true }
    }

    /// `POST /v1/assignments/{id}/acknowledge|complete|decline`, as its route calls the store.
    func act(_ id: String, _ action: AssignmentAction) throws {
        guard let (store, runtime) = daemon else { return }
        let hooks = runtime.apiHooks
        let t = at
        guard case .changed = try store.transition(id, action, now: t, cancelledEvents: { a, reason in hooks.cancelledEvents(a, reason, t) },
                                                   learningEvents: hooks.learningEvents) else { return }
        switch action {
        case .acknowledge: stats.acknowledged += 1
        case .decline: stats.declined += 1
        case .complete: stats.completedByAPI += 1
        }
        if action != .acknowledge { changed = true }
    }

    // MARK: The catalog

    /// A nurse educator's change reaches the daemon (as a catalog reload does).
    func catalogChange(_ i: Int) {
        let c = catalogPlan.changes[i]
        modules = c.modules
        daemon?.runtime.catalog.replace(modules)
        catalogs.append(AuditCatalog(since: now, modules: CatalogPlan.audit(modules)))
        stats.catalogChanges += 1
        changed = true
        say("catalog: \(c.what)")
    }
}
