import Dispatch

extension DispatchQueue {
    /// Runs `body` on this queue and waits for its result without holding a thread of Swift's
    /// cooperative pool, which long blocking work (a file's transaction, a plan, a DNS lookup)
    /// would starve.
    public func perform<T: Sendable>(_ body: @escaping @Sendable () -> T) async -> T {
        await withCheckedContinuation { done in
            self.async { done.resume(returning: body()) }
        }
    }
}
