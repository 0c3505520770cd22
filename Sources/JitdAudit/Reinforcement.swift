import Foundation

/// Training that sticks, measured over the period (not hard rules, so not violations): boosters
/// placed near their target, and recertifications renewed before they lapse, by the kind of
/// shifts people work.
public struct ReinforcementFigures: Sendable, Codable, Hashable {
    /// Boosters whose whole tolerance window (`target ± 2 days`) lies inside the period.
    public struct Boosters: Sendable, Codable, Hashable {
        /// Due: the module completed, the window inside the period, not superseded by a later
        /// completion of the module before the window closed.
        public var due = 0
        /// Of those, a booster session in effect (not declined) started inside the window.
        public var onTime = 0
        /// Placed, but before or after the window.
        public var early = 0
        public var late = 0
        /// Never in effect for that completion.
        public var notPlaced = 0
        /// Of `notPlaced`, the person had no shift in the window in the roster in force at the
        /// end: nothing could be placed.
        public var noShiftInWindow = 0

        /// The share on time among boosters the person could have had (a shift in the window).
        public var onTimeShare: Double? {
            let possible = due - noShiftInWindow
            return possible == 0 ? nil : Double(onTime) / Double(possible)
        }
    }

    /// Recertifications whose lapse falls inside the period with the whole renewal window before
    /// it inside the period too.
    public struct Renewals: Sendable, Codable, Hashable {
        public var lapsing = 0
        /// A new completion of the module came at or before the lapse.
        public var renewedBefore = 0
        /// Lapsed anyway, by why: `no shift in the window`, `declined`, `missed`,
        /// `cancelled`, `told, not completed`, `placed after the lapse` or `never placed`, the
        /// last two each with one of
        /// - `shifts full`: every shift of the person in the window had its session or minutes
        ///   cap taken by other training;
        /// - `unit at its minimum`: a shift had room, but at no stretch of it as long as the
        ///   module, inside the handover buffers, clear of the person's other sessions (with
        ///   their spacing) and busy blocks, could the unit spare one more of the person's role;
        /// - `slack unused`: such a stretch existed (by the roster in force then and the
        ///   training in effect then) and the renewal was not placed in it. For a class, the
        ///   stretch is one of its sessions with a seat left; for a drill, the unit could spare
        ///   a whole team (`group_min` of the person's role) then, which does not say that
        ///   enough others lacked the drill: `slack for a team unused`.
        public var lapsed: [String: Int] = [:]
        /// The first few lapses with slack unused: who, what, when it lapsed and the first stretch
        /// the unit could have spared, to look into.
        public var slackUnusedExamples: [String] = []
        public var lapsedTotal: Int { lapsed.values.reduce(0, +) }
    }

    public static let toleranceDays: Int64 = 2

    /// Boosters of people who work mostly by day, and mostly by night (a night shift starts
    /// between 19:00 and 04:59 local).
    public var boostersDay = Boosters()
    public var boostersNight = Boosters()
    /// Renewals of people who work only nights, only weekends, and everyone else.
    public var renewalsNightOnly = Renewals()
    public var renewalsWeekendOnly = Renewals()
    public var renewalsOther = Renewals()

    public init() {}
}

