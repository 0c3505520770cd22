import Crypto
import Foundation
import JitdCore
import JitdIngest
import JitdStore
import Logging
import ServiceLifecycle

/// Applies files dropped into the inbox: each whole in one transaction or not at all, then
/// moved to `processed/` or `rejected/` (with a `NAME.errors.txt` beside it).
struct InboxService: Service {
    let runtime: Runtime
    let heartbeat: Heartbeat
    var pollSeconds: Double = 1

    func run() async throws {
        var scanner = InboxScanner(inbox: runtime.config.inboxPath, maxBytes: runtime.config.limits.maxInboxFileBytes)
        while !Task.isCancelled && !Task.isShuttingDownGracefully {
            processReady(&scanner, settle: true)
            heartbeat.beat(.inbox)
            try? await Task.sleep(for: .seconds(pollSeconds))
        }
    }

    /// Applies every file that is ready; returns how many were handled.
    @discardableResult
    func processReady(_ scanner: inout InboxScanner, settle: Bool) -> Int {
        let files = scanner.ready(settle: settle)
        for f in files { process(f) }
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

extension Logger {
    func with(_ key: String, _ value: String) -> Logger {
        var l = self
        l[metadataKey: key] = "\(value)"
        return l
    }
}
