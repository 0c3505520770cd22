import Crypto
import Foundation
import JitdCore
import JitdIngest
import JitdStore
import JitdSystemd
import Logging
import ServiceLifecycle

/// Applies files dropped into the inbox: each whole in one transaction or not at all, then
/// moved to `processed/` or `rejected/` (with a `NAME.errors.txt` beside it).
///
/// Sleeps on inotify while the inbox is empty (waking at least every `beatPeriod` to beat
/// ``Liveness``); while a file waits to settle it polls every `pollSeconds`, so a file still
/// being written is never read half-way however often it changes.
struct InboxService: Service {
    let runtime: Runtime
    let liveness: Liveness
    var pollSeconds: Double = 1
    var beatPeriod: Duration = .seconds(60)
    /// The inotify watch, shared by the start-up scan and the loop.
    let events = InboxEvents()
    /// Applies each file (the use case).
    var applier: InboxFileApplier { InboxFileApplier(runtime: runtime, failures: failures) }
    /// Files that could not be stored (a full disk, a database that cannot write): when each may
    /// be tried again, and when its failure was last logged.
    let failures = StoreFailures()

    static let loopName = "inbox"
    /// Files are applied on a thread of their own, not on Swift's cooperative pool (one thread a
    /// core): a file's transaction blocks for as long as it takes (1.5 s for a million-row
    /// roster), and webhook deliveries and the API must go on meanwhile.
    static let files = DispatchQueue(label: "jitd.inbox.files")

    func run() async throws {
        let config = runtime.config
        var scanner = InboxScanner(inbox: config.inboxPath, maxBytes: config.limits.maxInboxFileBytes)
        let watching = events.start(config.inboxPath)
        if !watching {
            runtime.logger.warning("cannot watch \(config.inboxPath) with inotify (\(String(cString: strerror(errno)))); polling it every \(pollSeconds) s")
        }
        defer { events.stop() }
        await withGracefulShutdownHandler {
            while !Task.isCancelled && !Task.isShuttingDownGracefully {
                liveness.beat(Self.loopName)
                await processReady(&scanner, settle: true, busy: events.writing.current)
                if !watching || hasWaitingFiles(config.inboxPath) {
                    try? await Task.sleep(for: .seconds(pollSeconds))
                } else {
                    await events.changed.wait(seconds: PlannerService.seconds(beatPeriod))
                }
            }
        } onGracefulShutdown: {
            events.changed.notify()
        }
    }

    /// Whether a file that may become an input is in the inbox (waiting to settle, or to be tried again).
    func hasWaitingFiles(_ inbox: String) -> Bool {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: inbox)) ?? []
        return names.contains { !InboxScanner.isIgnored($0) && !InboxScanner.ownFolders.contains($0) }
    }

    /// The start-up scan: applies the files waiting in the inbox, including, once they have
    /// settled, those a writer touched in the last seconds (given up to `rounds` polls), so that
    /// `READY=1` means the inbox was read. Returns how many files were handled.
    /// The watch starts first, so that a writer still at work (one that was writing when jitd
    /// stopped) is noticed by its next write.
    func startupScan(_ scanner: inout InboxScanner, rounds: Int = 10) async -> Int {
        _ = events.start(scanner.inbox)
        var handled = await processReady(&scanner, settle: false, busy: events.writing.current)
        var round = 0
        while scanner.unsettled > 0 && round < rounds {
            try? await Task.sleep(for: .seconds(pollSeconds))
            handled += await processReady(&scanner, settle: true, busy: events.writing.current)
            round += 1
        }
        return handled
    }

    /// Applies every file that is ready; returns how many were handled.
    @discardableResult
    func processReady(_ scanner: inout InboxScanner, settle: Bool, busy: Set<String> = []) async -> Int {
        let files = scanner.ready(settle: settle, busy: busy).filter { failures.mayTry($0, now: runtime.now()) }
        for f in files {
            // A big file may keep the loop away for a while; say so, so the watchdog waits.
            liveness.busy(Self.loopName, for: .seconds(60 + f.size / (1 << 20) * 2))
            let applier = self.applier
            await Self.files.perform { applier.process(f) }
        }
        if !files.isEmpty {
            liveness.beat(Self.loopName)
            runtime.statusChanged.notify()
        }
        return files.count
    }
}

/// The inbox's inotify watch and what it has told: a signal on every event, and the files local
/// writers still hold open. Started once, by whichever of the start-up scan and the loop comes first.
final class InboxEvents: @unchecked Sendable {
    let changed = ChangeSignal()
    let writing = OpenWrites()
    private let lock = NSLock()
    private var watch: DirectoryWatch?
    private var tried = false

    /// A file appears, is written to, closed after writing, renamed in or out, deleted, or has its
    /// attributes changed.
    static let mask = UInt32(IN_CREATE | IN_MODIFY | IN_CLOSE_WRITE | IN_MOVED_TO | IN_MOVED_FROM | IN_DELETE | IN_ATTRIB
                             | IN_DELETE_SELF | IN_MOVE_SELF)

    /// Starts watching `folder` (once); returns whether inotify watches it (else `errno` says why).
    func start(_ folder: String) -> Bool {
        lock.withLock {
            if !tried {
                tried = true
                let (changed, writing) = (self.changed, self.writing)
                watch = DirectoryWatch(folder: folder, mask: Self.mask, label: "jitd.inbox.inotify") { events in
                    writing.record(events, in: folder)
                    changed.notify()
                }
            }
            return watch != nil
        }
    }

    func stop() { lock.withLock { watch?.stop() } }
}

extension Logger {
    func with(_ key: String, _ value: String) -> Logger {
        var l = self
        l[metadataKey: key] = "\(value)"
        return l
    }
}
