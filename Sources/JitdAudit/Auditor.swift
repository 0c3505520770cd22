import Foundation

/// Checks every hard rule of SPEC against what people were told over a whole period.
///
/// It replays the receivers' messages (which sessions were in effect), the roster files in the
/// order they were applied (which roster was in force at each minute) and the store's final
/// state (declines, completions), and it shares no code with the planner: it works minute by
/// minute on Unix seconds, reads local times through Foundation's `TimeZone`, and evaluates
/// coverage windows, the replacement rule and every placement rule itself.
public struct Auditor: Sendable {
    public init() {}

    public func audit(_ h: AuditHistory) -> AuditReport {
        var report = AuditReport()
        let clocks = Clocks(h.hospital)
        let told = ToldSessions(h.deliveries, final: h.assignments)
        report.unreadableBodies = told.unreadable
        report.toldAfterCancel = told.toldAfterCancel
        report.notifications = told.sessions.count
        report.cancelledNotifications = told.sessions.filter { $0.cancelReceivedAt != nil }.count
        report.cancelledBeforeStart = told.sessions.filter { s in s.cancelReceivedAt.map { $0 < s.start } ?? false }.count
        report.cancellationReasons = told.cancelReasons
        report.cancelledUntold = told.sessions.filter { $0.finalState == "cancelled" && $0.cancelReceivedAt == nil }.count
        report.deliveries = h.deliveries.count
        for (endpoint, list) in Dictionary(grouping: h.deliveries, by: \.endpoint) {
            let extra = list.count - Set(list.map(\.webhookID)).count
            if extra > 0 { report.duplicateDeliveries[endpoint] = extra }
        }
        // A session that starts after the period ends is undecided: the rest of its team may yet
        // be told, or a cancellation arrive, before it starts.
        report.startingAfterEnd = told.sessions.filter { $0.start >= h.to }.count
        let live = told.sessions.filter { $0.inEffect && $0.start < h.to }
        report.sessionsInEffect = live.count
        let context = Context(history: h, clocks: clocks, live: live, told: told.sessions)
        report.toldLate = live.filter { $0.start - $0.toldAt < Int64(context.policy($0.unit).notifyLeadMinutes) * 60 }.count
        var out: [Violation] = []
        out += context.placement(unknownModule: &report.unknownModule)
        out += context.spacing()
        out += context.groups()
        var spare = SpareStaff(from: h.from)
        out += context.coverage(&report, spare: &spare)
        report.reinforcement = context.reinforcement(spare: spare)
        report.violations = out.sorted { ($0.at, $0.kind, $0.unit ?? "", $0.staff ?? "", $0.detail) < ($1.at, $1.kind, $1.unit ?? "", $1.staff ?? "", $1.detail) }
        return report
    }
}

/// The audit's shared lookups.
struct Context {
    let history: AuditHistory
    let clocks: Clocks
    /// Sessions in effect, by start.
    let live: [Session]
    let liveByStaff: [String: [Session]]
    /// Sessions in effect that count toward caps and spacing (``Session/countsTowardCaps``), by person.
    let cappedByStaff: [String: [Session]]
    let units: [String: AuditUnit]
    let catalogs: [AuditCatalog]
    let completions: [String: [Int64]]

    /// Every session a receiver was told of, in effect or not, by person.
    let toldByStaff: [String: [Session]]

    init(history: AuditHistory, clocks: Clocks, live: [Session], told: [Session] = []) {
        self.history = history
        self.clocks = clocks
        self.live = live
        toldByStaff = Dictionary(grouping: told, by: \.staff)
        liveByStaff = Dictionary(grouping: live, by: \.staff)
        cappedByStaff = Dictionary(grouping: live.filter(\.countsTowardCaps), by: \.staff)
        units = Dictionary(history.hospital.units.map { ($0.name, $0) }, uniquingKeysWith: { a, _ in a })
        catalogs = history.catalogs.enumerated().sorted { ($0.element.since, $0.offset) < ($1.element.since, $1.offset) }.map(\.element)
        completions = Dictionary(grouping: history.completions, by: { $0.staff + "\u{1F}" + $0.module }).mapValues { $0.map(\.completedAt) }
    }

    func policy(_ unit: String) -> AuditPolicy { units[unit]?.policy ?? history.hospital.policy }

    /// The module as the catalog in force at `t` describes it.
    func module(_ id: String, at t: Int64) -> AuditModule? {
        var version: AuditCatalog? = catalogs.first
        for c in catalogs where c.since <= t { version = c }
        return version?.modules.first { $0.id == id }
    }

