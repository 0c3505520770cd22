import Crypto
import Foundation
import JitdCore
import JitdIngest
import JitdStore
import Logging

/// The use case "apply an inbox file": parsed, stored whole in one transaction or not at all,
/// then moved to `processed/` or `rejected/`. CSV and JSON rosters and completions CSVs are
/// streamed (read in 1 MiB chunks, each row stored as it is read, inside the transaction);
/// iCalendar rosters are read whole.
public struct InboxFileApplier: Sendable {
    let runtime: Runtime
    /// Files the store could not take, and when each may be tried again.
    let failures: StoreFailures

    public init(runtime: Runtime, failures: StoreFailures = StoreFailures()) {
        self.runtime = runtime
        self.failures = failures
    }

    /// At most this many problems of one file are reported, then a count of the rest.
    static let reportLimit = 1000

    public func process(_ f: InboxCandidate) {
        let log = runtime.logger.with("jitd_file", f.name)
        let now = runtime.now()
        var sink = DiagnosticSink(file: f.name, limit: Self.reportLimit)
        if let refusal = f.refusal {
            sink.error(refusal)
            return reject(f, sha: "", &sink, kind: .unknown, now: now, log: log)
        }
        let head: [UInt8]
        do { head = try ChunkedFile.prefix(path: f.path, count: 4096) } catch {
            sink.error((error as? ChunkedFile.Problem)?.message ?? "\(error)")
            return reject(f, sha: "", &sink, kind: .unknown, now: now, log: log)
        }
        switch InputFileReader.streamed(name: f.name, firstBytes: head) {
        case .roster(let format)?:
            streamRoster(f, format, &sink, now: now, log: log)
        case .completions?:
            streamCompletions(f, &sink, now: now, log: log)
        case nil where f.size > runtime.config.limits.maxWholeFileBytes:
            let limit = runtime.config.limits.maxWholeFileBytes
            sink.error("the file is \(f.size) bytes; iCalendar rosters are read whole, so they may be at most \(limit) bytes "
                       + "([limits] max_whole_file_mib); split it, or send the roster as CSV or JSON, which are read as they stream")
            reject(f, sha: "", &sink, kind: .roster, now: now, log: log)
        case nil:
            processWhole(f, &sink, now: now, log: log)
        }
    }

    /// iCalendar rosters: read whole, parsed, then stored.
    func processWhole(_ f: InboxCandidate, _ sink: inout DiagnosticSink, now: Instant, log: Logger) {
        guard let data = FileManager.default.contents(atPath: f.path) else {
            sink.error("cannot read the file; check its permissions (jitd must be able to read it)")
            return reject(f, sha: "", &sink, kind: .unknown, now: now, log: log)
        }
        let sha = Self.hex(SHA256.hash(data: data))
        let parsed = InputFileReader.parse(name: f.name, data: data, context: context(now), sink: &sink)
        guard let parsed, !sink.hasErrors else { return reject(f, sha: sha, &sink, kind: f.name.lowercased().hasSuffix(".ics") ? .roster : .unknown, now: now, log: log) }
        do {
            try apply(parsed, f, sha: sha, now: now, log: log)
            if case .roster(let entries) = parsed, let text = String(data: data, encoding: .utf8),
               RecurringRosterExtender.recurs(text) {
                // Expanded again as the horizon advances, so a weekly calendar keeps producing shifts.
                try runtime.store.rememberRecurring(sha256: sha, name: f.name, text: text,
                                                    units: Set(entries.map(\.shift.unit)).sorted(), expandedUntil: context(now).window.end)
            }
            accepted(f, sink, log: log)
        } catch {
            storeFailed(f, error, log: log)
        }
    }