extension Context {
    func reinforcement(spare: SpareStaff) -> ReinforcementFigures {
        var out = ReinforcementFigures()
        // People's shifts by the roster in force at the end, and what kind of worker each is.
        var replay = RosterReplay(files: history.rosterFiles, clocks: clocks)
        replay.advance(to: Int64.max)
        var shifts: [String: [AuditRosterEntry]] = [:], busy: [String: [AuditRosterEntry]] = [:]
        for entries in replay.days.values {
            for e in entries {
                if e.kind == .shift { shifts[e.staff, default: []].append(e) } else { busy[e.staff, default: []].append(e) }
            }
        }
        func isNight(_ e: AuditRosterEntry) -> Bool {
            let m = clocks.clock(e.unit).minuteOfDay(e.start)
            return m >= 19 * 60 || m < 5 * 60
        }
        func isWeekend(_ e: AuditRosterEntry) -> Bool {
            let c = clocks.clock(e.unit)
            return LocalClock.weekday(ofDay: c.day(e.start)) >= 6
        }
        func worksIn(_ staff: String, _ from: Int64, _ to: Int64) -> Bool {
            (shifts[staff] ?? []).contains { $0.start < to && from < $0.end }
        }
        let latest = catalogs.last?.modules ?? []
        let byStaffModule = Dictionary(grouping: history.completions, by: { $0.staff + "\u{1F}" + $0.module })
        let day: Int64 = 86_400

        for key in byStaffModule.keys.sorted() {
            let group = byStaffModule[key]!
            let list = group.map(\.completedAt).sorted()
            let staff = group[0].staff, moduleID = group[0].module
            let mine = shifts[staff] ?? []
            let night = !mine.isEmpty && mine.filter(isNight).count * 2 > mine.count
            let boosters: WritableKeyPath<ReinforcementFigures, ReinforcementFigures.Boosters> = night ? \.boostersNight : \.boostersDay
            let sessions = (liveByStaff[staff] ?? []).filter { $0.module == moduleID }
            for (i, c) in list.enumerated() {
                let next = i + 1 < list.count ? list[i + 1] : nil
                // Boosters of this completion.
                if let m = module(moduleID, at: c), let days = m.reinforceDays {
                    for (k, d) in days.enumerated() {
                        let target = c + Int64(d) * day
                        let open = target - ReinforcementFigures.toleranceDays * day, close = target + ReinforcementFigures.toleranceDays * day
                        guard open >= history.from, close <= history.to else { continue }
                        if let n = next, n < close { continue }
                        var b = out[keyPath: boosters]
                        b.due += 1
                        let placed = sessions.filter { $0.booster == k + 1 && $0.start > c && $0.finalState != "declined" }
                            .min { abs($0.start - target) < abs($1.start - target) }
                        if let p = placed {
                            if p.start < open { b.early += 1 } else if p.start > close { b.late += 1 } else { b.onTime += 1 }
                        } else {
                            b.notPlaced += 1
                            if !worksIn(staff, open, close) { b.noShiftInWindow += 1 }
                        }
                        out[keyPath: boosters] = b
                    }
                }
                // The recertification this completion starts.
                guard let m = latest.first(where: { $0.id == moduleID }), let recur = m.recurDays, recur > 1 else { continue }
                let lapse = c + Int64(recur) * day
                let window = Int64(min(m.renewWindowDays ?? 30, recur - 1)) * day
                guard lapse - window >= history.from, lapse < history.to else { continue }
                if let n = next, n < lapse - window { continue }
                var r = ReinforcementFigures.Renewals()
                r.lapsing = 1
                if let n = next, n <= lapse {
                    r.renewedBefore = 1
                } else {
                    let inWindow = (toldByStaff[staff] ?? []).filter {
                        $0.module == moduleID && $0.booster == nil && $0.start >= lapse - window && $0.start < lapse
                    }
                    let why: String
                    if !worksIn(staff, lapse - window, lapse) { why = "no shift in the window" }
                    else if inWindow.contains(where: { $0.finalState == "declined" }) { why = "declined" }
                    else if inWindow.contains(where: { $0.finalState == "missed" }) { why = "missed" }
                    else if inWindow.contains(where: { $0.cancelReceivedAt != nil }) { why = "cancelled" }
                    else if !inWindow.isEmpty { why = "told, not completed" }
                    else {
                        let late = sessions.contains { $0.booster == nil && $0.start >= lapse }
                        // Whether the person's shifts in the window were already full of other
                        // training (every one at its session cap), or one had room the unit could
                        // not spare or that went unused.
                        let withRoom = (shifts[staff] ?? []).filter { $0.start < lapse && lapse - window < $0.end }.filter { shift in
                            let p = policy(shift.unit)
                            let inShift = (cappedByStaff[staff] ?? []).filter { shift.start <= $0.start && $0.start < shift.end }
                            let minutes = inShift.reduce(0) { $0 + Int($1.end - $1.start) / 60 }
                            return inShift.count < p.maxSessionsPerShift && minutes + m.minutes <= p.maxTrainingMinutesPerShift
                        }
                        let stretch = withRoom.lazy.compactMap { shift in
                            spareStretch(staff, shift, from: lapse - window, to: lapse, module: m, spare: spare, busy: busy[staff] ?? [])
                        }.first
                        let unused = m.kind == .drill ? ", slack for a team unused" : ", slack unused"
                        why = (late ? "placed after the lapse" : "never placed")
                            + (withRoom.isEmpty ? ", shifts full" : stretch != nil ? unused : ", unit at its minimum")
                        if let stretch {
                            r.slackUnusedExamples = ["\(staff) \(moduleID) lapsed \(LocalClock.text(lapse)); the unit could spare them from \(LocalClock.text(stretch))"]
                        }
                    }
                    r.lapsed[why] = 1
                }
                func add(_ to: inout ReinforcementFigures.Renewals) {
                    to.lapsing += r.lapsing
                    to.renewedBefore += r.renewedBefore
                    for (k, v) in r.lapsed { to.lapsed[k, default: 0] += v }
                    if to.slackUnusedExamples.count < 3 { to.slackUnusedExamples += r.slackUnusedExamples }
                }
                if !mine.isEmpty && mine.allSatisfy(isNight) { add(&out.renewalsNightOnly) }
                if !mine.isEmpty && mine.allSatisfy(isWeekend) { add(&out.renewalsWeekendOnly) }
                if mine.isEmpty || (!mine.allSatisfy(isNight) && !mine.allSatisfy(isWeekend)) { add(&out.renewalsOther) }
            }
        }
        return out
    }
}

