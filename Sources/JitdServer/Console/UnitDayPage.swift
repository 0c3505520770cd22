import Foundation
import Hummingbird
import JitdCore
import JitdStore

/// The unit-and-day page: per role, headcount against the coverage minimum over the unit's
/// local day, the windows below it, the slack nobody used, and the training sessions drawn
/// beneath (who, what, state); then every session in a table.
struct UnitDayPage {
    let store: Store
    let api: APIHooks
    let hooks: ConsoleHooks

    struct UnitOption { var name: String; var current: Bool }
    struct RolePanel { var role: String; var summary: String; var svg: String; var short: String? }
    struct SessionRow { var time: String; var staff: String; var personHref: String; var role: String; var module: String; var moduleHref: String; var state: String }
    struct Model {
        var unit: String, day: String, dayText: String, zone: String, summary: String
        var prevHref: String, prevText: String, nextHref: String, nextText: String, todayHref: String
        var units: [UnitOption]
        var roles: [RolePanel]
        var sessions: [SessionRow]
        var sessionCount: Int
        var fewSessions: Bool
        var feed: String?
    }

    /// States whose sessions take a person off the floor (and so are drawn on the chart).
    static let onFloorStates: Set<AssignmentState> = [.planned, .notified, .acknowledged, .completed]

    func render(unit: String, day: String, identity: ConsoleIdentity) throws -> Response {
        let zone = hooks.unitZone(unit)
        guard let bounds = LocalText.dayBounds(day, zone), let (prev, next) = LocalText.neighbours(day) else {
            return ConsolePage.message(status: .notFound, title: "No such day",
                                       text: "\(Brief.quoted(day)) is not a day; write it as YYYY-MM-DD, e.g. 2026-11-24.", identity: identity)
        }
        let now = api.now()
        let step = Int64(max(1, hooks.slotMinutes())) * 60
        let n = Int((bounds.seconds + step - 1) / step)
        let shifts = try store.shifts(unit: unit, overlapping: bounds).filter { $0.kind == .shift }
        let assignments = try store.assignments(unit: unit, from: bounds.start, to: bounds.end, limit: 20_000)
        let rules = hooks.coverage().filter { $0.unit == "*" || $0.unit == unit }
        let titles = Dictionary(api.modules().map { ($0.id, $0.title) }, uniquingKeysWith: { a, _ in a })
        var roles = Set(shifts.map(\.role)).union(rules.map(\.role).filter { $0 != "*" }).sorted()
        if rules.contains(where: { $0.role == "*" }) { roles.append("*") }

        func slots(_ iv: Interval) -> Range<Int> {
            let lo = max(0, Int((iv.start.seconds - bounds.start.seconds + step - 1) / step))
            let hi = min(n, Int((iv.end.seconds - bounds.start.seconds + step - 1) / step))
            return lo < hi ? lo..<hi : 0..<0
        }
        let live = assignments.filter { Self.onFloorStates.contains($0.state) }
        var panels: [RolePanel] = []
        for (k, role) in roles.enumerated() {
            var head = Array(repeating: 0, count: n), training = Array(repeating: 0, count: n)
            for s in shifts where role == "*" || s.role == role { for i in slots(s.interval) { head[i] += 1 } }
            for a in live where role == "*" || a.assignment.role == role { for i in slots(a.assignment.interval) { training[i] += 1 } }
            let roleRules = rules.filter { $0.role == role }
            let minimum = (0..<n).map { i -> Int in
                let t = bounds.start.adding(seconds: Int64(i) * step)
                let a = zone.local(t), b = zone.local(t.adding(seconds: step - 1))
                return roleRules.reduce(0) { m, r in (r.isActive(at: a) || r.isActive(at: b)) ? max(m, r.min) : m }
            }
            let sessions = live.filter { role == "*" ? false : $0.assignment.role == role }.map { a in
                let title = titles[a.assignment.moduleID] ?? a.assignment.moduleID
                return StaffingChart.Session(
                    interval: a.assignment.interval, label: "\(a.assignment.staffID) · \(title)",
                    detail: "\(a.assignment.staffID): \(title), \(LocalText.time(a.assignment.interval.start, zone))–\(LocalText.time(a.assignment.interval.end, zone)), \(a.state.rawValue)",
                    state: a.state.rawValue)
            }
            var shortRuns: [String] = []
            var shortSlots = 0, slackSum = 0, slackSlots = 0
            var i = 0
            while i < n {
                if head[i] < minimum[i] {
                    var j = i
                    var worst = 0
                    while j < n, head[j] < minimum[j] { worst = max(worst, minimum[j] - head[j]); j += 1 }
                    shortRuns.append("\(LocalText.time(bounds.start.adding(seconds: Int64(i) * step), zone))–\(LocalText.time(bounds.start.adding(seconds: Int64(j) * step), zone)) short by \(worst)")
                    shortSlots += j - i
                    i = j
                } else {
                    let free = head[i] - training[i] - minimum[i]
                    if head[i] > 0 { slackSum += max(0, free); slackSlots += 1 }
                    i += 1
                }
            }
            let label = role == "*" ? "All roles" : role
            var summary = "Up to \(head.max() ?? 0) on shift; minimum up to \(minimum.max() ?? 0); \(sessions.count) training sessions"
            if role == "*" { summary = "Everyone on the unit, whatever their role, against the rules for all roles" }
            if slackSlots > 0 { summary += String(format: "; on average %.1f people of unused slack while staffed", Double(slackSum) / Double(slackSlots)) }
            if shortSlots > 0 { summary += "; below minimum for \(Self.duration(Int64(shortSlots) * step))" }
            summary += "."
            let chart = StaffingChart(id: "c\(k)", title: "\(unit) \(label), \(LocalText.longDay(bounds.start, zone))", day: bounds, step: step,
                                      zone: zone, headcount: head, minimum: minimum, training: training, sessions: sessions, now: now)
            panels.append(RolePanel(role: label, summary: summary, svg: chart.svg(description: summary),
                                    short: shortRuns.isEmpty ? nil : shortRuns.joined(separator: "; ")))
        }
        let rows = assignments.map { a in
            SessionRow(time: "\(LocalText.time(a.assignment.interval.start, zone))–\(LocalText.time(a.assignment.interval.end, zone))",
                       staff: a.assignment.staffID, personHref: ConsolePaths.person(a.assignment.staffID), role: a.assignment.role,
                       module: titles[a.assignment.moduleID] ?? a.assignment.moduleID, moduleHref: ConsolePaths.module(a.assignment.moduleID),
                       state: a.state.rawValue)
        }
        var units = Set(try store.rosteredUnits())
        units.insert(unit)
        let today = LocalText.day(now, zone)
        let peopleOn = Set(shifts.map(\.staffID)).count
        let model = Model(
            unit: unit, day: day, dayText: LocalText.longDay(bounds.start, zone), zone: zone.identifier,
            summary: "\(peopleOn) people on shift, \(rows.count) training sessions.",
            prevHref: ConsolePaths.unitDay(unit, prev), prevText: prev, nextHref: ConsolePaths.unitDay(unit, next), nextText: next,
            todayHref: ConsolePaths.unitDay(unit, today),
            units: units.sorted().map { UnitOption(name: $0, current: $0 == unit) }, roles: panels, sessions: rows, sessionCount: rows.count, fewSessions: rows.count <= 20,
            feed: hooks.settings.feedKey.map { FeedLinks.unitPath(key: $0, unit: unit) })
        return ConsolePage.render("unitday", model, title: "\(unit) \(day)", identity: identity, section: .units)
    }

