/// The one RFC 4180 parser: fed bytes in chunks of any size (a whole file or 1 MiB reads), it
/// hands out each record as soon as its last byte has arrived, so a file is never held whole.
///
/// Tolerates what schedulers' exports hold: a UTF-8 BOM, LF or CRLF line ends, comma, semicolon or
/// tab detected from the header line, quoted fields with embedded delimiters, doubled quotes and
/// newlines. Every field must be UTF-8; the first that is not stops the parse.
///
/// A record longer than ``maxRecordBytes`` stops the parse: no roster or completions row is that
/// long, and holding one (a binary file renamed `.csv`, a cell with a pasted document) would cost
/// memory without end.
///
/// Invariant: the records, lines and problems are the same however the input is cut into chunks.
public struct CSVRecordParser: Sendable {
    /// The longest record read, in bytes: 1 MiB.
    public static let maxRecordBytes = 1 << 20
    /// `nil` until the header line has been seen (or given).
    public private(set) var delimiter: UInt8?
    /// Whether the first line has been seen whole (and a BOM stripped).
    private var headDone = false
    /// Bytes held back until the first line is complete, to detect the delimiter and strip a BOM;
    /// how far they have been looked at, and whether that point is inside quotes.
    private var head: [UInt8] = []
    private var headScanned = 0, headQuoted = false
    private var state = State.fieldStart
    /// The current field when it spans chunks (or holds doubled quotes); empty otherwise.
    private var field: [UInt8] = []
    private var fields: [String] = []
    /// Bytes of the current record's finished fields.
    private var recordBytes = 0
    private var line = 1, recordLine = 1, quoteLine = 1
    /// Skip an LF that follows a CR ending the previous chunk.
    private var skipLF = false

    enum State: Sendable { case fieldStart, unquoted, quoted, quoteInQuoted, afterQuote }

    static let quote = UInt8(ascii: "\""), cr: UInt8 = 13, lf: UInt8 = 10

    public init(delimiter: UInt8? = nil) {
        self.delimiter = delimiter
    }

    /// Parses `bytes`, calling `emit` with every record that ends inside them.
    public mutating func feed(_ bytes: UnsafeBufferPointer<UInt8>, _ emit: (CSVReader.Record) throws -> Void) throws {
        guard headDone, let delimiter else {
            head.append(contentsOf: bytes)
            if firstLineEnded() { try flushHead(emit) } else if head.count > Self.maxRecordBytes {
                throw CSVReader.Problem.recordTooLong(line: 1)
            }
            return
        }
        try scan(bytes, delimiter, emit)
    }

    /// Ends the input: emits the last record (one without a final line break) or throws when a
    /// quoted field never closed.
    public mutating func finish(_ emit: (CSVReader.Record) throws -> Void) throws {
        if !headDone { try flushHead(emit) }
        switch state {
        case .quoted: throw CSVReader.Problem.unterminatedQuote(line: quoteLine)
        case .fieldStart where fields.isEmpty: return
        default: try endRecord(emit)
        }
    }

    /// Whether the first line (outside quotes) has ended within `head`; looks at each byte once.
    private mutating func firstLineEnded() -> Bool {
        while headScanned < head.count {
            let c = head[headScanned]
            headScanned += 1
            if c == Self.quote { headQuoted.toggle() } else if !headQuoted && (c == Self.cr || c == Self.lf) { return true }
        }
        return false
    }

    private mutating func flushHead(_ emit: (CSVReader.Record) throws -> Void) throws {
        var b = head
        head = []
        if b.starts(with: [0xEF, 0xBB, 0xBF]) { b.removeFirst(3) }
        let d = delimiter ?? CSVReader.detectDelimiter(b)
        delimiter = d
        headDone = true
        try b.withUnsafeBufferPointer { try scan($0, d, emit) }
    }

