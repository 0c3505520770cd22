import Dispatch

extension DispatchQueue {
    /// Runs `body` on this queue and waits for it without holding a thread of Swift's
    /// cooperative pool, which long blocking work (a file's transaction, a plan) would starve.
    func perform(_ body: @escaping @Sendable () -> Void) async {
        await withCheckedContinuation { done in
            self.async {
                body()
                done.resume()
            }
        }
    }
}