    static func duration(_ seconds: Int64) -> String {
        let h = seconds / 3600, m = (seconds % 3600) / 60
        return h > 0 ? (m > 0 ? "\(h) h \(m) min" : "\(h) h") : "\(m) min"
    }
}

/// The first page: every unit with links to its today and tomorrow.
struct HomePage {
    let store: Store
    let api: APIHooks
    let hooks: ConsoleHooks

    struct Row { var name: String; var zone: String; var todayHref: String; var todayText: String; var tomorrowHref: String; var tomorrowText: String }
    struct Model { var units: [Row]; var today: String }

    func render(identity: ConsoleIdentity) throws -> Response {
        let now = api.now()
        var names = Set(try store.rosteredUnits())
        for r in hooks.coverage() where r.unit != "*" { names.insert(r.unit) }
        let rows = names.sorted().map { unit -> Row in
            let zone = hooks.unitZone(unit)
            let today = LocalText.day(now, zone)
            let tomorrow = LocalText.neighbours(today)?.1 ?? today
            return Row(name: unit, zone: zone.identifier, todayHref: ConsolePaths.unitDay(unit, today), todayText: today,
                       tomorrowHref: ConsolePaths.unitDay(unit, tomorrow), tomorrowText: tomorrow)
        }
        return ConsolePage.render("home", Model(units: rows, today: LocalText.day(now, hooks.siteZone())), title: "Units",
                                  identity: identity, section: .units)
    }
}
