import Foundation
import GRDB
import JitdCore

/// Group commit for the dispatcher: claims and results from every endpoint's loop are queued
/// here and written together in one transaction, then the next batch is taken.
///
/// Under load a transaction carries dozens of operations and costs one WAL sync
/// (`synchronous=FULL`); when idle each operation is written at once, with no added wait.
/// A caller's operation has committed when its call returns.
public actor OutboxWriter {
    private enum Operation: Sendable {
        case claim(endpoint: String, limit: Int, leaseSeconds: Int64, CheckedContinuation<[OutboxMessage], Error>)
        case finish(OutboxMessage, DeliveryResult, CheckedContinuation<Void, Error>)
        case release([OutboxMessage], CheckedContinuation<Void, Error>)
    }

    private let store: Store
    private let now: @Sendable () -> Instant
    private let onExpired: @Sendable (Int) -> Void
    private var queued: [Operation] = []
    private var writing = false
    /// Transactions written and operations carried, for benchmarks and logs.
    public private(set) var transactions = 0
    public private(set) var operations = 0

    /// `onExpired` hears of `assignment.*` messages a claim found too late to send (they expire).
    public init(store: Store, now: @escaping @Sendable () -> Instant, onExpired: @escaping @Sendable (Int) -> Void = { _ in }) {
        self.store = store
        self.now = now
        self.onExpired = onExpired
    }

    /// Leases up to `limit` due messages of `endpoint` (see ``OutboxSQL/claim``).
    public func claim(endpoint: String, limit: Int, leaseSeconds: Int64) async throws -> [OutboxMessage] {
        try await withCheckedThrowingContinuation { c in
            enqueue(.claim(endpoint: endpoint, limit: limit, leaseSeconds: leaseSeconds, c))
        }
    }

    /// Records an attempt's result (see ``OutboxSQL/finish``).
    public func finish(_ m: OutboxMessage, _ r: DeliveryResult) async throws {
        try await withCheckedThrowingContinuation { c in enqueue(.finish(m, r, c)) }
    }

    /// Returns leased, unsent messages to the queue (see ``OutboxSQL/release``).
    public func release(_ messages: [OutboxMessage]) async throws {
        guard !messages.isEmpty else { return }
        try await withCheckedThrowingContinuation { c in enqueue(.release(messages, c)) }
    }

    private func enqueue(_ op: Operation) {
        queued.append(op)
        guard !writing else { return }
        writing = true
        Task { await self.drain() }
    }

    private func drain() async {
        while !queued.isEmpty {
            let batch = queued
            queued = []
            await write(batch)
        }
        writing = false
    }

    private func write(_ batch: [Operation]) async {
        let t = now()
        transactions += 1
        operations += batch.count
        do {
            let (claimed, expired) = try await store.pool.write { db in try Self.apply(batch, db, now: t) }
            store.health.writeSucceeded(.outbox)
            if expired > 0 { onExpired(expired) }
            for (op, messages) in zip(batch, claimed) {
                switch op {
                case .claim(_, _, _, let c): c.resume(returning: messages)
                case .finish(_, _, let c), .release(_, let c): c.resume()
                }
            }
        } catch {
            store.health.writeFailed(.outbox, error)
            for op in batch {
                switch op {
                case .claim(_, _, _, let c): c.resume(throwing: error)
                case .finish(_, _, let c), .release(_, let c): c.resume(throwing: error)
                }
            }
        }
    }

    /// Applies every operation in order; returns what each claim leased (empty for the others)
    /// and how many messages expired on the way.
    private static func apply(_ batch: [Operation], _ db: Database, now: Instant) throws -> ([[OutboxMessage]], Int) {
        var expired = 0
        let claimed = try batch.map { op in
            switch op {
            case .claim(let endpoint, let limit, let lease, _):
                return try OutboxSQL.claim(db, endpoint: endpoint, now: now, limit: limit, leaseSeconds: lease, expired: &expired)
            case .finish(let m, let r, _):
                try OutboxSQL.finish(db, m, r, now: now)
                return []
            case .release(let ms, _):
                for m in ms { try OutboxSQL.release(db, m, now: now) }
                return []
            }
        }
        return (claimed, expired)
    }
}
