import Foundation
import Hummingbird
import JitdCore
import JitdStore
import Synchronization

/// Who must take a module, from the latest plan's input: the people on the roster from a day
/// before the plan to the end of its horizon, with their units and roles, latest completions
/// and first appearance. The same people the planner found needs for, so the unmet reasons
/// shown beside them are the planner's own.
struct Eligibility {
    struct Person {
        var staff: String
        var units: Set<String> = []
        var roles: Set<String> = []
        /// (unit, role) pairs.
        var posts: Set<[String]> = []
    }
    var people: [String: Person] = [:]
    var completions: [String: [String: Instant]] = [:] // staff → module → latest
    var firstSeen: [String: Instant] = [:]

    init(_ input: PlanningInput?) {
        guard let input else { return }
        for s in input.shifts where s.kind == .shift {
            people[s.staffID, default: Person(staff: s.staffID)].units.insert(s.unit)
            people[s.staffID]!.roles.insert(s.role)
            people[s.staffID]!.posts.insert([s.unit, s.role])
        }
        for c in input.completions where completions[c.staffID]?[c.moduleID].map({ $0 < c.completedAt }) ?? true {
            completions[c.staffID, default: [:]][c.moduleID] = c.completedAt
        }
        firstSeen = input.staffFirstSeen
    }

    func eligible(_ m: Module) -> [Person] {
        people.values.filter { p in p.posts.contains { m.isEligible(role: $0[1], unit: $0[0]) } }.sorted { $0.staff < $1.staff }
    }

    /// Whether a completion at `done` holds at `t`.
    static func holds(_ m: Module, _ done: Instant?, at t: Instant) -> Bool {
        guard let done else { return false }
        guard let recur = m.recurDays else { return true }
        return done.adding(seconds: Int64(recur) * 86_400) > t
    }

    /// When a person must have (re)taken a module: as the planner reckons it.
    static func due(_ m: Module, completedAt done: Instant?, firstSeen: Instant?) -> Instant? {
        if let done, let recur = m.recurDays { return done.adding(seconds: Int64(recur) * 86_400) }
        guard let days = m.dueDays else { return nil }
        return max(m.published, firstSeen ?? m.published).adding(seconds: Int64(days) * 86_400)
    }
}

/// Who must take what, and each module's surge report, worked out once per plan: the pages of
/// every module read them, and a plan for 5,000 staff comes every few minutes at most.
final class PlanDerived: Sendable {
    private struct Entry: @unchecked Sendable {
        var key: [Int64]
        var eligibility: Eligibility
        var surges: [String: SurgeReport]
        var eligible: [String: [Eligibility.Person]] = [:]
    }
    private let entry = Mutex<Entry?>(nil)

    static func key(_ latest: (plan: Plan, input: PlanningInput)?) -> [Int64] {
        guard let l = latest else { return [] }
        return [l.plan.generatedAt.seconds, Int64(l.plan.assignments.count), Int64(l.input.shifts.count), Int64(l.input.completions.count),
                Int64(l.input.modules.count)]
    }

    func eligibility(_ latest: (plan: Plan, input: PlanningInput)?) -> Eligibility {
        let key = Self.key(latest)
        if let e = entry.withLock({ $0?.key == key ? $0?.eligibility : nil }) { return e }
        let e = Eligibility(latest?.input)
        entry.withLock { $0 = Entry(key: key, eligibility: e, surges: [:]) }
        return e
    }

    /// The people who must take `m` under the latest plan.
    func eligible(_ latest: (plan: Plan, input: PlanningInput)?, _ m: Module) -> [Eligibility.Person] {
        let key = Self.key(latest)
        if let e = entry.withLock({ $0?.key == key ? $0?.eligible[m.id] : nil }) { return e }
        let e = eligibility(latest).eligible(m)
        entry.withLock { x in if x?.key == key { x?.eligible[m.id] = e } }
        return e
    }

    func surge(_ latest: (plan: Plan, input: PlanningInput), _ moduleID: String) -> SurgeReport {
        let key = Self.key(latest)
        if let s = entry.withLock({ $0?.key == key ? $0?.surges[moduleID] : nil }) { return s }
        let s = SurgeReport(plan: latest.plan, input: latest.input, moduleID: moduleID)
        entry.withLock { e in if e?.key == key { e?.surges[moduleID] = s } }
        return s
    }
}

