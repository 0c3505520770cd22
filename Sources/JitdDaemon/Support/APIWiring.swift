import JitdCore
import JitdServer

extension Runtime {
    /// What the HTTP API needs from the daemon: the clock, the catalog and horizon in force, a
    /// re-plan after completions and declines, a wake-up for the dispatcher, and the routing of
    /// `assignment.cancelled` events and of learning events to learning record stores.
    public var apiHooks: APIHooks {
        APIHooks(now: clock,
                 modules: { [catalog] in catalog.current },
                 horizonSeconds: { Int64(self.config.policy.horizonHours) * 3600 },
                 replan: { [planChanged] in planChanged.notify() },
                 outboxChanged: { [outboxChanged] in outboxChanged.notify() },
                 cancelledEvents: { a, reason, now in self.cancelledEvents(at: now)(a, reason) },
                 learningEvents: { e in self.learningRouter()(e) })
    }
}
