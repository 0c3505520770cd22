import Foundation
import Hummingbird
import JitdCore
import JitdStore
import Logging

/// Operations, for hospital IT: each webhook endpoint (enabled, circuit, last error), dead
/// deliveries with a redeliver button each, and the inbox history with each file's report.
struct OperationsPage {
    let store: Store
    let api: APIHooks
    let hooks: ConsoleHooks
    let logger: Logger

    struct EndpointRow { var name: String; var url: String; var enabled: String; var circuit: String; var lastError: String; var lastSuccess: String; var counts: String }
    struct DeadRow { var id: Int64; var endpoint: String; var type: String; var attempts: Int; var error: String; var died: String; var redeliverHref: String; var csrf: String }
    struct InboxRow { var received: String; var name: String; var kind: String; var outcome: String; var headline: String; var report: String }
    struct Model {
        var notice: String?; var endpoints: [EndpointRow]
        var dead: [DeadRow]; var deadCount: Int; var deadMore: Bool; var deadShown: Int
        var inbox: [InboxRow]; var inboxCount: Int
    }

    static let deadShown = 100, inboxShown = 50

    func render(identity: ConsoleIdentity, notice: String?) throws -> Response {
        let zone = hooks.siteZone()
        let endpoints = hooks.endpoints()
        let disabled = try store.disabledEndpoints()
        let activity = try store.endpointActivity(endpoints.map(\.name))
        let counts = try store.queueCountsByEndpoint()
        let rows = endpoints.map { e -> EndpointRow in
            let a = activity[e.name] ?? EndpointActivity()
            let circuit = a.failuresInARow >= hooks.circuitThreshold
                ? "open: \(a.failuresInARow) failures in a row; probed again later" : a.failuresInARow > 0 ? "closed (\(a.failuresInARow) recent failures)" : "closed"
            return EndpointRow(
                name: e.name, url: e.url,
                enabled: disabled[e.name].map { "disabled since \(LocalText.dateTime($0.since, zone)): \($0.reason) (jitd queue enable \(e.name))" } ?? "enabled",
                circuit: circuit,
                lastError: a.lastError.map { "\(Brief.bounded($0, limit: 300)) (\(LocalText.dateTime(a.lastErrorAt!, zone)))" } ?? "none",
                lastSuccess: a.lastSuccessAt.map { LocalText.dateTime($0, zone) } ?? "none recently",
                counts: (counts[e.name] ?? [:]).sorted { $0.key < $1.key }.map { "\($0.value) \($0.key)" }.joined(separator: ", "))
        }
        let dead = try store.deadMessages(limit: Self.deadShown).map { m, at in
            DeadRow(id: m.id, endpoint: m.endpoint, type: m.type, attempts: m.attempts, error: m.lastError.map { Brief.bounded($0, limit: 300) } ?? "",
                    died: LocalText.dateTime(at, zone), redeliverHref: "/ops/deliveries/\(m.id)/redeliver", csrf: identity.csrf)
        }
        let deadCount = try store.deadMessageCount()
        let inbox = try store.inboxFiles(limit: Self.inboxShown).map { f -> InboxRow in
            let (headline, report) = Self.report(f.summary)
            return InboxRow(received: LocalText.dateTime(f.receivedAt, zone), name: f.name, kind: f.kind.rawValue, outcome: f.outcome.rawValue,
                            headline: headline, report: report)
        }
        let model = Model(notice: notice, endpoints: rows, dead: dead, deadCount: deadCount, deadMore: deadCount > dead.count,
                          deadShown: dead.count, inbox: inbox, inboxCount: inbox.count)
        return ConsolePage.render("ops", model, title: "Operations", identity: identity, section: .operations)
    }

    /// A file's summary (JSON: counts or errors) as a one-line headline and the whole report.
    static func report(_ summary: String) -> (String, String) {
        guard let data = summary.data(using: .utf8), let object = try? JSONSerialization.jsonObject(with: data),
              let pretty = try? JSONSerialization.data(withJSONObject: object, options: [.prettyPrinted, .sortedKeys]) else {
            return ("report", summary)
        }
        var headline = "report"
        if let o = object as? [String: Any] {
            if let errors = o["errors"] as? [Any] { headline = "\(errors.count) error\(errors.count == 1 ? "" : "s")" }
            else {
                let parts = o.keys.sorted().compactMap { k -> String? in (o[k] as? Int).map { "\($0) \(k.replacingOccurrences(of: "_", with: " "))" } }
                if !parts.isEmpty { headline = parts.prefix(3).joined(separator: ", ") }
            }
        }
        return (headline, String(decoding: pretty, as: UTF8.self))
    }

    func redeliver(_ raw: String, identity: ConsoleIdentity) throws -> Response {
        guard raw.count <= 18, raw.allSatisfy({ $0.isASCII && $0.isNumber }), let id = Int64(raw), let d = try store.delivery(id: id) else {
            return ConsolePage.message(status: .notFound, title: "No such delivery", text: "No delivery \(Brief.quoted(raw)) is in the queue.", identity: identity)
        }
        guard d.message.state == .dead else {
            return ConsolePage.redirect("/ops?note=" + ConsoleGate.formEncoded("Message \(id) is \(d.message.state.rawValue); only dead messages are redelivered."))
        }
        let n = try store.redeliver(ids: [id], now: api.now())
        if n > 0 { api.outboxChanged() }
        logger.notice("console: \(Brief.quoted(identity.user)) redelivered message \(id) to \(Brief.quoted(d.message.endpoint))")
        return ConsolePage.redirect("/ops?note=" + ConsoleGate.formEncoded("Message \(id) queued again for \(d.message.endpoint)."))
    }
}
