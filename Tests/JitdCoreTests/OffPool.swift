import Foundation

/// Runs the cases of a heavy property test (one per seed) on threads of their own, one a core
/// but one (the rest of the run keeps a core), and returns what each found, in seed order.
///
/// Swift Testing runs tests on Swift's cooperative pool, one thread a core, and on Linux
/// Dispatch's global queues draw on the same few worker threads. A synchronous test that plans a
/// thousand hospitals held one of them for minutes on a 2-core machine, and timed tests elsewhere
/// in the run (a receiver waiting for deliveries) waited for a thread until they timed out. The
/// cases here run on plain threads, which the kernel shares out with everything else; the test
/// checks their results with `#expect` once they are back.
func offPool<T: Sendable>(_ seeds: ClosedRange<UInt64>, _ body: @escaping @Sendable (UInt64) -> T) async -> [T] {
    let seedList = Array(seeds)
    let workers = max(1, min(ProcessInfo.processInfo.activeProcessorCount - 1, seedList.count))
    let collector = Collector<T>(workers: workers)
    await withCheckedContinuation { (done: CheckedContinuation<Void, Never>) in
        for w in 0..<workers {
            let thread = Thread {
                for i in stride(from: w, to: seedList.count, by: workers) { collector.put(seedList[i], body(seedList[i])) }
                if collector.workerFinished() { done.resume() }
            }
            thread.stackSize = 8 << 20
            thread.start()
        }
    }
    return collector.values(seedList)
}

/// What the threads of `offPool` found, under a lock.
private final class Collector<T: Sendable>: @unchecked Sendable {
    private let lock = NSLock()
    private var found: [UInt64: T] = [:]
    private var running: Int

    init(workers: Int) { running = workers }

    func put(_ seed: UInt64, _ value: T) { lock.withLock { found[seed] = value } }

    /// Whether this was the last worker to finish.
    func workerFinished() -> Bool { lock.withLock { running -= 1; return running == 0 } }

    func values(_ seeds: [UInt64]) -> [T] { lock.withLock { seeds.map { found[$0]! } } }
}
