import Foundation
import GRDB
import JitdCore

/// A message to queue once ever per endpoint, however often it is offered.
public struct OnceMessage: Sendable {
    /// The message's id (a statement id): what "once" is counted by.
    public var id: String
    public var endpoints: [String]
    /// Builds the message; called only for endpoints that never had it.
    public var make: @Sendable () -> WebhookEvent

    public init(id: String, endpoints: [String], make: @escaping @Sendable () -> WebhookEvent) {
        self.id = id
        self.endpoints = endpoints
        self.make = make
    }
}

extension Store {
    /// Queues each message for the endpoints that never had it, in one transaction, and
    /// remembers that they did (beyond the outbox's retention). Returns how many were queued.
    ///
    /// For statements that record a state reached once (a requirement that reached a person):
    /// offered on every re-plan while it holds, sent once.
    @discardableResult
    public func enqueueOnce(_ messages: [OnceMessage], runAt: Instant) throws -> Int {
        guard !messages.isEmpty else { return 0 }
        return try pool.write { db in
            let remember = try db.makeStatement(sql: "INSERT OR IGNORE INTO outbox_once (event_id, endpoint, queued_at) VALUES (?, ?, ?)")
            var queued = 0
            for m in messages {
                var fresh: [String] = []
                for endpoint in m.endpoints {
                    try remember.execute(arguments: [m.id, endpoint, runAt.seconds])
                    if db.changesCount > 0 { fresh.append(endpoint) }
                }
                guard !fresh.isEmpty else { continue }
                try Self.enqueue(db, m.make(), endpoints: fresh, runAt: runAt)
                queued += fresh.count
            }
            return queued
        }
    }
}
