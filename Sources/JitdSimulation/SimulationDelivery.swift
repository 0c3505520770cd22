import Foundation
import JitdAudit
import JitdCore
import JitdStore

extension Simulation {
    /// The dispatcher's turn: for each endpoint that is not disabled, the due messages are leased
    /// (``Store/claimDue(now:limit:leaseSeconds:endpoint:)``), sent to the simulated receiver,
    /// and their answers recorded (``Store/finish(_:_:now:)``) as the retry policy reads them.
    func deliver() throws {
        guard let (store, _) = daemon else { return }
        let disabled = try store.disabledEndpoints()
        for endpoint in hospital.endpoints.map(\.name) where disabled[endpoint] == nil {
            guard let due = try store.nextDue(endpoint: endpoint), due <= at else { continue }
            let batch = try store.claimDue(now: at, limit: 1000, leaseSeconds: dispatch.leaseSeconds, endpoint: endpoint)
            messages: for (i, m) in batch.enumerated() {
                stats.attempts += 1
                switch incidents.mode(endpoint, at: now) {
                case .healthy:
                    try receive(m, endpoint)
                    try store.finish(m, DeliveryResult(outcome: .delivered, status: 200, error: nil, durationMs: 3), now: at)
                case .failing(let share):
                    if rng.chance(share) {
                        try store.finish(m, failed(m, status: 503), now: at)
                    } else {
                        try receive(m, endpoint)
                        try store.finish(m, DeliveryResult(outcome: .delivered, status: 204, error: nil, durationMs: 40), now: at)
                    }
                case .hanging(let takenIn):
                    // No answer: the lease runs out and the sweeper returns the message to the queue.
                    if rng.chance(takenIn) { try receive(m, endpoint) }
                case .gone:
                    try store.finish(m, DeliveryResult(outcome: .endpointGone, status: 410, error: "410 Gone", durationMs: 2), now: at)
                    incidents.answeredGone(endpoint, at: now)
                    // The worker gives back what it leased and did not send.
                    let unsent = Array(batch[(i + 1)...])
                    try store.pool.write { db in for u in unsent { try OutboxSQL.release(db, u, now: at) } }
                    queue.push(now + Int64(rng.int(20...240)) * 60, .enable(endpoint))
                    break messages
                }
            }
        }
    }

    /// A failed attempt as the dispatcher's retry policy reads it: tried again after the policy's
    /// delay, or dead once past the queue's max age.
    func failed(_ m: OutboxMessage, status: Int) -> DeliveryResult {
        let delay = dispatch.retry.delay(afterAttempt: m.attempts, type: m.type, retryAfter: nil,
                                         random: { [self] cap in Int64(rng.below(Int(max(0, cap)) + 1)) })
        let next = at.adding(seconds: delay)
        if m.createdAt.adding(seconds: dispatch.retry.maxAge) < next {
            return DeliveryResult(outcome: .dead, status: status, error: "gave up after \(m.attempts) attempts: HTTP \(status)", durationMs: 30)
        }
        return DeliveryResult(outcome: .retry(at: next), status: status, error: "HTTP \(status)", durationMs: 30)
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
