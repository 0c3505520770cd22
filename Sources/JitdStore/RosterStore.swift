import Foundation
import GRDB
import JitdCore

/// What applying a roster file did.
public enum RosterOutcome: Sendable, Equatable {
    /// Applied: shifts and busy blocks inserted, older entries of the same unit-days removed.
    case accepted(shifts: Int, busy: Int, replaced: Int, units: [String])
    /// The same bytes were applied before; nothing changed.
    case duplicate
}

extension Store {
    /// Applies a roster file whole, in one transaction, by the replacement rule (docs/configuration.md): for each unit
    /// it names, every entry of that unit starting on a local day the file has an entry for is replaced.
    ///
    /// `events` are queued in the same transaction (e.g. `roster.accepted`), one per listed endpoint.
    public func applyRoster(file: String, sha256: String, entries: [Shift], zones: @escaping @Sendable (String) -> Zone,
                            now: Instant, events: @Sendable (RosterOutcome) -> [(WebhookEvent, [String])]) throws -> RosterOutcome {
        let outcome = try applyRoster(file: file, zones: zones, now: now, fill: { writer in
            for s in entries { try writer.insert(s) }
            return sha256
        }, events: events)
        return outcome!
    }

    /// Applies a roster file as it is read: `fill` hands every entry to the writer and returns the
    /// file's sha256 once it has read it all, or `nil` to discard it (a file with errors). All in one
    /// transaction, so a discarded or failed file leaves no trace; same bytes applied before are a
    /// `.duplicate` (recorded as such) and change nothing. Returns `nil` when discarded.
    public func applyRoster(file: String, zones: @escaping (String) -> Zone, now: Instant,
                            fill: (RosterWriter) throws -> String?,
                            events: (RosterOutcome) -> [(WebhookEvent, [String])]) throws -> RosterOutcome? {
        enum Abandon: Error { case discard, duplicate(sha256: String) }
        do {
            return try pool.write { db in try Self.withFileCache(db) {
                try db.execute(sql: "INSERT INTO inbox_file (name, sha256, kind, outcome, received_at, summary) VALUES (?, '', 'roster', 'accepted', ?, '{}')",
                               arguments: [file, now.seconds])
                let fileID = db.lastInsertedRowID
                let writer = try RosterWriter(db: db, fileID: fileID, zones: zones)
                guard let sha256 = try fill(writer) else { throw Abandon.discard }
                // Looked at before `finish` hands the file's unit-days over: ownership is still the old one.
                if try Self.rosterInForce(db, sha256: sha256) {
                    throw Abandon.duplicate(sha256: sha256)
                }
                let replaced = try writer.finish()
                let outcome = RosterOutcome.accepted(shifts: writer.shifts, busy: writer.busy, replaced: replaced, units: writer.units)
                let summary = String(decoding: JSONValue.object(["shifts": .int(writer.shifts), "busy": .int(writer.busy),
                                                                 "replaced": .int(replaced)]).encoded(), as: UTF8.self)
                try db.execute(sql: "UPDATE inbox_file SET sha256 = ?, summary = ?, days = ? WHERE id = ?",
                               arguments: [sha256, summary, writer.dayCount, fileID])
                for (event, endpoints) in events(outcome) { try Self.enqueue(db, event, endpoints: endpoints, runAt: now) }
                return outcome
            } }
        } catch Abandon.discard {
            return nil
        } catch Abandon.duplicate(let sha256) {
            try recordDuplicate(file: file, sha256: sha256, kind: .roster, now: now)
            return .duplicate
        }
    }

    /// A big file touches many index pages; SQLite's default 2 MiB page cache would re-read them
    /// from the OS every few rows (a million completions: 26 s instead of a few). 64 MiB for the
    /// transaction that applies a file, then back to the default.
    static func withFileCache<T>(_ db: Database, _ body: () throws -> T) throws -> T {
        let previous = try Int.fetchOne(db, sql: "PRAGMA cache_size") ?? -2000
        try db.execute(sql: "PRAGMA cache_size = -65536")
        defer { try? db.execute(sql: "PRAGMA cache_size = \(previous)") }
        return try body()
    }