/// Why a need is unmet, in words an educator can act on.
enum UnmetText {
    static func explain(_ reason: String, module: Module?, zone: Zone) -> String {
        switch reason {
        case "no_gap": "No gap in their shifts within the planning horizon: every window clear of handover buffers and busy blocks was too short, taken, or past the per-shift caps."
        case "understaffed": "Their unit had no slack: releasing them would take it below its coverage minimum."
        case "capacity": "No room: the classroom sessions are full, or no drill team of the required size could be released together."
        case "prerequisite": "A prerequisite is not complete and could not be planned before it."
        case "not_published": "Not published yet" + (module.map { ": it may be planned from \(LocalText.dateTime($0.published, zone))." } ?? ".")
        default: reason
        }
    }

    static func short(_ reason: String) -> String {
        switch reason {
        case "no_gap": "no gap"
        case "understaffed": "understaffed"
        case "capacity": "capacity"
        case "prerequisite": "prerequisite"
        case "not_published": "not published"
        default: reason
        }
    }
}

/// The modules page, one module's page (progress, burn-up, overdue, lapsing) and its CSV.
struct ModulePages {
    let store: Store
    let api: APIHooks
    let hooks: ConsoleHooks
    let derived: PlanDerived

    struct ListRow { var id: String, title: String, href: String, kind: String, priority: String, source: String; var eligible: Int, trained: Int, scheduled: Int, unmet: Int }
    struct ListModel { var summary: String; var rows: [ListRow] }

    func list(identity: ConsoleIdentity) throws -> Response {
        let now = api.now()
        let latest = hooks.latestPlan()
        let who = derived.eligibility(latest)
        let counts = try store.moduleCounts(now: now)
        let fileIDs = Set(hooks.fileModules().map(\.id))
        let rows = api.modules().sorted { ($0.priority.weight, $1.id) > ($1.priority.weight, $0.id) }.map { m -> ListRow in
            let eligible = derived.eligible(latest, m)
            let trained = eligible.filter { Eligibility.holds(m, who.completions[$0.staff]?[m.id], at: now) }.count
            let c = counts[m.id] ?? (0, 0)
            return ListRow(id: m.id, title: m.title, href: ConsolePaths.module(m.id), kind: m.kind.rawValue, priority: m.priority.rawValue,
                           source: fileIDs.contains(m.id) ? "catalog file" : "console", eligible: eligible.count, trained: trained,
                           scheduled: c.scheduled, unmet: c.unmet)
        }
        let summary = latest.map { "Staff on the roster from a day before the latest plan (\(LocalText.dateTime($0.plan.generatedAt, hooks.siteZone()))) to the end of its horizon." }
            ?? "No plan has been made yet."
        return ConsolePage.render("modules", ListModel(summary: summary, rows: rows), title: "Modules", identity: identity, section: .modules)
    }

    /// Everything one module's page and CSV show.
    struct Status {
        var person: Eligibility.Person
        var completed: Instant?
        var holds: Bool
        var validUntil: Instant?
        var due: Instant?
        var overdue: Bool
        var lapsing: Bool
        var next: Assignment?
        var unmet: String?

        var text: String {
            if holds { return "trained" }
            if next != nil { return "scheduled" }
            if let unmet { return "unmet: " + UnmetText.short(unmet) }
            return "not yet due in the horizon"
        }
    }

    func statuses(_ m: Module, now: Instant) throws -> (who: Eligibility, rows: [Status]) {
        let latest = hooks.latestPlan()
        let who = derived.eligibility(latest)
        let upcoming = try store.liveAssignments(moduleID: m.id, endingAfter: now)
        var next: [String: Assignment] = [:]
        for a in upcoming where next[a.staffID].map({ a.interval.start < $0.interval.start }) ?? true { next[a.staffID] = a }
        let unmet = Dictionary(try store.unmetNeeds(moduleID: m.id).map { ($0.staffID, $0.reason) }, uniquingKeysWith: { a, _ in a })
        let rows = derived.eligible(latest, m).map { p -> Status in
            let done = who.completions[p.staff]?[m.id]
            let holds = Eligibility.holds(m, done, at: now)
            let validUntil = done.flatMap { d in m.recurDays.map { d.adding(seconds: Int64($0) * 86_400) } }
            let due = Eligibility.due(m, completedAt: done, firstSeen: who.firstSeen[p.staff])
            return Status(person: p, completed: done, holds: holds, validUntil: validUntil, due: due,
                          overdue: !holds && (due.map { $0 <= now } ?? false),
                          lapsing: holds && (validUntil.map { $0 <= now.adding(seconds: 30 * 86_400) } ?? false),
                          next: holds ? nil : next[p.staff], unmet: holds ? nil : unmet[p.staff])
        }
        return (who, rows)
    }

