import Foundation
import JitdCore
import JitdIngest
import JitdStore

/// Routing of learning events to the learning record stores of `[[lrs]]`: each store that wants
/// an event gets its statement, queued in the same transaction as the change it records, like a
/// webhook event (``Runtime/route(_:unit:name:_:)`` calls in here for the events both share).
extension Runtime {
    /// A router for the config and catalog in force now. `names` gives staff names, for stores
    /// allowed to show them.
    func learningRouter(names: [String: String] = [:]) -> LearningEventRouter {
        Self.learningRouter(config.lrs, modules: catalog.current, names: names, now: now())
    }

    /// A router for `stores`; `now` is when its statements are queued.
    static func learningRouter(_ stores: [LRSEndpoint], modules: [Module], names: [String: String] = [:],
                               now: Instant) -> LearningEventRouter {
        guard !stores.isEmpty else { return { _ in [] } }
        let byID = Dictionary(modules.map { ($0.id, $0) }, uniquingKeysWith: { a, _ in a })
        return { e in
            stores.filter { $0.wants(e) }.map { lrs in
                (lrs.statements.message(e, module: byID[e.moduleID], name: lrs.includeNames ? names[e.staffID] : nil, queuedAt: now),
                 [lrs.name])
            }
        }
    }

    /// How completions read from inbox files are routed: the router (`nil` without stores), and
    /// whether every new completion is offered to it or only those that close a session (only
    /// stores with `completions = "all"` want the others: those files usually come from the LMS,
    /// and a file of a million rows should not cost a million look-ups for nothing).
    func inboxCompletionRouting() -> (router: LearningEventRouter?, everyCompletion: Bool) {
        let config = self.config
        guard config.lrs.contains(where: { $0.kinds.contains(.completed) }) else { return (nil, false) }
        return (learningRouter(), config.lrs.contains { $0.allCompletions && $0.kinds.contains(.completed) })
    }

    /// The statements of a webhook event that is also a learning event (`assignment.scheduled`,
    /// `.cancelled`, `.missed`, `training.overdue`), for the stores that want it.
    func learningStatements(of type: String, name: String?, _ make: (String?) -> WebhookEvent) -> [(WebhookEvent, [String])] {
        let stores = config.lrs
        guard !stores.isEmpty, let kind = LearningEvent.Kind(webhookType: type), stores.contains(where: { $0.kinds.contains(kind) }),
              let event = LearningEvent(webhook: make(nil)) else { return [] }
        return learningRouter(names: name.map { [event.staffID: $0] } ?? [:])(event)
    }

    /// Queues an `assigned` statement, once ever per store, person, module and cycle, for every
    /// requirement of the plan: the needs it placed and those it could not (but not modules not
    /// yet published). A requirement is due at the module's due date, or, renewing a completion,
    /// when that completion lapses.
    func announceRequirements(_ plan: Plan, _ input: PlanningInput) throws {
        let stores = config.lrs.filter { $0.kinds.contains(.assigned) }
        guard !stores.isEmpty else { return }
        let modules = Dictionary(input.modules.map { ($0.id, $0) }, uniquingKeysWith: { a, _ in a })
        var latest: [String: Instant] = [:]
        for c in input.completions {
            let key = c.staffID + "\u{1F}" + c.moduleID
            if latest[key].map({ $0 < c.completedAt }) ?? true { latest[key] = c.completedAt }
        }
        var unitOf: [String: String] = [:]
        for s in input.shifts.sorted(by: { $0.interval.start < $1.interval.start }) where s.kind == .shift && unitOf[s.staffID] == nil {
            unitOf[s.staffID] = s.unit
        }
        var seen = Set<String>()
        var needs: [(staff: String, module: Module, unit: String?)] = []
        func add(_ staff: String, _ moduleID: String, _ unit: String?) {
            guard let m = modules[moduleID], seen.insert(staff + "\u{1F}" + moduleID).inserted else { return }
            needs.append((staff, m, unit ?? unitOf[staff]))
        }
        // Boosters are not requirements: nothing is due, nothing lapses.
        for a in plan.assignments where Booster.parse(a.moduleID) == nil { add(a.staffID, a.moduleID, a.unit) }
        for u in plan.unmet where u.reason != .notPublished && Booster.parse(u.moduleID) == nil { add(u.staffID, u.moduleID, nil) }

        var once: [OnceMessage] = []
        let now = input.now
        for n in needs {
            let done = latest[n.staff + "\u{1F}" + n.module.id]
            let event = LearningEvent.assigned(staffID: n.staff, moduleID: n.module.id, unit: n.unit,
                                               due: Self.due(n.module, lastCompletion: done, firstSeen: input.staffFirstSeen[n.staff]),
                                               renewal: Self.renewal(n.module, lastCompletion: done), at: now)
            let id = XAPIStatementBuilder.statementID(event)
            for lrs in stores where lrs.wants(event) {
                let module = n.module
                once.append(OnceMessage(id: id, endpoints: [lrs.name]) { lrs.statements.message(event, module: module) })
            }
        }
        let queued = try store.enqueueOnce(once, runAt: now)
        if queued > 0 {
            logger.info("queued \(queued) 'assigned' statements for learning record stores")
            outboxChanged.notify()
        }
    }

    /// The completion a requirement renews: one that lapses (docs/configuration.md: valid for `recur_days`).
    static func renewal(_ m: Module, lastCompletion: Instant?) -> LearningEvent.Renewal? {
        guard let done = lastCompletion, let days = m.recurDays else { return nil }
        return .init(previousCompletion: done, lapsesAt: done.adding(seconds: Int64(days) * 86_400))
    }

    /// When a requirement is due, by docs/configuration.md: the lapse of the completion it renews, else `due_days`
    /// after publication or after the person first appeared, whichever is later.
    static func due(_ m: Module, lastCompletion: Instant?, firstSeen: Instant?) -> Instant? {
        if let r = renewal(m, lastCompletion: lastCompletion) { return r.lapsesAt }
        guard let days = m.dueDays else { return nil }
        return max(m.published, firstSeen ?? m.published).adding(seconds: Int64(days) * 86_400)
    }
}

extension LRSEndpoint {
    /// Whether this store wants the event: its kind and unit, and for a completion that closed no
    /// jitd session, `completions = "all"`.
    func wants(_ e: LearningEvent) -> Bool {
        wants(e.kind, unit: e.unit) && (e.kind != .completed || e.session != nil || allCompletions)
    }
}