    /// Whether a roster with these bytes is the one in force for every unit-day it names: then
    /// applying it again changes nothing (a duplicate). A roster applied before but since
    /// replaced, even on one of its days, is not: dropping it again puts it back in force (a
    /// scheduler undoing a correction).
    public func rosterInForce(sha256: String) throws -> Bool {
        try pool.read { db in try Self.rosterInForce(db, sha256: sha256) }
    }

    /// The latest accepted roster of these bytes still owns every unit-day it took over. Files
    /// applied before their days were counted (`days` NULL) count as in force while they own any.
    static func rosterInForce(_ db: Database, sha256: String) throws -> Bool {
        guard let row = try Row.fetchOne(db, sql: """
            SELECT id, days FROM inbox_file WHERE sha256 = ? AND outcome = 'accepted' AND kind = 'roster' ORDER BY id DESC LIMIT 1
            """, arguments: [sha256]) else { return false }
        let id: Int64 = row["id"]
        let owned = try Int.fetchOne(db, sql: "SELECT count(*) FROM roster_day WHERE file_id = ?", arguments: [id]) ?? 0
        if let days: Int = row["days"] { return owned == days }
        return owned > 0
    }

    /// Whether a file with these bytes was applied before (completions: adding the same rows
    /// again changes nothing, whatever came since).
    static func wasAccepted(_ db: Database, sha256: String) throws -> Bool {
        try Bool.fetchOne(db, sql: "SELECT 1 FROM inbox_file WHERE sha256 = ? AND outcome = 'accepted'", arguments: [sha256]) == true
    }

    /// Records a file with the same bytes as one applied before; nothing else changes.
    public func recordDuplicate(file: String, sha256: String, kind: InboxFileKind, now: Instant) throws {
        try pool.write { db in
            try db.execute(sql: "INSERT INTO inbox_file (name, sha256, kind, outcome, received_at, summary) VALUES (?, ?, ?, 'duplicate', ?, '{}')",
                           arguments: [file, sha256, kind.rawValue, now.seconds])
        }
    }

    /// Records a refused file and queues its `roster.rejected` events; nothing else changes.
    public func recordRejected(file: String, sha256: String, kind: InboxFileKind, errors: [String], now: Instant,
                               events: [(WebhookEvent, [String])]) throws {
        try pool.write { db in
            let summary = String(decoding: JSONValue.object(["errors": .array(errors.map(JSONValue.string))]).encoded(), as: UTF8.self)
            try db.execute(sql: "INSERT INTO inbox_file (name, sha256, kind, outcome, received_at, summary) VALUES (?, ?, ?, 'rejected', ?, ?)",
                           arguments: [file, sha256, kind.rawValue, now.seconds, summary])
            for (event, endpoints) in events { try Self.enqueue(db, event, endpoints: endpoints, runAt: now) }
        }
    }

    /// `YYYY-MM-DD` of `t` in `zone`, without Foundation's formatter (called once a stored shift).
    static func localDay(_ t: Instant, _ zone: Zone) -> String { localDay(zone.local(t)) }

    /// `YYYY-MM-DD` of a local date-time.
    static func localDay(_ l: LocalDateTime) -> String { TimeText.iso(year: l.year, month: l.month, day: l.day) }

    /// The shifts `s` that overlap the window given by two arguments, its start and its end: found
    /// by the unit-days whose entries reach into it (see ``Store/shiftByUnitDay``).
    static let shiftsOverlapping = """
        roster_day d JOIN shift s ON s.day_id = d.id
        WHERE d.last_end > ?1 AND d.first_start < ?2 AND s."end" > ?1 AND s.start < ?2
        """

