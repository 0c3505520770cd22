import Foundation

/// Runs a producer on a thread of its own while the calling thread consumes what it hands over,
/// at most `depth` items ahead: reading and parsing a file on one core while SQLite stores it
/// on another. Either side stopping stops the other: a consumer that throws makes every later
/// `send` return `false`; a producer that returns ends the consumption.
///
/// Returns only once the producer has returned, so the producer may use the caller's state
/// (it is not `@Sendable`): it runs alone on that state until then, and the caller reads it after.
public enum Handoff {
    public static func run<Item, Result>(depth: Int = 4, produce: (_ send: (Item) -> Bool) -> Result,
                                         consume: (Item) throws -> Void) throws -> Result {
        let queue = Queue<Item>(depth: depth)
        return try withoutActuallyEscaping(produce) { produce in
            let work = Work { queue.result = produce(queue.send); queue.finish() }
            let thread = Thread { work.run() }
            thread.stackSize = 1 << 20
            thread.start()
            defer { work.wait() }
            do {
                while let item = queue.receive() { try consume(item) }
            } catch {
                queue.cancel()
                throw error
            }
            work.wait()
            return queue.result as! Result
        }
    }

    /// The items in flight, guarded by one condition.
    private final class Queue<Item>: @unchecked Sendable {
        private let condition = NSCondition()
        private var items: [Item] = [], finished = false, cancelled = false
        private let depth: Int
        /// The producer's result, read once it has finished.
        var result: Any?

        init(depth: Int) { self.depth = max(1, depth) }

        func send(_ item: Item) -> Bool {
            condition.lock()
            defer { condition.unlock() }
            while items.count >= depth && !cancelled { condition.wait() }
            guard !cancelled else { return false }
            items.append(item)
            condition.broadcast()
            return true
        }

        func receive() -> Item? {
            condition.lock()
            defer { condition.unlock() }
            while items.isEmpty && !finished { condition.wait() }
            guard !items.isEmpty else { return nil }
            condition.broadcast()
            return items.removeFirst()
        }

        func finish() { update { $0.finished = true } }

        func cancel() { update { $0.cancelled = true; $0.items.removeAll() } }

        private func update(_ change: (Queue) -> Void) {
            condition.lock()
            change(self)
            condition.broadcast()
            condition.unlock()
        }
    }

    /// The producer's run, which lets go of the closure once done (it must not outlive `run`).
    private final class Work: @unchecked Sendable {
        private var body: (() -> Void)?
        private let done = DispatchSemaphore(value: 0)
        private var waited = false

        init(_ body: @escaping () -> Void) { self.body = body }

        func run() {
            body?()
            body = nil
            done.signal()
        }

        /// Waits for the run to end (once; later calls return at once).
        func wait() {
            guard !waited else { return }
            waited = true
            done.wait()
        }
    }
}
