import JitdCore

/// A completions CSV (`staff_id,module_id,completed_at`, times in the site's zone, a bare date
/// meaning its midnight) read in chunks of any size by the one CSV parser: each row is checked
/// and handed to `accept` as it is read, so an LMS's whole history is never held at once. Once
/// any error has been reported, rows are still checked but no longer handed out.
public struct CompletionsCSVStream: ByteStreamParser {
    private var parser = CSVRecordParser()
    private var rows: CompletionsCSVRows
    /// Whether a structural problem stopped the read; later bytes are ignored.
    public private(set) var stopped = false

    public init(context: RosterContext) {
        rows = CompletionsCSVRows(zone: context.zones.site, latest: context.now.map(CompletionsCSVRows.latest(now:)))
    }

    public mutating func feed(_ bytes: UnsafeBufferPointer<UInt8>, sink: inout DiagnosticSink,
                              _ accept: (Completion) throws -> Void) throws {
        guard !stopped else { return }
        do {
            try parser.feed(bytes) { try rows.record($0, &sink, accept) }
        } catch let problem as CSVReader.Problem {
            stopped = true
            problem.report(&sink)
        }
    }

    public mutating func finish(sink: inout DiagnosticSink, _ accept: (Completion) throws -> Void) throws {
        if !stopped {
            do {
                try parser.finish { try rows.record($0, &sink, accept) }
            } catch let problem as CSVReader.Problem {
                stopped = true
                problem.report(&sink)
            }
        }
        if !rows.sawHeader && !stopped {
            sink.error("the file holds no header; completions need a header row staff_id,module_id,completed_at", line: 1)
        }
    }

}

/// The records of a completions CSV after the parser: the header, then one completion a row.
struct CompletionsCSVRows: Sendable {
    let zone: Zone
    /// Completions after this are refused; `nil`: no limit.
    let latest: Instant?
    private var header: CSVHeader?
    private var width = 0
    private var usable = false
    private var memo = LocalTimeMemo()

    init(zone: Zone, latest: Instant? = nil) {
        self.zone = zone
        self.latest = latest
    }

    /// The latest completion time taken when a file is read at `now`: a day later, for clocks
    /// and time zones that disagree.
    static func latest(now: Instant) -> Instant { now.adding(seconds: 86_400) }

    var sawHeader: Bool { header != nil }

    mutating func record(_ r: CSVReader.Record, _ sink: inout DiagnosticSink, _ accept: (Completion) throws -> Void) throws {
        guard let header else {
            if r.fields.allSatisfy({ $0.allSatisfy { $0.isWhitespace || $0 == "\u{FEFF}" } }) { return }
            let h = CSVHeader(r.fields, aliases: CompletionsCSVParser.aliases)
            let missing = ["staff_id", "module_id", "completed_at"].filter { !h.has($0) }
            for name in missing {
                sink.error("header has no \(Brief.quoted(name)) column; completions need staff_id,module_id,completed_at", line: r.line)
            }
            (self.header, width, usable) = (h, r.fields.count, missing.isEmpty)
            return
        }
        guard usable, let c = completion(r, header, &sink) else { return }
        if !sink.hasErrors { try accept(c) }
    }

    private mutating func completion(_ r: CSVReader.Record, _ h: CSVHeader, _ sink: inout DiagnosticSink) -> Completion? {
        guard r.fields.count == width else {
            sink.error("row has \(r.fields.count) fields but the header has \(width)", line: r.line)
            return nil
        }
        guard let staff = h.value("staff_id", in: r.fields), let module = h.value("module_id", in: r.fields),
              let at = h.value("completed_at", in: r.fields) else {
            sink.error("staff_id, module_id and completed_at must all be filled in", line: r.line)
            return nil
        }
        let column = h.index["completed_at"]! + 1
        let dateOnly = at.count == 10
        do {
            let t = try RosterTime.instant(dateOnly ? at + "T00:00" : at, zone: zone, memo: &memo)
            if let latest, t > latest {
                sink.error("'completed_at' \(Brief.quoted(at)) is more than a day in the future; a completion is recorded once it happened (check the year and the time zone)",
                           line: r.line, column: column)
                return nil
            }
            return Completion(staffID: staff, moduleID: module, completedAt: t)
        } catch {
            let message = dateOnly && RosterTime.parseDate(at) == nil
                ? "\(Brief.quoted(at)) is not a date; write e.g. 2026-11-24, or a date-time such as 2026-11-24T07:00" : error.message
            sink.error("'completed_at': \(message)", line: r.line, column: column)
            return nil
        }
    }
}
