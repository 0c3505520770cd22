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
        let watch = InboxWatch(folder: config.inboxPath, signal: changed)
        if watch == nil {
            runtime.logger.warning("cannot watch \(config.inboxPath) with inotify (\(String(cString: strerror(errno)))); polling it every \(pollSeconds) s")
        }
        defer { watch?.stop() }
        await withGracefulShutdownHandler {
            while !Task.isCancelled && !Task.isShuttingDownGracefully {
                await FaultInjection.stallIfRequested(Self.loopName, logger: runtime.logger)
                liveness.beat(Self.loopName)
                processReady(&scanner, settle: true)
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

    /// Applies every file that is ready; returns how many were handled.
    @discardableResult
    func processReady(_ scanner: inout InboxScanner, settle: Bool) -> Int {
        let files = scanner.ready(settle: settle)
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

    func process(_ f: InboxCandidate) {
        let log = runtime.logger.with("jitd_file", f.name)
        let now = runtime.clock()
        var sink = DiagnosticSink(file: f.name)
        var sha = ""
        var parsed: InputFile? = nil
        if let refusal = f.refusal {
            sink.error(refusal)
        } else if let data = FileManager.default.contents(atPath: f.path) {
            sha = SHA256.hash(data: data).map { String(format: "%02x", $0) }.joined()
            if let text = InputFileReader.text(data, sink: &sink) {
                parsed = InputFileReader.parse(name: f.name, text: text, context: context(now), sink: &sink)
            }
        } else {
            sink.error("cannot read the file; check its permissions (jitd must be able to read it)")
        }
        if sink.hasErrors || parsed == nil {
            reject(f, sha: sha, sink.items, now: now, log: log)
            return
        }
        do {
            try apply(parsed!, f, sha: sha, now: now, log: log)
            for w in sink.warnings { log.warning("\(w)") }
            move(f, to: "processed", report: sink.warnings)
            runtime.planChanged.notify()
            runtime.outboxChanged.notify()
        } catch {
            log.error("cannot store \(f.name): \(error); it stays in the inbox and is tried again")
        }
    }

    func context(_ now: Instant) -> RosterContext {
        RosterContext(zones: runtime.zones,
                      window: Interval(start: now.adding(seconds: -86_400),
                                       end: now.adding(seconds: Int64(runtime.config.policy.horizonHours) * 3600 + 86_400)))
    }

    func apply(_ input: InputFile, _ f: InboxCandidate, sha: String, now: Instant, log: Logger) throws {
        switch input {
        case .roster(let entries):
            let zones = runtime.zones
            let runtime = self.runtime
            let outcome = try runtime.store.applyRoster(file: f.name, sha256: sha, entries: entries.map(\.shift),
                                                        zones: { zones.zone(of: $0) }, now: now) { outcome in
                guard case .accepted(let shifts, let busy, let replaced, let units) = outcome else { return [] }
                return runtime.route("roster.accepted", unit: nil) { _ in
                    .rosterAccepted(file: f.name, sha256: sha, shifts: shifts, busy: busy, units: units, replaced: replaced, at: now)
                }
            }
            switch outcome {
            case .duplicate: log.info("\(f.name) has the same bytes as a roster applied before; nothing changed")
            case .accepted(let shifts, let busy, let replaced, let units):
                log.notice("applied roster \(f.name): \(shifts) shifts, \(busy) busy blocks, \(replaced) replaced, units \(units.joined(separator: ","))")
            }
        case .completions(let list):
            let added = try runtime.store.applyCompletionsFile(file: f.name, sha256: sha, completions: list, now: now)
            log.notice("applied completions \(f.name): \(added.map { "\($0) new" } ?? "duplicate file, nothing changed")")
        }
    }

    func reject(_ f: InboxCandidate, sha: String, _ problems: [Diagnostic], now: Instant, log: Logger) {
        let errors = problems.map(\.description)
        for e in problems where e.severity == .error { log.error("\(e)") }
        do {
            try runtime.store.recordRejected(file: f.name, sha256: sha, kind: "roster", errors: errors, now: now,
                                             events: runtime.route("roster.rejected", unit: nil) { _ in
                                                 .rosterRejected(file: f.name, sha256: sha, errors: errors, at: now)
                                             })
            runtime.outboxChanged.notify()
        } catch {
            log.error("cannot record the rejection of \(f.name): \(error)")
        }
        move(f, to: "rejected", report: problems)
    }

    /// Moves the file under `sub/`, never overwriting an earlier file of the same name, and writes
    /// its problems beside it.
    func move(_ f: InboxCandidate, to sub: String, report: [Diagnostic]) {
        let dir = runtime.config.inboxPath + "/" + sub
        try? FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        var target = dir + "/" + f.name
        if FileManager.default.fileExists(atPath: target) {
            let stamp = Int(Date().timeIntervalSince1970 * 1000)
            target = dir + "/" + "\(stamp)-" + f.name
        }
        if rename(f.path, target) != 0 {
            runtime.logger.error("cannot move \(f.name) to \(sub)/: \(String(cString: strerror(errno)))")
            return
        }
        if !report.isEmpty {
            let text = report.map(\.description).joined(separator: "\n") + "\n"
            let suffix = sub == "rejected" ? ".errors.txt" : ".warnings.txt"
            _ = FileManager.default.createFile(atPath: target + suffix, contents: Data(text.utf8))
        }
    }
}

/// An inotify watch on the inbox folder that wakes a signal when a file appears, is closed after
/// writing, is renamed into it or has its attributes changed. Reads the events on a dispatch
/// queue, off the cooperative pool.
final class InboxWatch: @unchecked Sendable {
    private let source: any DispatchSourceRead

    /// `nil` when inotify is not available (then `errno` says why).
    init?(folder: String, signal: ChangeSignal) {
        let fd = inotify_init1(Int32(IN_NONBLOCK | IN_CLOEXEC))
        guard fd >= 0 else { return nil }
        let mask = UInt32(IN_CREATE | IN_CLOSE_WRITE | IN_MOVED_TO | IN_ATTRIB | IN_DELETE_SELF | IN_MOVE_SELF)
        guard inotify_add_watch(fd, folder, mask) >= 0 else {
            let saved = errno
            close(fd)
            errno = saved
            return nil
        }
        source = DispatchSource.makeReadSource(fileDescriptor: fd, queue: DispatchQueue(label: "jitd.inbox.inotify"))
        source.setEventHandler {
            var buffer = [UInt8](repeating: 0, count: 4096)
            while read(fd, &buffer, buffer.count) > 0 {}
            signal.notify()
        }
        source.setCancelHandler { close(fd) }
        source.resume()
    }

    func stop() { source.cancel() }
}

extension Logger {
    func with(_ key: String, _ value: String) -> Logger {
        var l = self
        l[metadataKey: key] = "\(value)"
        return l
    }
}
