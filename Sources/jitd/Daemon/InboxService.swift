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

    static let loopName = "inbox"

    func run() async throws {
        let config = runtime.config
        var scanner = InboxScanner(inbox: config.inboxPath, maxBytes: config.limits.maxInboxFileBytes)
        let changed = ChangeSignal()
        let writing = OpenWrites()
        // A file appears, is written to, closed after writing, renamed in or out, deleted, or has
        // its attributes changed.
        let mask = IN_CREATE | IN_MODIFY | IN_CLOSE_WRITE | IN_MOVED_TO | IN_MOVED_FROM | IN_DELETE | IN_ATTRIB | IN_DELETE_SELF | IN_MOVE_SELF
        let watch = DirectoryWatch(folder: config.inboxPath, mask: UInt32(mask), label: "jitd.inbox.inotify") { events in
            writing.record(events)
            changed.notify()
        }
        if watch == nil {
            runtime.logger.warning("cannot watch \(config.inboxPath) with inotify (\(String(cString: strerror(errno)))); polling it every \(pollSeconds) s")
        }
        defer { watch?.stop() }
        await withGracefulShutdownHandler {
            while !Task.isCancelled && !Task.isShuttingDownGracefully {
                await FaultInjection.stallIfRequested(Self.loopName, logger: runtime.logger)
                liveness.beat(Self.loopName)
                processReady(&scanner, settle: true, busy: writing.current)
                if watch == nil || hasWaitingFiles(config.inboxPath) {
                    try? await Task.sleep(for: .seconds(pollSeconds))
                } else {
                    await changed.wait(seconds: PlannerService.seconds(beatPeriod))
                }
            }
        } onGracefulShutdown: {
            changed.notify()
        }
    }

    /// Whether a file that may become an input is in the inbox (waiting to settle, or to be tried again).
    func hasWaitingFiles(_ inbox: String) -> Bool {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: inbox)) ?? []
        return names.contains { name in
            guard !InboxScanner.isIgnored(name) else { return false }
            var st = stat()
            return lstat(inbox + "/" + name, &st) == 0 && (st.st_mode & S_IFMT) != S_IFDIR
        }
    }

    /// The start-up scan: applies the files waiting in the inbox, including, once they have
    /// settled, those a writer touched in the last seconds (given up to `rounds` polls), so that
    /// `READY=1` means the inbox was read. Returns how many files were handled.
    func startupScan(_ scanner: inout InboxScanner, rounds: Int = 10) async -> Int {
        var handled = processReady(&scanner, settle: false)
        var round = 0
        while scanner.unsettled > 0 && round < rounds {
            try? await Task.sleep(for: .seconds(pollSeconds))
            handled += processReady(&scanner, settle: true)
            round += 1
        }
        return handled
    }

    /// Applies every file that is ready; returns how many were handled.
    @discardableResult
    func processReady(_ scanner: inout InboxScanner, settle: Bool, busy: Set<String> = []) -> Int {
        let files = scanner.ready(settle: settle, busy: busy)
        for f in files {
            // A big file may keep the loop away for a while; say so, so the watchdog waits.
            liveness.busy(Self.loopName, for: .seconds(60 + f.size / (1 << 20) * 2))
            process(f)
        }
        if !files.isEmpty {
            liveness.beat(Self.loopName)
            runtime.statusChanged.notify()
        }
        return files.count
    }
}

extension Logger {
    func with(_ key: String, _ value: String) -> Logger {
        var l = self
        l[metadataKey: key] = "\(value)"
        return l
    }
}