extension Context {
    /// Where in `shift`, inside `[from, to)` and its handover buffers, the module could have gone
    /// for all the unit's slack showed: its minutes in a row clear of the person's sessions (with
    /// the spacing between them) and busy blocks, at each of which the unit could spare one more
    /// of the shift's role (a drill: `group_min` more), starting anywhere for an online module
    /// and at a session with a seat left for a class. Returns the stretch's start, or `nil`.
    func spareStretch(_ staff: String, _ shift: AuditRosterEntry, from: Int64, to: Int64, module m: AuditModule,
                      spare: SpareStaff, busy: [AuditRosterEntry]) -> Int64? {
        let p = policy(shift.unit)
        let buffer = Int64(p.handoverBufferMinutes) * 60, gap = Int64(p.minMinutesBetweenSessions) * 60
        let lo = max(shift.start + buffer, from, history.from), hi = min(shift.end - buffer, to, history.to)
        let length = Int64(m.minutes) * 60
        guard hi - lo >= length else { return nil }
        let blocked = (cappedByStaff[staff] ?? []).map { ($0.start - gap, $0.end + gap) } + busy.map { ($0.start, $0.end) }
        let people = Int32(m.kind == .drill ? max(2, m.groupMin ?? 2) : 1)
        func clear(_ t: Int64) -> Bool {
            !blocked.contains { $0.0 < t + 60 && t < $0.1 }
                && spare.canSpare(unit: shift.unit, role: shift.role, minute: Int((t - spare.from) / 60), people: people)
        }
        if m.kind == .classroom {
            for start in Set(m.sessions.map(\.start)).sorted() where lo <= start && start + length <= hi {
                let capacity = m.sessions.filter { $0.start == start }.reduce(0) { $0 + $1.capacity }
                let taken = live.filter { $0.module == m.id && $0.booster == nil && $0.start == start }.count
                if taken < capacity && stride(from: start, to: start + length, by: 60).allSatisfy(clear) { return start }
            }
            return nil
        }
        var run = 0
        var t = lo
        while t + 60 <= hi {
            run = clear(t) ? run + 1 : 0
            t += 60
            if run >= m.minutes { return t - length }
        }
        return nil
    }
}

extension ReinforcementFigures {
    var summaryLines: [String] {
        var lines: [String] = []
        func pct(_ v: Double?) -> String { v.map { String(format: "%.1f %%", $0 * 100) } ?? "–" }
        func boosters(_ name: String, _ b: Boosters) -> String {
            "\(name) \(b.due) due, \(b.onTime) within ±2 days (\(pct(b.onTimeShare)) of those with a shift in the window), "
                + "\(b.early) early, \(b.late) late, \(b.notPlaced) not placed (\(b.noShiftInWindow) with no shift in the window)"
        }
        if boostersDay.due + boostersNight.due > 0 {
            lines.append("  boosters: " + boosters("day staff", boostersDay) + "; " + boosters("night staff", boostersNight))
        }
        func renewals(_ name: String, _ r: Renewals) -> String {
            let why = r.lapsed.sorted { ($0.value, $1.key) > ($1.value, $0.key) }.map { "\($0.key) \($0.value)" }.joined(separator: ", ")
            return "\(name) \(r.lapsing) lapsing, \(r.renewedBefore) renewed before the lapse, \(r.lapsedTotal) lapsed" + (why.isEmpty ? "" : " (\(why))")
        }
        let total = renewalsNightOnly.lapsing + renewalsWeekendOnly.lapsing + renewalsOther.lapsing
        if total > 0 {
            lines.append("  renewals: " + renewals("night-only", renewalsNightOnly) + "; " + renewals("weekend-only", renewalsWeekendOnly)
                         + "; " + renewals("others", renewalsOther))
            let examples = Set(renewalsNightOnly.slackUnusedExamples + renewalsWeekendOnly.slackUnusedExamples + renewalsOther.slackUnusedExamples)
            for e in examples.sorted().prefix(3) { lines.append("    slack unused, for example: \(e)") }
        }
        return lines
    }
}
