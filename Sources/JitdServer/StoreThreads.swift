import NIOPosix

/// Threads that run the API's database work, which blocks: on SQLite's pages (and the disk when
/// they are not cached), and for writes on SQLite's one write lock, which an inbox file holds
/// for its whole transaction (1.5 s for a million-row roster). Off Swift's cooperative pool,
/// which has one thread per core and would otherwise stall every task of the daemon (webhook
/// deliveries included) behind a few waiting requests; a request pays one thread hop (about
/// 10 µs of CPU on this 2-core machine) for it. Four threads, so that a request waiting on the
/// disk or the write lock does not hold up the others.
enum StoreThreads {
    static let pool: NIOThreadPool = {
        let pool = NIOThreadPool(numberOfThreads: 4)
        pool.start()
        return pool
    }()

    /// Runs `body` on one of the threads.
    static func run<T: Sendable>(_ body: @escaping @Sendable () throws -> T) async throws -> T {
        try await pool.runIfActive(body)
    }
}