    /// A CSV or JSON roster, read in chunks: each valid shift is stored as it is read, inside the
    /// one transaction that applies the file; an error anywhere discards the transaction. The file
    /// is read, hashed and parsed on a thread of its own, handing shifts over in batches, while
    /// this one stores them: on two cores, parsing and SQLite's work overlap.
    func streamRoster<Format: ByteStreamParser<RosterEntry>>(_ f: InboxCandidate, _ format: Format.Type,
                                                             _ sink: inout DiagnosticSink, now: Instant, log: Logger) {
        let started = ContinuousClock.now
        var sha = ""
        do {
            // The same bytes as the roster in force on its days (an export dropped again unchanged):
            // known from one quick hashing pass, without parsing the file or holding SQLite's
            // write lock. The check inside the transaction stays the one that counts.
            if let early = try? Self.sha256(f, limit: runtime.config.limits.maxInboxFileBytes), try runtime.store.rosterInForce(sha256: early) {
                try runtime.store.recordDuplicate(file: f.name, sha256: early, kind: .roster, now: now)
                logRoster(.duplicate, f, seconds: Self.seconds(since: started), log: log)
                return accepted(f, sink, log: log)
            }
            let outcome = try runtime.store.applyRoster(file: f.name, zones: runtime.zones.zone(of:), now: now, fill: { writer in
                sha = try Handoff.run(produce: { send in readStreamed(f, Format.self, context: context(now), &sink, send: send) },
                                      consume: { batch in for e in batch { try writer.insert(e.shift) } })
                return sink.hasErrors ? nil : sha
            }, events: { outcome in rosterEvents(outcome, f, sha: sha, now: now) })
            guard let outcome else { return reject(f, sha: sha, &sink, kind: .roster, now: now, log: log) }
            logRoster(outcome, f, seconds: Self.seconds(since: started), log: log)
            accepted(f, sink, log: log)
        } catch {
            storeFailed(f, error, log: log)
        }
    }

    /// A completions CSV, read in chunks like a roster: each valid row is stored as it is read,
    /// inside the one transaction that applies the file.
    func streamCompletions(_ f: InboxCandidate, _ sink: inout DiagnosticSink, now: Instant, log: Logger) {
        let started = ContinuousClock.now
        var sha = ""
        do {
            let routing = runtime.inboxCompletionRouting()
            let outcome = try runtime.store.applyCompletions(file: f.name, now: now, fill: { writer in
                sha = try Handoff.run(produce: { send in readStreamed(f, CompletionsCSVStream.self, context: context(now), &sink, send: send) },
                                      consume: { batch in for c in batch { try writer.insert(c) } })
                return sink.hasErrors ? nil : sha
            }, holdsUntil: runtime.completionHoldsUntil(), cancelledEvents: runtime.cancelledEvents(at: now),
               learningEvents: routing.router, everyCompletion: routing.everyCompletion)
            switch outcome {
            case nil: return reject(f, sha: sha, &sink, kind: .completions, now: now, log: log)
            case .duplicate: log.info("\(f.name) has the same bytes as a completions file applied before; nothing changed")
            case .applied(let count, let new, let settled):
                let took = String(format: "%.3f", Self.seconds(since: started))
                log.notice("applied completions \(f.name): \(count) rows, \(new) new, \(settled.assignmentsCompleted) assignments completed, \(settled.assignmentsCancelled) cancelled in \(took) s")
            }
            accepted(f, sink, log: log)
        } catch {
            storeFailed(f, error, log: log)
        }
    }

    /// Reads, hashes and parses a file, sending its valid items in batches while it has no
    /// error; returns its sha256. Stops early when `send` says the other side stopped.
    func readStreamed<Format: ByteStreamParser>(_ f: InboxCandidate, _ format: Format.Type, context: RosterContext,
                                                _ sink: inout DiagnosticSink, send: ([Format.Item]) -> Bool) -> String {
        var hasher = SHA256()
        var batch: [Format.Item] = []
        batch.reserveCapacity(Self.batchSize)
        func accept(_ item: Format.Item) throws {
            batch.append(item)
            guard batch.count == Self.batchSize else { return }
            guard send(batch) else { throw HandoffStopped() }
            batch.removeAll(keepingCapacity: true)
        }
        do {
            try Format.read(path: f.path, limit: runtime.config.limits.maxInboxFileBytes, context: context, sink: &sink,
                            chunk: { hasher.update(bufferPointer: UnsafeRawBufferPointer($0)) }, accept)
            if !batch.isEmpty && !sink.hasErrors { _ = send(batch) }
        } catch {
            // Stopped: the store failed, and says why.
        }
        return Self.hex(hasher.finalize())
    }

    /// The storing side stopped taking batches (it failed, and says why).
    struct HandoffStopped: Error {}

