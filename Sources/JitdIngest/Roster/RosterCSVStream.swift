import JitdCore

/// A CSV roster read in chunks of any size: records are parsed, checked and handed to `accept`
/// one at a time, so a file of a million rows is never held whole. Once any error has been
/// reported, entries are still checked but no longer handed out (the file will be refused).
///
/// The first non-blank record is the header; a file with none is reported as empty. A broken
/// file (an unclosed quote, bytes that are not UTF-8) stops the read with its error; every other
/// problem is reported and the read goes on, so that all of a file's problems are reported at once.
public struct RosterCSVStream: ByteStreamParser {
    private var parser = CSVRecordParser()
    private var rows: RosterCSVRows
    private var bytesSeen = 0
    /// Whether a structural problem stopped the read; later bytes are ignored.
    public private(set) var stopped = false

    public init(context: RosterContext) {
        rows = RosterCSVRows(context: context)
    }

    /// Entries read without error so far.
    public var count: Int { rows.count }

    /// Reads `bytes`; calls `accept` with every valid entry. Rethrows what `accept` throws.
    public mutating func feed(_ bytes: UnsafeBufferPointer<UInt8>, sink: inout DiagnosticSink,
                              _ accept: (RosterEntry) throws -> Void) throws {
        guard !stopped else { return }
        bytesSeen += bytes.count
        do {
            try parser.feed(bytes) { try rows.record($0, &sink, accept) }
        } catch let problem as CSVReader.Problem {
            stop(problem, &sink)
        }
    }

    /// Ends the file: its last record, the empty-file and overlap checks.
    public mutating func finish(sink: inout DiagnosticSink, _ accept: (RosterEntry) throws -> Void) throws {
        if !stopped {
            do {
                try parser.finish { try rows.record($0, &sink, accept) }
            } catch let problem as CSVReader.Problem {
                stop(problem, &sink)
            }
        }
        rows.finish(emptyFile: bytesSeen == 0, stopped: stopped, &sink)
    }

    private mutating func stop(_ problem: CSVReader.Problem, _ sink: inout DiagnosticSink) {
        stopped = true
        problem.report(&sink)
    }
}

extension CSVReader.Problem {
    /// The problem as the line of a report, with what to do about it.
    func report(_ sink: inout DiagnosticSink) {
        switch self {
        case .unterminatedQuote(let line):
            sink.error("a quoted field opened here never closes; add the closing \"", line: line)
        case .textAfterQuote(let line, let column):
            sink.error("text after a closing quote; quote the whole field and double any \" inside it", line: line, column: column)
        case .notUTF8(let line, let column):
            sink.error("the file is not UTF-8 text; export it as UTF-8 (CSV UTF-8 in spreadsheet programs)", line: line, column: column)
        case .recordTooLong(let line):
            sink.error("this row is longer than 1 MiB; no roster or completions row is that long: check that the file is the export you meant",
                       line: line)
        }
    }
}

/// The records of a CSV roster after the parser: the header, then one entry a row, and the
/// checks across rows (overlapping shifts of one person).
struct RosterCSVRows: Sendable {
    let context: RosterContext
    private var header: CSVHeader?
    /// The header's columns, when it is usable.
    private var columns: RosterCSVParser.Columns?
    private var width = 0, headerLine = 1
    private var overlaps = ShiftOverlaps()
    private var memo = LocalTimeMemo()
    private(set) var count = 0

    init(context: RosterContext) {
        self.context = context
    }

    mutating func record(_ r: CSVReader.Record, _ sink: inout DiagnosticSink, _ accept: (RosterEntry) throws -> Void) throws {
        guard let header else {
            if r.fields.allSatisfy({ $0.allSatisfy { $0.isWhitespace || $0 == "\u{FEFF}" } }) { return }
            let h = CSVHeader(r.fields, aliases: RosterCSVParser.aliases)
            self.header = h
            width = r.fields.count
            headerLine = r.line
            if RosterCSVParser.checkHeader(h, line: r.line, &sink) { columns = RosterCSVParser.Columns(h) }
            return
        }
        guard let columns, let entry = RosterCSVParser.entry(r, columns, width, context, &memo, &sink) else { return }
        overlaps.add(entry)
        count += 1
        if !sink.hasErrors { try accept(entry) }
    }

    func finish(emptyFile: Bool, stopped: Bool, _ sink: inout DiagnosticSink) {
        if header == nil && !stopped {
            let what = emptyFile ? "the file is empty" : "the file holds only blank lines"
            sink.error("\(what); a roster needs a header row (staff_id,role,unit,start,end) and one row per shift", line: 1)
        }
        overlaps.report(zones: context.zones, sink: &sink)
        if header != nil, count == 0, !sink.hasErrors { sink.warning("the roster has a header but no rows", line: headerLine) }
    }
}
