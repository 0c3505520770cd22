import Foundation

/// Wakes one waiting loop when something it cares about changed (a roster applied, a message queued).
///
/// Notifications do not queue up: any number of `notify()` calls before the next `wait`
/// make that `wait` return at once, once. Safe to call from any task or thread.
public final class ChangeSignal: @unchecked Sendable {
    private let lock = NSLock()
    private var pending = false
    private var generation: UInt64 = 0
    private var fired: UInt64 = 0
    private var waiter: (generation: UInt64, continuation: CheckedContinuation<Void, Never>)?

    public init() {}

    public func notify() {
        lock.lock()
        if let w = waiter {
            waiter = nil
            lock.unlock()
            w.continuation.resume()
        } else {
            pending = true
            lock.unlock()
        }
    }

    /// Returns on the next notification, after `seconds`, or when the task is cancelled.
    public func wait(seconds: Double) async {
        let gen: UInt64? = lock.withLock {
            if pending { pending = false; return nil }
            generation += 1
            return generation
        }
        guard let gen else { return }
        let timer = Task { [weak self] in
            try? await Task.sleep(nanoseconds: UInt64(max(0, seconds) * 1e9))
            self?.expire(gen)
        }
        await withTaskCancellationHandler {
            await withCheckedContinuation { (c: CheckedContinuation<Void, Never>) in
                lock.lock()
                if fired >= gen || pending {
                    pending = false
                    lock.unlock()
                    c.resume()
                } else {
                    waiter = (gen, c)
                    lock.unlock()
                }
            }
        } onCancel: {
            expire(gen)
        }
        timer.cancel()
    }

    private func expire(_ gen: UInt64) {
        lock.lock()
        fired = max(fired, gen)
        if let w = waiter, w.generation == gen {
            waiter = nil
            lock.unlock()
            w.continuation.resume()
        } else {
            lock.unlock()
        }
    }
}
