import Foundation
import Hummingbird
import JitdCore
import JitdStore

/// One person: upcoming and past sessions, the modules their roles and units must take, and
/// why each unmet need is unmet.
struct PersonPage {
    let store: Store
    let api: APIHooks
    let hooks: ConsoleHooks

    struct SessionRow { var when: String; var module: String; var moduleHref: String; var unit: String; var dayHref: String; var state: String }
    struct ModuleRow { var title: String; var href: String; var status: String; var due: String; var why: String }
    struct Model {
        var staff: String; var name: String?; var posts: String; var zone: String
        var upcoming: [SessionRow]; var upcomingCount: Int; var past: [SessionRow]; var modules: [ModuleRow]; var feed: String?
    }
    struct SearchModel { var staff: String; var problem: String? }

    func search(_ staff: String?, identity: ConsoleIdentity) throws -> Response {
        guard let staff, !staff.isEmpty else {
            return ConsolePage.render("people", SearchModel(staff: "", problem: nil), title: "People", identity: identity, section: .people)
        }
        if try store.knowsStaff(staff) { return ConsolePage.redirect(ConsolePaths.person(staff)) }
        return ConsolePage.render("people", SearchModel(staff: staff, problem: "No one with staff id \(Brief.quoted(staff)) has been on a roster."),
                                  title: "People", identity: identity, section: .people, status: .notFound)
    }

    func render(_ staff: String, identity: ConsoleIdentity) throws -> Response {
        let now = api.now()
        let horizon = api.horizonSeconds()
        let shifts = try store.shifts(staffID: staff, overlapping: Interval(start: now.adding(seconds: -14 * 86_400), end: now.adding(seconds: horizon)))
        let assignments = try store.assignments(staff: staff, from: now.adding(seconds: -30 * 86_400), limit: 2000)
        guard try !shifts.isEmpty || !assignments.isEmpty || store.knowsStaff(staff) else {
            return ConsolePage.message(status: .notFound, title: "No such person",
                                       text: "No one with staff id \(Brief.quoted(staff)) has been on a roster.", identity: identity)
        }
        let latestUnit = shifts.last(where: { $0.kind == .shift })?.unit ?? assignments.last?.assignment.unit
        let zone = latestUnit.map(hooks.unitZone) ?? hooks.siteZone()
        let modules = api.modules()
        let titles = Dictionary(modules.map { ($0.id, $0.title) }, uniquingKeysWith: { a, _ in a })
        func row(_ a: StoredAssignment) -> SessionRow {
            let z = hooks.unitZone(a.assignment.unit)
            return SessionRow(when: "\(LocalText.dateTime(a.assignment.interval.start, z))–\(LocalText.time(a.assignment.interval.end, z))",
                              module: titles[a.assignment.moduleID] ?? a.assignment.moduleID, moduleHref: ConsolePaths.module(a.assignment.moduleID),
                              unit: a.assignment.unit, dayHref: ConsolePaths.unitDay(a.assignment.unit, LocalText.day(a.assignment.interval.start, z)),
                              state: a.state.rawValue)
        }
        let upcoming = assignments.filter { $0.assignment.interval.end > now }
        let past = assignments.filter { $0.assignment.interval.end <= now }.reversed()
        let posts = Set(shifts.filter { $0.kind == .shift }.map { [$0.unit, $0.role] })
        let completions = try store.latestCompletions(staffID: staff)
        let firstSeen = try store.staffFirstSeen(of: [staff])[staff]
        let unmet = Dictionary(try store.unmetNeeds(staffID: staff).map { ($0.moduleID, $0.reason) }, uniquingKeysWith: { a, _ in a })
        let live: Set<AssignmentState> = [.planned, .notified, .acknowledged]
        var rows: [ModuleRow] = []
        for m in modules.sorted(by: { $0.id < $1.id }) where posts.contains(where: { m.isEligible(role: $0[1], unit: $0[0]) }) {
            let done = completions[m.id]
            let holds = Eligibility.holds(m, done, at: now)
            let due = Eligibility.due(m, completedAt: done, firstSeen: firstSeen)
            let next = upcoming.first { $0.assignment.moduleID == m.id && live.contains($0.state) }
            var status: String
            if holds {
                status = "trained " + LocalText.dateTime(done!, zone)
                if let r = m.recurDays { status += "; valid until " + LocalText.dateTime(done!.adding(seconds: Int64(r) * 86_400), zone) }
            } else if let next {
                status = "scheduled " + LocalText.dateTime(next.assignment.interval.start, zone)
            } else if unmet[m.id] != nil {
                status = "unmet"
            } else {
                status = "not yet planned"
            }
            if !holds, let due, due <= now { status += " (overdue)" }
            let why = holds || next != nil ? "" : unmet[m.id].map { UnmetText.explain($0, module: m, zone: zone) }
                ?? "Not among the needs of the latest plan (it falls due after the horizon, or the plan predates the roster)."
            rows.append(ModuleRow(title: m.title, href: ConsolePaths.module(m.id), status: status,
                                  due: holds && m.recurDays == nil ? "–" : due.map { LocalText.dateTime($0, zone) } ?? "no due date", why: why))
        }
        let postText = posts.isEmpty ? "Not on the roster in the last 14 days or the planning horizon"
            : "Works " + posts.sorted { $0.lexicographicallyPrecedes($1) }.map { "\($0[1]) on \($0[0])" }.joined(separator: ", ")
        let model = Model(staff: staff, name: shifts.last(where: { $0.name != nil })?.name, posts: postText, zone: zone.identifier,
                          upcoming: upcoming.map(row), upcomingCount: upcoming.count, past: past.map(row), modules: rows,
                          feed: hooks.settings.feedKey.map { FeedLinks.staffPath(key: $0, staff: staff) })
        return ConsolePage.render("person", model, title: staff, identity: identity, section: .people)
    }
}