    /// The state machine over one chunk. Runs of plain bytes are copied (or decoded) at once.
    private mutating func scan(_ b: UnsafeBufferPointer<UInt8>, _ d: UInt8, _ emit: (CSVReader.Record) throws -> Void) throws {
        var i = 0
        if skipLF, !b.isEmpty {
            skipLF = false
            if b[0] == Self.lf { i = 1 }
        }
        var runStart = i // first byte of the current field's run inside this chunk
        while i < b.count {
            let c = b[i]
            switch state {
            case .fieldStart:
                if c == Self.quote {
                    state = .quoted; quoteLine = line; i += 1; runStart = i
                    continue
                }
                state = .unquoted; runStart = i
                continue
            case .unquoted:
                while i < b.count, b[i] != d, b[i] != Self.cr, b[i] != Self.lf { i += 1 }
                guard i < b.count else { break }
                try endField(b, runStart, i)
                try afterField(b, &i, d, emit)
                runStart = i
            case .quoted:
                while i < b.count, b[i] != Self.quote {
                    if b[i] == Self.lf { line += 1 }
                    i += 1
                }
                guard i < b.count else { break }
                field.append(contentsOf: UnsafeBufferPointer(rebasing: b[runStart..<i]))
                state = .quoteInQuoted; i += 1; runStart = i
            case .quoteInQuoted:
                if c == Self.quote { field.append(Self.quote); state = .quoted; i += 1; runStart = i; continue }
                state = .afterQuote
            case .afterQuote:
                guard c == d || c == Self.cr || c == Self.lf else {
                    throw CSVReader.Problem.textAfterQuote(line: line, column: fields.count + 1)
                }
                try endField(b, i, i)
                try afterField(b, &i, d, emit)
                runStart = i
            }
        }
        switch state {
        case .unquoted, .quoted: field.append(contentsOf: UnsafeBufferPointer(rebasing: b[runStart..<b.count]))
        default: break
        }
        if recordBytes + field.count > Self.maxRecordBytes { throw CSVReader.Problem.recordTooLong(line: recordLine) }
    }

    /// At a delimiter or line end `b[i]`: moves past it, ending the record at a line end.
    private mutating func afterField(_ b: UnsafeBufferPointer<UInt8>, _ i: inout Int, _ d: UInt8,
                                     _ emit: (CSVReader.Record) throws -> Void) throws {
        let c = b[i]
        i += 1
        state = .fieldStart
        guard c != d else { return }
        try endRecord(emit, fieldEnded: true)
        if c == Self.cr {
            if i < b.count { if b[i] == Self.lf { i += 1 } } else { skipLF = true }
        }
        line += 1
        recordLine = line
    }

    /// Ends the field made of the carried bytes plus `b[from..<to]`.
    private mutating func endField(_ b: UnsafeBufferPointer<UInt8>, _ from: Int, _ to: Int) throws {
        let run = UnsafeBufferPointer(rebasing: b[from..<to])
        let text: String?
        if field.isEmpty {
            text = Self.utf8(run)
        } else {
            field.append(contentsOf: run)
            text = field.withUnsafeBufferPointer(Self.utf8)
        }
        guard let text else { throw CSVReader.Problem.notUTF8(line: line, column: fields.count + 1) }
        recordBytes += text.utf8.count
        if recordBytes > Self.maxRecordBytes { throw CSVReader.Problem.recordTooLong(line: recordLine) }
        fields.append(text)
        field.removeAll(keepingCapacity: true)
    }

    /// The field as a string, `nil` when it is not UTF-8. ASCII (nearly every field) is decoded
    /// without the generic validating initialiser, which is not specialised across modules.
    static func utf8(_ b: UnsafeBufferPointer<UInt8>) -> String? {
        var ascii = true
        for c in b where c >= 0x80 { ascii = false; break }
        return ascii ? String(decoding: b, as: UTF8.self) : String(validating: b, as: UTF8.self)
    }

    /// Ends the record (a blank line is no record). `fieldEnded` when the last field is already in `fields`.
    private mutating func endRecord(_ emit: (CSVReader.Record) throws -> Void, fieldEnded: Bool = false) throws {
        if !fieldEnded {
            guard let text = field.withUnsafeBufferPointer(Self.utf8) else {
                throw CSVReader.Problem.notUTF8(line: line, column: fields.count + 1)
            }
            fields.append(text)
            field = []
        }
        defer { fields.removeAll(keepingCapacity: true); recordBytes = 0 }
        if fields.count == 1 && fields[0].isEmpty { return }
        try emit(CSVReader.Record(fields: fields, line: recordLine))
    }
}