    struct UnitRow { var unit: String; var eligible: Int; var completed: Int; var share: String; var scheduled: Int; var unmet: String }
    struct PersonRow { var staff: String; var href: String; var units: String; var due: String; var status: String }
    struct Projection { var percent: Int; var planned: String; var bound: String }
    struct Model {
        var id: String, title: String, facts: String, csvHref: String, planned: Bool, zone: String
        var surgeText: String, burnup: String
        var projection: [Projection]
        var units: [UnitRow]
        var overdue: [PersonRow]; var overdueCount: Int; var overdueMore: Bool
        var lapsing: [PersonRow]; var lapsingCount: Int; var lapsingMore: Bool
        var shown: Int
    }

    static let shownRows = 200

    func page(_ id: String, identity: ConsoleIdentity) throws -> Response {
        guard let m = api.modules().first(where: { $0.id == id }) else {
            return ConsolePage.message(status: .notFound, title: "No such module",
                                       text: "No module \(Brief.quoted(id)) is in force (in the catalog files or published in the console).", identity: identity)
        }
        let now = api.now()
        let zone = hooks.siteZone()
        let latest = hooks.latestPlan()
        let (_, rows) = try statuses(m, now: now)
        // Per unit: a person counts in every unit they are rostered on.
        var perUnit: [String: (e: Int, c: Int, s: Int, unmet: [String: Int])] = [:]
        for r in rows {
            for u in r.person.units where m.units.contains("*") || m.units.contains(u) {
                var x = perUnit[u] ?? (0, 0, 0, [:])
                x.e += 1
                if r.holds { x.c += 1 } else if r.next != nil { x.s += 1 } else if let reason = r.unmet { x.unmet[reason, default: 0] += 1 }
                perUnit[u] = x
            }
        }
        let units = perUnit.sorted { $0.key < $1.key }.map { unit, x in
            UnitRow(unit: unit, eligible: x.e, completed: x.c, share: x.e == 0 ? "–" : "\(x.c * 100 / x.e) %", scheduled: x.s,
                    unmet: x.unmet.isEmpty ? "none" : x.unmet.sorted { $0.key < $1.key }.map { "\($0.value) \(UnmetText.short($0.key))" }.joined(separator: ", "))
        }
        func personRow(_ r: Status, _ at: Instant?) -> PersonRow {
            PersonRow(staff: r.person.staff, href: ConsolePaths.person(r.person.staff), units: r.person.units.sorted().joined(separator: ", "),
                      due: at.map { LocalText.dateTime($0, zone) } ?? "–",
                      status: r.next.map { "scheduled " + LocalText.dateTime($0.interval.start, zone) } ?? r.text)
        }
        let overdue = rows.filter(\.overdue).sorted { ($0.due ?? now) < ($1.due ?? now) }
        let lapsing = rows.filter(\.lapsing).sorted { ($0.validUntil ?? now) < ($1.validUntil ?? now) }
        // Burn-up from the latest plan: the live surge report.
        var burnup = "", surgeText = "No plan yet.", projection: [Projection] = []
        if let latest {
            let surge = derived.surge(latest, m.id)
            let e = Double(max(surge.eligible, 1))
            let horizon = latest.input.horizon
            let from = min(now, horizon.start).adding(seconds: -7 * 86_400)
            let eligibleStaff = Set(latest.input.shifts.filter { $0.kind == .shift && $0.interval.overlaps(horizon) }
                .filter { m.isEligible(role: $0.role, unit: $0.unit) }.map(\.staffID))
            let doneTimes = latest.input.completions.filter { $0.moduleID == m.id && eligibleStaff.contains($0.staffID) }
                .filter { Eligibility.holds(m, $0.completedAt, at: horizon.start) }.map { max($0.completedAt, from) }.sorted()
            var history: [(Instant, Double)] = [(from, 0)]
            for (i, t) in doneTimes.enumerated() { history.append((t, Double(i + 1) / e)) }
            history.append((horizon.start, Double(doneTimes.count) / e))
            let held = Double(surge.alreadyTrained)
            let plannedEnds = latest.plan.assignments.filter { $0.moduleID == m.id && eligibleStaff.contains($0.staffID) }.map(\.interval.end).sorted()
            var planned: [(Instant, Double)] = [(horizon.start, held / e)]
            var seen = 0.0
            for t in plannedEnds { seen += 1; planned.append((t, (held + seen) / e)) }
            var bound: [(Instant, Double)] = [(horizon.start, held / e)]
            for p in SurgeReport.percents where Double(p) / 100 > held / e { if let t = surge.bound[p] { bound.append((t, Double(p) / 100)) } }
            let marks = SurgeReport.percents.map { (percent: $0, planned: surge.planned[$0], bound: surge.bound[$0]) }
            func when(_ t: Instant?) -> String { t.map { LocalText.dateTime($0, zone) } ?? "not within the horizon" }
            projection = marks.map { Projection(percent: $0.percent, planned: when($0.planned), bound: when($0.bound)) }
            surgeText = "\(surge.eligible) eligible people on the roster in the planning horizon (to \(LocalText.dateTime(horizon.end, zone))); \(surge.alreadyTrained) already trained; \(plannedEnds.count) planned."
            let description = surgeText + " " + projection.map { "\($0.percent) %: planned \($0.planned), lower bound \($0.bound)." }.joined(separator: " ")
            burnup = BurnUpChart(id: "burnup", from: from, to: horizon.end, now: now, zone: zone, history: history, planned: planned,
                                 bound: bound, marks: marks).svg(description: description)
        }
        var facts = "\(m.kind.rawValue.capitalized), \(m.minutes) minutes, \(m.priority.rawValue) priority; roles \(m.roles.joined(separator: ", ")); units \(m.units.joined(separator: ", ")); published \(LocalText.dateTime(m.published, zone))"
        if let d = m.dueDays { facts += "; due within \(d) days" }
        if let r = m.recurDays { facts += "; recertify every \(r) days" }
        if !m.prerequisites.isEmpty { facts += "; after \(m.prerequisites.joined(separator: ", "))" }
        facts += "."
        let model = Model(
            id: m.id, title: m.title, facts: facts, csvHref: ConsolePaths.module(m.id) + "/export.csv", planned: latest != nil, zone: zone.identifier,
            surgeText: surgeText, burnup: burnup, projection: projection, units: units,
            overdue: overdue.prefix(Self.shownRows).map { personRow($0, $0.due) }, overdueCount: overdue.count, overdueMore: overdue.count > Self.shownRows,
            lapsing: lapsing.prefix(Self.shownRows).map { personRow($0, $0.validUntil) }, lapsingCount: lapsing.count,
            lapsingMore: lapsing.count > Self.shownRows, shown: Self.shownRows)
        return ConsolePage.render("module", model, title: m.title, identity: identity, section: .modules)
    }

