import Foundation
import Hummingbird
import JitdCore
import JitdStore
import Logging

/// Publishing: educators create, edit, retire and restore modules in the console. A module is
/// read by the catalog's own reader (``ConsoleHooks/readModule``), so it meets the same rules
/// with the same messages as one in a catalog file; a file catalog's id cannot be taken; every
/// change is recorded with who and when; the planner takes it at once.
struct PublishPages {
    let store: Store
    let api: APIHooks
    let hooks: ConsoleHooks
    let logger: Logger

    /// The form's fields, in order: key, label, hint, choices.
    static let fields: [(key: String, label: String, hint: String?, choices: [String])] = [
        ("id", "Id", "Unique across the catalog; letters, digits and dashes, e.g. sepsis-bundle-2026", []),
        ("title", "Title", nil, []),
        ("minutes", "Minutes", "1 to 240", []),
        ("kind", "Kind", "online: one person any time; drill: a team of one unit; classroom: fixed sessions", ["online", "drill", "classroom"]),
        ("roles", "Roles", "Comma-separated, e.g. RN, MD; * for all", []),
        ("units", "Units", "Comma-separated; * for all", []),
        ("priority", "Priority", nil, ["critical", "high", "normal", "low"]),
        ("published", "Published", "Not planned before: a date (2026-11-20) or date-time (2026-11-20T07:00)", []),
        ("due_days", "Due within (days)", "Of publication or of first eligibility; empty for no due date", []),
        ("recur_days", "Recertify every (days)", "Empty: once", []),
        ("prerequisites", "Prerequisites", "Comma-separated module ids", []),
        ("url", "Launch URL", nil, []),
        ("group_min", "Drill team: at least", "Drills only", []),
        ("group_max", "Drill team: at most", "Drills only", []),
        ("sessions", "Classroom sessions", "One a line: START | LOCATION | CAPACITY, e.g. 2026-11-26T14:00 | Simulation Lab B | 12", []),
    ]

    struct Choice { var value: String; var selected: Bool }
    struct Field {
        var key: String; var label: String; var hint: String?; var value: String
        var hasChoices: Bool; var choices: [Choice]; var area: Bool; var readonly: Bool; var invalid: Bool; var problem: String?
    }
    struct Problem { var field: String?; var label: String; var message: String }
    struct FormModel {
        var heading: String; var action: String; var submit: String; var csrf: String; var zone: String
        var fields: [Field]; var problems: [Problem]; var hasProblems: Bool
    }
    struct Row {
        var id: String; var title: String; var href: String; var state: String; var shadowed: Bool; var changed: String
        var toggleHref: String; var toggleLabel: String; var csrf: String
    }
    struct AuditRow { var when: String; var actor: String; var action: String; var module: String }
    struct ListModel { var notice: String?; var rows: [Row]; var audit: [AuditRow] }

    func list(identity: ConsoleIdentity, notice: String?) throws -> Response {
        let zone = hooks.siteZone()
        let fileIDs = Set(hooks.fileModules().map(\.id))
        let rows = try store.publishedModules().map { p in
            Row(id: p.module.id, title: p.module.title, href: "/publish/\(ConsolePaths.segment(p.module.id))", state: p.state.rawValue,
                shadowed: fileIDs.contains(p.module.id), changed: "\(LocalText.dateTime(p.updatedAt, zone)) by \(p.updatedBy)",
                toggleHref: "/publish/\(ConsolePaths.segment(p.module.id))/" + (p.state == .live ? "retire" : "restore"),
                toggleLabel: p.state == .live ? "Retire" : "Restore", csrf: identity.csrf)
        }
        let audit = try store.moduleAudit(limit: 100).map {
            AuditRow(when: LocalText.dateTime($0.at, zone), actor: $0.actor, action: $0.action, module: $0.moduleID)
        }
        return ConsolePage.render("publish", ListModel(notice: notice, rows: rows, audit: audit), title: "Publishing", identity: identity, section: .publish)
    }

