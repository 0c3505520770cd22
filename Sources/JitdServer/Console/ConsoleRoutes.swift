import Foundation
import HTTPTypes
import Hummingbird
import JitdCore
import JitdStore
import Logging

/// The console's routes, each with what it needs (``RouteAccess``), which ``Authorization``
/// checks before the handler runs. Pages answer `GET` (and `HEAD`); forms `POST` with their
/// CSRF token. Pages build their models on the store's threads, off the event loop.
struct ConsoleRoutes {
    let store: Store
    let api: APIHooks
    let hooks: ConsoleHooks
    let gate: ConsoleGate
    let logger: Logger

    func register(_ routes: RouteTable) {
        let unitDay = UnitDayPage(store: store, api: api, hooks: hooks)
        let home = HomePage(store: store, api: api, hooks: hooks)
        let modules = ModulePages(store: store, api: api, hooks: hooks, derived: PlanDerived())
        let person = PersonPage(store: store, api: api, hooks: hooks)
        let publish = PublishPages(store: store, api: api, hooks: hooks, logger: logger)
        let ops = OperationsPage(store: store, api: api, hooks: hooks, logger: logger)
        let feeds = Feeds(store: store, api: api)
        let signIn = SignInPage(store: store, api: api, gate: gate, logger: logger)

        routes.get("/console.css", access: .open) { _, _ in
            Response(status: .ok, headers: [.contentType: "text/css; charset=utf-8", .cacheControl: "max-age=3600"],
                     body: .init(byteBuffer: ByteBuffer(string: ConsoleStyle.css)))
        }
        routes.get("/signin", access: .signIn) { request, context in signIn.show(request, context) }
        routes.post("/signin", access: .signIn) { request, context in try await signIn.submit(request, context) }
        routes.post("/signout", access: .console(.viewer)) { request, context in try await signIn.signOut(request, context) }

        let viewer = RouteAccess.console(.viewer), educator = RouteAccess.console(.educator), admin = RouteAccess.console(.admin)
        routes.get("/", access: viewer) { _, context in try await page(context) { try home.render(identity: $0) } }
        routes.get("/units", access: viewer) { request, context in
            try await page(context) { identity in
                let q = request.uri.queryParameters
                guard let unit = q["unit"].map { String($0) }, !unit.isEmpty else { return ConsolePage.redirect("/") }
                let day = q["day"].map { String($0) }.flatMap { $0.isEmpty ? nil : $0 } ?? LocalText.day(api.now(), hooks.unitZone(unit))
                return ConsolePage.redirect(ConsolePaths.unitDay(unit, day))
            }
        }
        routes.get("/units/{unit}/{day}", access: viewer) { _, context in
            try await page(context) { try unitDay.render(unit: Self.param(context, "unit"), day: Self.param(context, "day"), identity: $0) }
        }
        routes.get("/modules", access: viewer) { _, context in try await page(context) { try modules.list(identity: $0) } }
        routes.get("/modules/{id}", access: viewer) { _, context in
            try await page(context) { try modules.page(Self.param(context, "id"), identity: $0) }
        }
        routes.get("/modules/{id}/export.csv", access: viewer) { _, context in
            try await page(context) { try modules.csv(Self.param(context, "id"), identity: $0) }
        }
        routes.get("/people", access: viewer) { request, context in
            try await page(context) { try person.search(request.uri.queryParameters["staff"].map { String($0) }, identity: $0) }
        }
        routes.get("/people/{staff}", access: viewer) { _, context in
            try await page(context) { try person.render(Self.param(context, "staff"), identity: $0) }
        }
        routes.get("/publish", access: educator) { request, context in
            try await page(context) { identity in
                let q = request.uri.queryParameters
                let notice = q["done"].map { done in "Module \(q["module"].map { String($0) } ?? "") \(done); the planner is planning with it now." }
                return try publish.list(identity: identity, notice: notice.map { String($0) })
            }
        }
        routes.get("/publish/new", access: educator) { _, context in
            try await page(context) { publish.form(editing: nil, values: [:], problems: [], identity: $0) }
        }
        routes.post("/publish/new", access: educator) { _, context in
            try await page(context) { try publish.save(editing: nil, form: context.form ?? FormInput(""), identity: $0) }
        }
        routes.get("/publish/{id}", access: educator) { _, context in
            try await page(context) { try publish.edit(Self.param(context, "id"), identity: $0) }
        }
        routes.post("/publish/{id}", access: educator) { _, context in
            try await page(context) { try publish.save(editing: Self.param(context, "id"), form: context.form ?? FormInput(""), identity: $0) }
        }
        routes.post("/publish/{id}/retire", access: educator) { _, context in
            try await page(context) { try publish.setState(Self.param(context, "id"), retire: true, identity: $0) }
        }
        routes.post("/publish/{id}/restore", access: educator) { _, context in
            try await page(context) { try publish.setState(Self.param(context, "id"), retire: false, identity: $0) }
        }
        routes.get("/ops", access: admin) { request, context in
            try await page(context) { try ops.render(identity: $0, notice: request.uri.queryParameters["note"].map { String($0) }) }
        }
        routes.post("/ops/deliveries/{id}/redeliver", access: admin) { _, context in
            try await page(context) { try ops.redeliver(Self.param(context, "id"), identity: $0) }
        }
        routes.get("/feeds/units/{unit}/{token}", access: .feed) { _, context in
            try await StoreThreads.run { try feeds.unit(Self.param(context, "unit")) }
        }
        routes.get("/feeds/people/{staff}/{token}", access: .feed) { _, context in
            try await StoreThreads.run { try feeds.person(Self.param(context, "staff")) }
        }
    }

    /// Runs a page's work on the store's threads with the signed-in user ``Authorization`` found.
    func page(_ context: JitdRequestContext, _ body: @escaping @Sendable (ConsoleIdentity) throws -> Response) async throws -> Response {
        guard let identity = context.identity else {
            // Authorization sets it for every console route; without it nothing is shown.
            throw Problem(status: .unauthorized, detail: nil)
        }
        let started = ContinuousClock.now
        var response = try await StoreThreads.run { try body(identity) }
        // How long the page took to build (store reads, charts, templates), for the speed figures.
        let d = ContinuousClock.now - started
        let ms = Double(d.components.seconds) * 1000 + Double(d.components.attoseconds) / 1e15
        response.headers[HTTPField.Name("Server-Timing")!] = "page;dur=" + String(format: "%.1f", ms)
        return response
    }

    /// A path parameter, percent-decoded.
    static func param(_ context: JitdRequestContext, _ name: String) -> String {
        let raw = context.parameters.get(name) ?? ""
        return raw.removingPercentEncoding ?? raw
    }
}
