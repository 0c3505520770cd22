import Foundation
import Testing
@testable import JitdStore

/// Several openers of one new database at once (the daemon starting while an operator runs
/// `jitd queue endpoints`, as a CI run did): every one opens it, and it is migrated once.
@Suite struct MigrationLockTests {
    @Test func concurrentOpenersOfANewDatabaseAllSucceed() throws {
        for round in 0..<6 {
            let dir = NSTemporaryDirectory() + "jitd-migrate-" + UUID().uuidString
            try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
            defer { try? FileManager.default.removeItem(atPath: dir) }
            let path = dir + "/jitd.sqlite"
            let failures = Failures()
            DispatchQueue.concurrentPerform(iterations: 6) { _ in
                do { _ = try Store(path: path) } catch { failures.add("\(error)") }
            }
            #expect(failures.all.isEmpty, "round \(round): \(failures.all)")
            let store = try Store(path: path)
            let applied = try store.pool.read { try Store.migrator.appliedMigrations($0) }
            #expect(applied == Store.migrator.migrations, "each migration once, in order: \(applied)")
        }
    }

    final class Failures: @unchecked Sendable {
        private let lock = NSLock()
        private var list: [String] = []
        func add(_ s: String) { lock.withLock { list.append(s) } }
        var all: [String] { lock.withLock { list } }
    }
}