    func form(editing id: String?, values: [String: String], problems: [ModuleFormProblem], identity: ConsoleIdentity,
              status: HTTPResponse.Status = .ok) -> Response {
        let labels = Dictionary(Self.fields.map { ($0.key, $0.label) }, uniquingKeysWith: { a, _ in a })
        let fields = Self.fields.map { f -> Field in
            let value = values[f.key] ?? (f.key == "kind" ? "online" : f.key == "priority" ? "normal" : f.key == "units" ? "*" : "")
            let own = problems.filter { $0.field == f.key && $0.isError }.map(\.message)
            return Field(key: f.key, label: f.label, hint: f.hint, value: value, hasChoices: !f.choices.isEmpty,
                         choices: f.choices.map { Choice(value: $0, selected: $0 == value) }, area: f.key == "sessions",
                         readonly: f.key == "id" && id != nil, invalid: !own.isEmpty, problem: own.isEmpty ? nil : own.joined(separator: " "))
        }
        let shown = problems.map { Problem(field: $0.field, label: $0.field.flatMap { labels[$0] } ?? "", message: ($0.isError ? "" : "warning: ") + $0.message) }
        let model = FormModel(heading: id.map { "Edit \($0)" } ?? "New module",
                              action: id.map { "/publish/\(ConsolePaths.segment($0))" } ?? "/publish/new",
                              submit: id == nil ? "Publish" : "Save", csrf: identity.csrf, zone: hooks.siteZone().identifier,
                              fields: fields, problems: shown, hasProblems: !shown.isEmpty)
        return ConsolePage.render("moduleform", model, title: model.heading, identity: identity, section: .publish, status: status)
    }

    func edit(_ id: String, identity: ConsoleIdentity) throws -> Response {
        guard let p = try store.publishedModule(id: id) else { return notFound(id, identity) }
        return form(editing: id, values: p.fields.isEmpty ? hooks.moduleForm(p.module) : p.fields, problems: [], identity: identity)
    }

    /// Saves a new module (`editing` nil) or a new version of one.
    func save(editing id: String?, form: FormInput, identity: ConsoleIdentity) throws -> Response {
        var values = Dictionary(Self.fields.map { ($0.key, form[$0.key] ?? "") }, uniquingKeysWith: { a, _ in a })
        if let id { values["id"] = id }
        let existing = try store.publishedModules()
        let newID = values["id"]!.trimmingCharacters(in: .whitespaces)
        if id == nil, let taken = existing.first(where: { $0.module.id == newID }) {
            return self.form(editing: nil, values: values, problems: [ModuleFormProblem(
                field: "id", message: "module id \(Brief.quoted(newID)) is already published in the console (\(taken.state.rawValue)); edit or restore it instead of publishing it again",
                isError: true)], identity: identity, status: .unprocessableContent)
        }
        if let id, !existing.contains(where: { $0.module.id == id }) { return notFound(id, identity) }
        let others = hooks.fileModules() + existing.filter { $0.state == .live && $0.module.id != newID }.map(\.module)
        switch hooks.readModule(values, others) {
        case .failure(let problems):
            return self.form(editing: id, values: values, problems: problems.items, identity: identity, status: .unprocessableContent)
        case .success(let (module, _)):
            let action = id == nil ? "created" : "edited"
            let state = existing.first { $0.module.id == module.id }?.state ?? .live
            try store.recordPublishedModule(module, fields: values, state: state, action: action, actor: identity.user, now: api.now())
            logger.notice("console: \(Brief.quoted(identity.user)) \(action) module \(Brief.quoted(module.id))")
            hooks.publishedChanged()
            return ConsolePage.redirect("/publish?done=\(action)&module=\(ConsolePaths.segment(module.id))")
        }
    }

    /// Retires a live module (it leaves the catalog in force; its planned sessions go at the next
    /// plan) or restores a retired one (checked again against the catalog as it is now).
    func setState(_ id: String, retire: Bool, identity: ConsoleIdentity) throws -> Response {
        guard let p = try store.publishedModule(id: id) else { return notFound(id, identity) }
        let live = try store.livePublishedModules()
        if retire {
            if let dependent = live.first(where: { $0.prerequisites.contains(id) }) {
                return ConsolePage.message(status: .conflict, title: "Not retired",
                                           text: "Module \(Brief.quoted(dependent.id)) lists \(Brief.quoted(id)) as a prerequisite; edit or retire it first.",
                                           identity: identity)
            }
        } else {
            let others = hooks.fileModules() + live.filter { $0.id != id }
            if case .failure(let problems) = hooks.readModule(p.fields.isEmpty ? hooks.moduleForm(p.module) : p.fields, others) {
                return form(editing: id, values: p.fields, problems: problems.items, identity: identity, status: .unprocessableContent)
            }
        }
        let action = retire ? "retired" : "restored"
        try store.recordPublishedModule(p.module, fields: p.fields, state: retire ? .retired : .live, action: action, actor: identity.user, now: api.now())
        logger.notice("console: \(Brief.quoted(identity.user)) \(action) module \(Brief.quoted(id))")
        hooks.publishedChanged()
        return ConsolePage.redirect("/publish?done=\(action)&module=\(ConsolePaths.segment(id))")
    }

    func notFound(_ id: String, _ identity: ConsoleIdentity) -> Response {
        ConsolePage.message(status: .notFound, title: "No such module",
                            text: "No module \(Brief.quoted(id)) was published in the console (modules of the catalog files are edited in their files).",
                            identity: identity)
    }
}