    static func minutes(_ seconds: Int64) -> String { "\(seconds / 60) min" }

    // MARK: Each session against the roster in force at its start

    func placement(unknownModule: inout Int) -> [Violation] {
        var out: [Violation] = []
        var replay = RosterReplay(files: history.rosterFiles, clocks: clocks)
        let allUnits = Array(Set(history.hospital.units.map(\.name) + replay.unitsNamed)).sorted()
        var capsChecked: Set<String> = []
        for s in live {
            // The roster in force when the person left: a file applied at the very instant the
            // session starts came while it was already running (jitd cancels only what has not
            // started), like a change during the session.
            replay.advance(to: s.start - 1)
            let p = policy(s.unit)
            func report(_ kind: Violation.Kind, _ detail: String) {
                out.append(Violation(kind: kind, at: s.start, unit: s.unit, staff: s.staff, detail: "\(s.id) \(s.module): \(detail)"))
            }
            if s.start % Int64(p.slotMinutes * 60) != 0 { report(.offGrid, "starts off the \(p.slotMinutes)-minute grid") }
            if let m = module(s.module, at: s.scheduledAt) {
                // A booster takes the module's reinforce_minutes and has no prerequisites: the
                // person completed the module itself.
                let minutes = s.booster == nil ? m.minutes : m.reinforceMinutes ?? 3
                if s.end - s.start != Int64(minutes) * 60 {
                    report(.wrongLength, "lasts \(Self.minutes(s.end - s.start)); \(s.booster == nil ? "the module" : "its booster") takes \(minutes) min")
                }
                if s.start < m.published { report(.notPublished, "starts before the module is published (\(LocalClock.text(m.published)))") }
                if s.booster == nil { out += prerequisites(s, m) }
            } else {
                unknownModule += 1
            }
            let mine = replay.entries(around: s.start, units: allUnits).filter { $0.staff == s.staff }
            let holder = mine.first { $0.kind == .shift && $0.unit == s.unit && $0.role == s.role && $0.start <= s.start && s.end <= $0.end }
            if let holder {
                let buffer = Int64(p.handoverBufferMinutes) * 60
                if s.start < holder.start + buffer || s.end > holder.end - buffer {
                    report(.handoverBuffer, "within \(p.handoverBufferMinutes) min of the shift's ends (\(LocalClock.text(holder.start)) – \(LocalClock.text(holder.end)))")
                }
                let key = "\(s.staff)\u{1F}\(holder.start)\u{1F}\(holder.end)"
                if s.countsTowardCaps, capsChecked.insert(key).inserted {
                    let inShift = (cappedByStaff[s.staff] ?? []).filter { holder.start <= $0.start && $0.start < holder.end }
                    let minutes = inShift.reduce(Int64(0)) { $0 + ($1.end - $1.start) } / 60
                    let list = inShift.map { "\($0.module)@\(LocalClock.text($0.start))" }.joined(separator: ", ")
                    if inShift.count > p.maxSessionsPerShift {
                        report(.sessionsPerShift, "\(inShift.count) sessions in the shift \(LocalClock.text(holder.start)) – \(LocalClock.text(holder.end)), cap \(p.maxSessionsPerShift): \(list)")
                    }
                    if minutes > Int64(p.maxTrainingMinutesPerShift) {
                        report(.minutesPerShift, "\(minutes) training minutes in the shift \(LocalClock.text(holder.start)) – \(LocalClock.text(holder.end)), cap \(p.maxTrainingMinutesPerShift): \(list)")
                    }
                }
            } else {
                let around = mine.filter { $0.kind == .shift }.map { "\($0.unit)/\($0.role) \(LocalClock.text($0.start)) – \(LocalClock.text($0.end))" }
                report(.outsideShift, "no shift on \(s.unit) as \(s.role) holds \(LocalClock.text(s.start)) – \(LocalClock.text(s.end)) in the roster in force"
                       + (around.isEmpty ? " (no shift of the person then)" : " (the person's shifts then: \(around.joined(separator: "; ")))"))
            }
            if let busy = mine.first(where: { $0.kind == .busy && $0.start < s.end && s.start < $0.end }) {
                report(.busyBlock, "overlaps a busy block \(LocalClock.text(busy.start)) – \(LocalClock.text(busy.end))")
            }
        }
        return out
    }