    /// Shifts and busy blocks that overlap `window`.
    public func shifts(overlapping window: Interval) throws -> [Shift] {
        try pool.read { db in
            try Row.fetchAll(db, sql: """
                SELECT s.* FROM \(Self.shiftsOverlapping) ORDER BY s.unit, s.start, s.staff_id, s.kind
                """, arguments: [window.start.seconds, window.end.seconds]).map { row in
                Shift(staffID: row["staff_id"], role: row["role"], unit: row["unit"],
                      kind: ShiftKind(rawValue: row["kind"]) ?? .shift, interval: Interval(row: row), name: row["name"])
            }
        }
    }

    /// When each of `staff` first appeared on a roster.
    public func staffFirstSeen(of staff: Set<String>) throws -> [String: Instant] {
        try pool.read { db in
            var out: [String: Instant] = [:]
            for row in try Row.fetchAll(db, sql: "SELECT staff_id, first_seen FROM staff WHERE staff_id IN (SELECT value FROM json_each(?))",
                                        arguments: [Self.jsonArray(staff)]) {
                out[row["staff_id"]] = Instant(seconds: row["first_seen"])
            }
            return out
        }
    }

    /// A JSON array of strings, for `IN (SELECT value FROM json_each(?))`: one statement for any
    /// number of values.
    static func jsonArray(_ values: some Collection<String>) -> String {
        String(decoding: JSONValue.array(values.sorted().map(JSONValue.string)).encoded(), as: UTF8.self)
    }

    /// Adds completions (duplicates are ignored) in one transaction; returns how many were new.
    @discardableResult
    public func addCompletions(_ list: [Completion], source: String) throws -> Int {
        try pool.write { db in
            let st = try db.makeStatement(sql: "INSERT OR IGNORE INTO completion (staff_id, module_id, completed_at, source) VALUES (?, ?, ?, ?)")
            var added = 0
            for c in list {
                try st.execute(arguments: [c.staffID, c.moduleID, c.completedAt.seconds, source])
                added += db.changesCount
            }
            return added
        }
    }

    /// The latest completion of each module by each of `staff`: all the planner needs of the
    /// history, which an LMS may fill with millions of rows for people who left long ago. Read
    /// through the primary key, person by person, so a plan costs what the people on the roster
    /// need, not what the history holds.
    public func latestCompletions(of staff: Set<String>) throws -> [Completion] {
        try pool.read { db in
            try Row.fetchAll(db, sql: """
                SELECT staff_id, module_id, max(completed_at) AS completed_at FROM completion
                WHERE staff_id IN (SELECT value FROM json_each(?)) GROUP BY staff_id, module_id ORDER BY staff_id, module_id
                """, arguments: [Self.jsonArray(staff)]).map {
                Completion(staffID: $0["staff_id"], moduleID: $0["module_id"], completedAt: Instant(seconds: $0["completed_at"]))
            }
        }
    }

    /// Every completion, oldest first per person and module (exports and tests; the planner reads
    /// ``latestCompletions(of:)``).
    public func completions() throws -> [Completion] {
        try pool.read { db in
            try Row.fetchAll(db, sql: "SELECT * FROM completion ORDER BY staff_id, module_id, completed_at").map {
                Completion(staffID: $0["staff_id"], moduleID: $0["module_id"], completedAt: Instant(seconds: $0["completed_at"]))
            }
        }
    }
}

extension Store {
    /// Applies a completions file whole; `nil` when the same bytes were applied before.
    public func applyCompletionsFile(file: String, sha256: String, completions: [Completion], now: Instant,
                                     learningEvents: LearningEventRouter? = nil, everyCompletion: Bool = false) throws -> Int? {
        let outcome = try applyCompletions(file: file, now: now, fill: { writer in
            for c in completions { try writer.insert(c) }
            return sha256
        }, learningEvents: learningEvents, everyCompletion: everyCompletion)
        guard case .applied(_, let added, _)? = outcome else { return nil }
        return added
    }

