import Foundation
import JitdAudit
import JitdCore
import JitdDispatch
import JitdStore

extension Simulation {
    /// The dispatcher's turn: for each endpoint that is not disabled and whose circuit is not open
    /// (the dispatcher's own ``CircuitBreaker``), the due messages are leased
    /// (``Store/claimDue(now:limit:leaseSeconds:endpoint:)``), sent to the simulated receiver,
    /// and their answers recorded (``Store/finish(_:_:now:)``) as the retry policy reads them.
    func deliver() throws {
        guard let (store, _) = daemon else { return }
        let disabled = try store.disabledEndpoints()
        let ticks = Double(now)
        for endpoint in hospital.endpoints.map(\.name) where disabled[endpoint] == nil {
            // While the endpoint's circuit is open nothing is claimed; half-open, one probe goes out.
            let window = breakers[endpoint, default: CircuitBreaker()].window(at: ticks, concurrency: Self.concurrency)
            guard window > 0, let due = try store.nextDue(endpoint: endpoint), due <= at else { continue }
            let batch = try store.claimDue(now: at, limit: window < Self.concurrency ? window : 1000,
                                           leaseSeconds: dispatch.leaseSeconds, endpoint: endpoint)
            messages: for (i, m) in batch.enumerated() {
                stats.attempts += 1
                var failed = false
                switch incidents.mode(endpoint, at: now) {
                case .healthy:
                    try receive(m, endpoint)
                    try store.finish(m, DeliveryResult(outcome: .delivered, status: 200, error: nil, durationMs: 3), now: at)
                case .failing(let share):
                    if rng.chance(share) {
                        try store.finish(m, self.failed(m, status: 503), now: at)
                        failed = true
                    } else {
                        try receive(m, endpoint)
                        try store.finish(m, DeliveryResult(outcome: .delivered, status: 204, error: nil, durationMs: 40), now: at)
                    }
                case .hanging(let takenIn):
                    // The receiver may have taken the message in before it stopped answering. The
                    // request times out and is retried, or (one time in five) the dispatcher's
                    // request is wedged and only the lease running out returns the message.
                    if rng.chance(takenIn) { try receive(m, endpoint) }
                    if rng.chance(0.8) { try store.finish(m, self.failed(m, status: nil), now: at) }
                    failed = true
                case .gone:
                    try store.finish(m, DeliveryResult(outcome: .endpointGone, status: 410, error: "410 Gone", durationMs: 2), now: at)
                    incidents.answeredGone(endpoint, at: now)
                    try release(Array(batch[(i + 1)...]), store)
                    queue.push(now + Int64(rng.int(20...240)) * 60, .enable(endpoint))
                    break messages
                }
                if failed {
                    if breakers[endpoint, default: CircuitBreaker()].recordFailure(at: ticks) {
                        try release(Array(batch[(i + 1)...]), store)
                        break messages
                    }
                } else {
                    _ = breakers[endpoint, default: CircuitBreaker()].recordSuccess()
                }
            }
        }
    }

    /// Requests the worker would send at once (its `concurrency`).
    static let concurrency = 8

    /// The worker gives back what it leased and did not send (its circuit opened, or the endpoint retired).
    func release(_ unsent: [OutboxMessage], _ store: Store) throws {
        guard !unsent.isEmpty else { return }
        try store.pool.write { db in for u in unsent { try OutboxSQL.release(db, u, now: at) } }
    }

    /// A failed attempt as the dispatcher's retry policy reads it: tried again after the policy's
    /// delay, or dead once past the queue's max age.
    func failed(_ m: OutboxMessage, status: Int?) -> DeliveryResult {
        let delay = dispatch.retry.delay(afterAttempt: m.attempts, type: m.type, retryAfter: nil,
                                         random: { [self] cap in Int64(rng.below(Int(max(0, cap)) + 1)) })
        let next = at.adding(seconds: delay)
        let why = status.map { "HTTP \($0)" } ?? "timed out after \(dispatch.requestTimeout) s"
        if m.createdAt.adding(seconds: dispatch.retry.maxAge) < next {
            return DeliveryResult(outcome: .dead, status: status, error: "gave up after \(m.attempts) attempts: \(why)", durationMs: 30)
        }
        return DeliveryResult(outcome: .retry(at: next), status: status, error: why, durationMs: 30)
    }

    /// A receiver takes a message in: it is recorded for the auditor, and the first
    /// `assignment.scheduled` of an assignment reaches the person, who reacts.
    func receive(_ m: OutboxMessage, _ endpoint: String) throws {
        deliveries.append(AuditDelivery(endpoint: endpoint, webhookID: m.eventID, receivedAt: now, type: m.type,
                                        body: m.type.hasPrefix("assignment.") ? m.body : Data()))
        if m.type == "assignment.scheduled", let id = m.assignmentID, told.insert(id).inserted {
            try react(to: id)
        }
    }
}