    /// A prerequisite is met by a completion valid at the session's start, or by a session of it
    /// in effect that ends first.
    func prerequisites(_ s: Session, _ m: AuditModule) -> [Violation] {
        var out: [Violation] = []
        for pre in m.prerequisites {
            let recur = module(pre, at: s.scheduledAt)?.recurDays
            let done = (completions[s.staff + "\u{1F}" + pre] ?? []).contains { c in
                c <= s.start && recur.map { c + Int64($0) * 86_400 > s.start } ?? true
            }
            let before = (liveByStaff[s.staff] ?? []).contains { $0.module == pre && $0.booster == nil && $0.end <= s.start }
            if !done && !before {
                out.append(Violation(kind: .prerequisite, at: s.start, unit: s.unit, staff: s.staff,
                                     detail: "\(s.id) \(s.module): prerequisite \(pre) neither completed nor taken before"))
            }
        }
        return out
    }

    // MARK: Between sessions of one person

    func spacing() -> [Violation] {
        var out: [Violation] = []
        for staff in cappedByStaff.keys.sorted() {
            let list = cappedByStaff[staff]!.sorted { ($0.start, $0.id) < ($1.start, $1.id) }
            let widest = Int64(list.map { policy($0.unit).minMinutesBetweenSessions }.max() ?? 0) * 60
            for i in list.indices {
                for j in (i + 1)..<list.count {
                    let a = list[i], b = list[j]
                    if b.start >= a.end + widest { break }
                    let gap = Int64(policy(b.unit).minMinutesBetweenSessions) * 60
                    if b.start < a.end + gap {
                        let how = b.start < a.end ? "overlap" : "are \(Self.minutes(b.start - a.end)) apart, minimum \(gap / 60) min"
                        out.append(Violation(kind: .spacing, at: b.start, unit: b.unit, staff: staff,
                                             detail: "\(a.id) \(a.module) at \(LocalClock.text(a.start)) and \(b.id) \(b.module) at \(LocalClock.text(b.start)) \(how)"))
                    }
                }
            }
        }
        return out
    }

    // MARK: Drills and classrooms

    func groups() -> [Violation] {
        var out: [Violation] = []
        var drills: [String: [Session]] = [:]
        var classes: [String: [Session]] = [:]
        for s in live where s.booster == nil {
            guard let m = module(s.module, at: s.scheduledAt) else { continue }
            switch m.kind {
            case .drill: drills[s.group ?? "(no group) \(s.id)", default: []].append(s)
            case .classroom: classes["\(s.module)\u{1F}\(s.start)", default: []].append(s)
            case .online: break
            }
        }
        for g in drills.keys.sorted() {
            let members = drills[g]!
            let first = members[0]
            // A team keeps the bounds its members were told under, or those in force when it runs
            // (an educator's edit in between: a team of two after `group_min` went from 3 to 2,
            // or of five after `group_max` went from 5 to 4). Outside both, it is a violation.
            let told = module(first.module, at: first.scheduledAt)!
            let atStart = module(first.module, at: first.start) ?? told
            func fits(_ m: AuditModule) -> Bool { members.count >= (m.groupMin ?? 2) && members.count <= (m.groupMax ?? Int.max) }
            if !fits(told) && !fits(atStart) {
                let low = atStart.groupMin ?? 2, high = atStart.groupMax ?? Int.max
                out.append(Violation(kind: .drillSize, at: first.start, unit: first.unit,
                                     detail: "drill \(g) of \(first.module) has \(members.count) people in effect, bounds \(low)–\(high == Int.max ? "∞" : "\(high)"): \(members.map(\.staff).sorted().joined(separator: ", "))"))
            }
            if Set(members.map(\.unit)).count > 1 || Set(members.map(\.start)).count > 1 {
                out.append(Violation(kind: .drillShape, at: first.start, unit: first.unit,
                                     detail: "drill \(g) of \(first.module) spans units \(Set(members.map(\.unit)).sorted()) and \(Set(members.map(\.start)).count) start times"))
            }
        }
        for key in classes.keys.sorted() {
            let members = classes[key]!
            let first = members[0]
            let m = module(first.module, at: members.map(\.scheduledAt).min()!)!
            let sessions = m.sessions.filter { $0.start == first.start }
            if sessions.isEmpty {
                out.append(Violation(kind: .classroomTime, at: first.start, unit: first.unit,
                                     detail: "\(members.count) attendees of \(first.module) at \(LocalClock.text(first.start)), which is none of its sessions"))
            } else {
                let capacity = sessions.reduce(0) { $0 + $1.capacity }
                if members.count > capacity {
                    out.append(Violation(kind: .classroomCapacity, at: first.start, unit: first.unit,
                                         detail: "\(members.count) attendees of \(first.module) at \(LocalClock.text(first.start)), capacity \(capacity): \(members.map(\.staff).sorted().joined(separator: ", "))"))
                }
            }
        }
        return out
    }
}