    /// Every eligible person with their status, for accreditation reports. Times are the site's
    /// local time with their offset.
    func csv(_ id: String, identity: ConsoleIdentity) throws -> Response {
        guard let m = api.modules().first(where: { $0.id == id }) else {
            return ConsolePage.message(status: .notFound, title: "No such module", text: "No module \(Brief.quoted(id)) is in force.", identity: identity)
        }
        let now = api.now()
        let zone = hooks.siteZone()
        let (_, rows) = try statuses(m, now: now)
        func t(_ x: Instant?) -> String { x.map { LocalText.iso($0, zone) } ?? "" }
        var out = "module_id,staff_id,units,roles,status,unmet_reason,completed_at,valid_until,due,overdue,next_session_start,next_session_unit\r\n"
        for r in rows {
            let fields = [m.id, r.person.staff, r.person.units.sorted().joined(separator: " "), r.person.roles.sorted().joined(separator: " "),
                          r.holds ? "trained" : r.next != nil ? "scheduled" : r.unmet != nil ? "unmet" : "not_yet_planned",
                          r.unmet ?? "", t(r.completed), t(r.validUntil), t(r.due), r.overdue ? "yes" : "no",
                          t(r.next?.interval.start), r.next?.unit ?? ""]
            out += fields.map(Self.csvField).joined(separator: ",") + "\r\n"
        }
        let name = "jitd-\(m.id.filter { $0.isLetter || $0.isNumber || $0 == "-" || $0 == "_" })-\(LocalText.day(now, zone)).csv"
        return Response(status: .ok, headers: [.contentType: "text/csv; charset=utf-8", .contentDisposition: "attachment; filename=\"\(name)\"",
                                               .cacheControl: "no-store"],
                        body: .init(byteBuffer: ByteBuffer(string: out)))
    }

    /// RFC 4180 quoting; a leading `=`, `+`, `-` or `@` is prefixed with `'` so a spreadsheet
    /// does not run it as a formula.
    static func csvField(_ s: String) -> String {
        var s = s
        if let c = s.first, "=+-@".contains(c), Double(s) == nil { s = "'" + s }
        guard s.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" || $0 == "\r" }) else { return s }
        return "\"" + s.replacingOccurrences(of: "\"", with: "\"\"") + "\""
    }
}