    /// Applies a completions file as it is read, in one transaction: `fill` hands every
    /// completion to the writer and returns the file's sha256 once it has read it all, or `nil`
    /// to discard it (a file with errors). Same bytes applied before are a `.duplicate` (recorded
    /// as such) and change nothing. Returns `nil` when discarded.
    ///
    /// The live assignments the new completions settle are settled in the same transaction, by
    /// the API's rule (``settle(_:_:by:now:holdsUntil:cancelledEvents:_:)``): people are not
    /// paged for training the LMS says they have done. A completion that closes a session is
    /// queued as `learningEvents` routes it; with `everyCompletion` (some learning record store
    /// wants completions that close no session too), so is every new one.
    public func applyCompletions(file: String, now: Instant, fill: (CompletionWriter) throws -> String?,
                                 holdsUntil: @escaping (Completion) -> Instant? = { _ in nil },
                                 cancelledEvents: @escaping @Sendable (Assignment, String) -> [(WebhookEvent, [String])] = { _, _ in [] },
                                 learningEvents: LearningEventRouter? = nil, everyCompletion: Bool = false)
        throws -> CompletionsOutcome? {
        enum Abandon: Error { case discard, duplicate(sha256: String) }
        do {
            return try pool.write { db in try Self.withFileCache(db) {
                let source = "file:" + file
                let writer = try CompletionWriter(db: db, source: source, now: now, learningEvents: everyCompletion ? learningEvents : nil)
                guard let sha256 = try fill(writer) else { throw Abandon.discard }
                if try Self.wasAccepted(db, sha256: sha256) {
                    throw Abandon.duplicate(sha256: sha256)
                }
                let settled = try Self.settleLive(db, bySource: source, now: now, holdsUntil: holdsUntil, cancelledEvents: cancelledEvents,
                                                  learningEvents: learningEvents)
                let summary = String(decoding: JSONValue.object([
                    "completions": .int(writer.count), "new": .int(writer.added),
                    "assignments_completed": .int(settled.assignmentsCompleted), "assignments_cancelled": .int(settled.assignmentsCancelled),
                ]).encoded(), as: UTF8.self)
                try db.execute(sql: "INSERT INTO inbox_file (name, sha256, kind, outcome, received_at, summary) VALUES (?, ?, 'completions', 'accepted', ?, ?)",
                               arguments: [file, sha256, now.seconds, summary])
                return .applied(completions: writer.count, new: writer.added, settled: settled)
            } }
        } catch Abandon.discard {
            return nil
        } catch Abandon.duplicate(let sha256) {
            try recordDuplicate(file: file, sha256: sha256, kind: .completions, now: now)
            return .duplicate
        }
    }
}

/// What became of a completions file.
public enum CompletionsOutcome: Equatable, Sendable {
    /// Stored: how many rows it held, how many were new, and what they did to live assignments.
    case applied(completions: Int, new: Int, settled: CompletionsApplied)
    /// The same bytes as a file applied before: nothing changed.
    case duplicate
}

/// Routes a learning event to the learning record stores that want it: the outbox messages
/// (statements) to queue, each with its endpoints.
public typealias LearningEventRouter = @Sendable (LearningEvent) -> [(WebhookEvent, [String])]

/// Stores the completions of one file inside the transaction that applies it.
public final class CompletionWriter {
    private let db: Database
    private let statement: Statement
    private let source: String
    private let now: Instant
    private let learningEvents: LearningEventRouter?
    public private(set) var count = 0, added = 0

    init(db: Database, source: String, now: Instant = Instant(seconds: 0), learningEvents: LearningEventRouter? = nil) throws {
        self.db = db
        self.source = source
        self.now = now
        self.learningEvents = learningEvents
        statement = try db.makeStatement(sql: "INSERT OR IGNORE INTO completion (staff_id, module_id, completed_at, source) VALUES (?, ?, ?, ?)")
    }

    public func insert(_ c: Completion) throws {
        try statement.execute(arguments: [c.staffID, c.moduleID, c.completedAt.seconds, source])
        count += 1
        let new = db.changesCount
        added += new
        if new > 0, let learningEvents {
            for (event, endpoints) in learningEvents(.completed(c)) { try Store.enqueue(db, event, endpoints: endpoints, runAt: now) }
        }
    }
}