    /// The sha256 of a file, read in chunks.
    static func sha256(_ f: InboxCandidate, limit: Int) throws -> String {
        var hasher = SHA256()
        try ChunkedFile.forEachChunk(path: f.path, limit: limit) { hasher.update(bufferPointer: UnsafeRawBufferPointer($0)) }
        return hex(hasher.finalize())
    }

    /// Entries handed from the reading thread to the storing one at a time.
    static let batchSize = 2048

    func context(_ now: Instant) -> RosterContext {
        RosterContext(zones: runtime.zones,
                      window: Interval(start: now.adding(seconds: -86_400),
                                       end: now.adding(seconds: Int64(runtime.config.policy.horizonHours) * 3600 + 86_400)),
                      now: now)
    }

    func apply(_ input: InputFile, _ f: InboxCandidate, sha: String, now: Instant, log: Logger) throws {
        switch input {
        case .roster(let entries):
            let started = ContinuousClock.now
            let runtime = self.runtime
            let outcome = try runtime.store.applyRoster(file: f.name, zones: runtime.zones.zone(of:), now: now, fill: { writer in
                for e in entries { try writer.insert(e.shift) }
                return sha
            }, events: { outcome in rosterEvents(outcome, f, sha: sha, now: now) })
            if let outcome { logRoster(outcome, f, seconds: Self.seconds(since: started), log: log) }
        case .completions(let list):
            let routing = runtime.inboxCompletionRouting()
            let added = try runtime.store.applyCompletionsFile(file: f.name, sha256: sha, completions: list, now: now,
                                                               learningEvents: routing.router, everyCompletion: routing.everyCompletion)
            log.notice("applied completions \(f.name): \(added.map { "\($0) new" } ?? "duplicate file, nothing changed")")
        }
    }

    func rosterEvents(_ outcome: RosterOutcome, _ f: InboxCandidate, sha: String, now: Instant) -> [(WebhookEvent, [String])] {
        guard case .accepted(let shifts, let busy, let replaced, let units) = outcome else { return [] }
        return runtime.route("roster.accepted", unit: nil) { _ in
            .rosterAccepted(file: f.name, sha256: sha, shifts: shifts, busy: busy, units: units, replaced: replaced, at: now)
        }
    }

    func logRoster(_ outcome: RosterOutcome, _ f: InboxCandidate, seconds: Double, log: Logger) {
        switch outcome {
        case .duplicate: log.notice("\(f.name) has the same bytes as the roster in force on its days; nothing changed")
        case .accepted(let shifts, let busy, let replaced, let units):
            log.notice("applied roster \(f.name): \(shifts) shifts, \(busy) busy blocks, \(replaced) replaced, units \(units.joined(separator: ",")) in \(String(format: "%.3f", seconds)) s")
        }
    }

    /// The store could not take the file: it stays in the inbox and is tried again later; the
    /// store is marked as unable to write (``Store/health``) until a write succeeds.
    func storeFailed(_ f: InboxCandidate, _ error: Error, log: Logger) {
        runtime.store.health.writeFailed(.inbox, error)
        if let line = failures.failed(f, error: error, now: runtime.now()) { log.error("\(line)") }
    }

    /// After a file was stored: its warnings logged and beside it in `processed/`; a re-plan asked for.
    func accepted(_ f: InboxCandidate, _ sink: DiagnosticSink, log: Logger) {
        var sink = sink
        sink.closeReport()
        for w in sink.warnings { log.warning("\(w)") }
        failures.settled(f.name)
        runtime.store.health.writeSucceeded(.inbox)
        move(f, to: "processed", report: sink.warnings)
        runtime.planChanged.notify()
        runtime.outboxChanged.notify()
    }

    func reject(_ f: InboxCandidate, sha: String, _ sink: inout DiagnosticSink, kind: InboxFileKind, now: Instant, log: Logger) {
        sink.closeReport()
        let problems = sink.items
        let errors = problems.map(\.description)
        for e in problems where e.severity == .error { log.error("\(e)") }
        do {
            try runtime.store.recordRejected(file: f.name, sha256: sha, kind: kind, errors: errors, now: now,
                                             events: runtime.route("roster.rejected", unit: nil) { _ in
                                                 .rosterRejected(file: f.name, sha256: sha, errors: errors, at: now)
                                             })
            runtime.outboxChanged.notify()
        } catch {
            // Moved to rejected/ all the same: the file is bad whatever the store's state.
            runtime.store.health.writeFailed(.inbox, error)
            log.error("cannot record the rejection of \(f.name): \(error)")
        }
        failures.settled(f.name)
        move(f, to: "rejected", report: problems)
    }

