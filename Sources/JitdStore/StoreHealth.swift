import Foundation
import GRDB
import JitdCore

/// Whether the database takes writes: what `/readyz` reports.
///
/// Each kind of writer records its own outcome, and only its own next success clears its
/// failure: a small write (the probe, a delivery's record) may still find room in the
/// write-ahead log while a roster of thousands of rows cannot, so a success of one kind says
/// nothing of another.
public final class StoreHealth: @unchecked Sendable {
    /// Who wrote.
    public enum Writer: String, Sendable, CaseIterable {
        case inbox, planner, outbox, probe
    }

    private let lock = NSLock()
    private var failures: [Writer: String] = [:]

    public init() {}

    public func writeFailed(_ writer: Writer, _ error: Error) {
        lock.withLock { failures[writer] = "\(error)" }
    }

    public func writeSucceeded(_ writer: Writer) {
        lock.withLock { _ = failures.removeValue(forKey: writer) }
    }

    /// Why the database cannot be written, or `nil` when the last write of every kind succeeded.
    public var problem: String? {
        lock.withLock {
            Writer.allCases.compactMap { w in failures[w].map { "\(w.rawValue): \(Brief.bounded($0, limit: 300))" } }.first
        }
    }
}

extension Store {
    /// Writes one small row (when the probe last ran), to learn whether the database takes
    /// writes at all; records the outcome in ``health``.
    public func probeWrite(now: Instant) {
        do {
            try pool.write { db in
                try db.execute(sql: """
                    INSERT INTO write_probe (id, at) VALUES (1, ?) ON CONFLICT(id) DO UPDATE SET at = excluded.at
                    """, arguments: [now.seconds])
            }
            health.writeSucceeded(.probe)
        } catch {
            health.writeFailed(.probe, error)
        }
    }
}