    /// Moves the file under `sub/`, never overwriting an earlier file of the same name, with its
    /// problems beside it. The report is written (whole, by rename) before the file is moved, so
    /// that a crash in between leaves the file in the inbox to be tried again, never a file in
    /// `rejected/` without its report.
    func move(_ f: InboxCandidate, to sub: String, report: [Diagnostic]) {
        let dir = runtime.config.inboxPath + "/" + sub
        try? FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        var target = dir + "/" + f.name
        if FileManager.default.fileExists(atPath: target) {
            let stamp = runtime.now().seconds
            target = dir + "/" + "\(stamp)-" + f.name
        }
        if !report.isEmpty {
            let text = report.map(\.description).joined(separator: "\n") + "\n"
            let sidecar = target + (sub == "rejected" ? ".errors.txt" : ".warnings.txt")
            if !Self.writeWhole(sidecar, Data(text.utf8)) {
                runtime.logger.error("cannot write \(sidecar): \(String(cString: strerror(errno)))")
            }
        }
        if rename(f.path, target) != 0 {
            runtime.logger.error("cannot move \(f.name) to \(sub)/: \(String(cString: strerror(errno)))")
        }
    }

    /// Writes `data` to a hidden temporary name beside `path`, then renames it into place.
    static func writeWhole(_ path: String, _ data: Data) -> Bool {
        let url = URL(fileURLWithPath: path)
        let temp = url.deletingLastPathComponent().appendingPathComponent("." + url.lastPathComponent + ".tmp").path
        guard FileManager.default.createFile(atPath: temp, contents: data) else { return false }
        return rename(temp, path) == 0
    }

    static func hex(_ digest: SHA256.Digest) -> String {
        digest.map { String(format: "%02x", $0) }.joined()
    }

    static func seconds(since start: ContinuousClock.Instant) -> Double {
        let d = ContinuousClock.now - start
        return Double(d.components.seconds) + Double(d.components.attoseconds) / 1e18
    }
}

/// Files the store could not take, tried again after a growing pause (1 s doubling to a minute)
/// and logged at most once a minute each, so a full disk is not reported every second.
public final class StoreFailures: @unchecked Sendable {
    struct Entry { var attempts: Int, retryAt: Instant, loggedAt: Instant?, suppressed: Int }
    private let lock = NSLock()

    public init() {}
    private var entries: [String: Entry] = [:]

    /// Whether `f` may be tried now.
    func mayTry(_ f: InboxCandidate, now: Instant) -> Bool {
        lock.withLock { entries[f.name].map { now >= $0.retryAt } ?? true }
    }

    /// Records a failure; returns the line to log, or `nil` when one was logged in the last minute.
    func failed(_ f: InboxCandidate, error: Error, now: Instant) -> String? {
        lock.withLock {
            var e = entries[f.name] ?? Entry(attempts: 0, retryAt: now, loggedAt: nil, suppressed: 0)
            e.attempts += 1
            let pause = min(Int64(60), Int64(1) << Int64(min(e.attempts - 1, 6)))
            e.retryAt = now.adding(seconds: pause)
            var line: String? = nil
            if e.loggedAt.map({ now.seconds - $0.seconds >= 60 }) ?? true {
                let more = e.suppressed > 0 ? " (\(e.suppressed) more failed attempts since the last report)" : ""
                line = "cannot store \(f.name): \(error)\(more); it stays in the inbox and is tried again in \(pause) s"
                e.loggedAt = now
                e.suppressed = 0
            } else {
                e.suppressed += 1
            }
            entries[f.name] = e
            return line
        }
    }

    /// The file was stored, refused or went away: forget its failures.
    func settled(_ name: String) { lock.withLock { _ = entries.removeValue(forKey: name) } }

    var count: Int { lock.withLock { entries.count } }
}

