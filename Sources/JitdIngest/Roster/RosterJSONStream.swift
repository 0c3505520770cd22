import JitdCore

/// A JSON roster, `{"shifts": [{…}, …]}`, read in chunks of any size: each entry of `"shifts"`
/// is parsed, checked and handed to `accept` as soon as its last byte has arrived, then dropped,
/// so a file of a million shifts is never held whole (a document tree takes about twelve times
/// the file's size). Once any error has been reported, entries are still checked but no longer
/// handed out (the file will be refused).
///
/// Each value is parsed by the same scanner as whole documents, from the bytes held since the
/// value began; a value cut off by the end of a chunk is parsed again once more bytes arrive.
/// A syntax error, bytes that are not UTF-8 or a single value over ``maxValueBytes`` stop the
/// read with its error; problems inside entries are reported and the read goes on.
///
/// Invariant: the entries and problems are the same however the input is cut into chunks.
public struct RosterJSONStream: ByteStreamParser {
    /// The most bytes one value (an entry of `"shifts"`, or another member of the top object) may
    /// take: a shift is a small object, and a value is parsed whole.
    public static let maxValueBytes = 1 << 20

    private let context: RosterContext
    /// Bytes not yet consumed, from `position` on; `line` and `lineStart` (an index into
    /// `pending`, possibly negative) describe `position`.
    private var pending: [UInt8] = []
    private var position = 0, line = 1, lineStart = 0
    private var state = State.start
    private var finished = false
    private var sawContent = false, sawShifts = false, bomChecked = false
    private var bytesSeen = 0
    private var topLine = 1
    private var overlaps = ShiftOverlaps()
    private var memo = LocalTimeMemo()
    private(set) public var count = 0
    /// Whether a structural problem stopped the read; later bytes are ignored.
    public private(set) var stopped = false

    enum State: Sendable {
        case start, key(first: Bool), colon(isShifts: Bool), memberValue, shiftsOpen, entry(first: Bool), afterEntry, afterMember, trailing, done
    }

    public init(context: RosterContext) {
        self.context = context
    }

    /// Reads `bytes`; calls `accept` with every valid entry. Rethrows what `accept` throws.
    public mutating func feed(_ bytes: UnsafeBufferPointer<UInt8>, sink: inout DiagnosticSink,
                              _ accept: (RosterEntry) throws -> Void) throws {
        guard !stopped else { return }
        bytesSeen += bytes.count
        pending.append(contentsOf: bytes)
        try advance(&sink, accept)
        compact()
    }

    /// Ends the file: what is left, the empty-file and overlap checks.
    public mutating func finish(sink: inout DiagnosticSink, _ accept: (RosterEntry) throws -> Void) throws {
        finished = true
        if !stopped { try advance(&sink, accept) }
        if !stopped && !sawContent {
            sink.error("\(bytesSeen == 0 ? "the file is empty" : "the file holds only blank lines"); " + Self.shape, line: 1)
        } else if !stopped, case .trailing = state {
            _ = notARoster(line: topLine, &sink)
        }
        overlaps.report(zones: context.zones, sink: &sink)
    }

    static let shape = #"a JSON roster is {"shifts": [{"staff_id": …, "role": …, "unit": …, "start": …, "end": …}]}"#

    // MARK: The top object, one step at a time

    private mutating func advance(_ sink: inout DiagnosticSink, _ accept: (RosterEntry) throws -> Void) throws {
        while !stopped, let step = nextStep(&sink) {
            switch step {
            case .entry(let item): try take(item, &sink, accept)
            case .moved: continue
            }
        }
    }

    enum Step { case moved, entry(LocatedJSON) }

    /// Takes one step through the document if its bytes have arrived; nil when more are needed
    /// (or the read stopped).
    private mutating func nextStep(_ sink: inout DiagnosticSink) -> Step? {
        switch state {
        case .start:
            if !bomChecked {
                // Only the file's first bytes may be a byte order mark (consumed bytes are
                // dropped from `pending`, so position 0 is not always the file's start).
                if !finished, pending.count < 3, [0xEF, 0xBB, 0xBF].starts(with: pending) { return nil }
                if pending.starts(with: [0xEF, 0xBB, 0xBF]) { position = 3 }
                bomChecked = true
            }
            guard let c = peek(&sink) else { return nil }
            sawContent = true
            topLine = line
            guard c == UInt8(ascii: "{") else { return notARoster(line: line, &sink) }
            position += 1
            return goto(.key(first: true))
        case .key(let first):
            guard let c = peek(&sink) else { return nil }
            if first && c == UInt8(ascii: "}") { position += 1; return goto(.trailing) }
            guard c == UInt8(ascii: "\"") else { return syntax("expected a quoted key", &sink) }
            return parse(&sink) { s throws(LocatedJSON.SyntaxError) in try s.string() }.map { key in
                goto(.colon(isShifts: key == "shifts" && !sawShifts))
            }
        case .colon(let isShifts):
            guard let c = peek(&sink) else { return nil }
            guard c == UInt8(ascii: ":") else { return syntax("expected ':'", &sink) }
            position += 1
            return goto(isShifts ? .shiftsOpen : .memberValue)
        case .memberValue:
            return parse(&sink) { s throws(LocatedJSON.SyntaxError) in try s.value(depth: 1) }.map { _ in goto(.afterMember) }
        case .shiftsOpen:
            guard let c = peek(&sink) else { return nil }
            sawShifts = true
            guard c == UInt8(ascii: "[") else { return notARoster(line: topLine, &sink) }
            position += 1
            return goto(.entry(first: true))
        case .entry(let first):
            guard let c = peek(&sink) else { return nil }
            if first && c == UInt8(ascii: "]") { position += 1; return goto(.afterMember) }
            return parse(&sink) { s throws(LocatedJSON.SyntaxError) in try s.value(depth: 2) }.map { item in
                state = .afterEntry
                return .entry(item)
            }
        case .afterEntry:
            return separator(next: .entry(first: false), close: "]", then: .afterMember, &sink)
        case .afterMember:
            return separator(next: .key(first: false), close: "}", then: sawShifts ? .done : .trailing, &sink)
        case .trailing, .done:
            guard peek(&sink) != nil else { return nil }
            return syntax("unexpected text after the JSON value", &sink)
        }
    }

    private mutating func goto(_ s: State) -> Step {
        state = s
        return .moved
    }

    /// After an entry or a member: a comma goes on to `next`, `close` ends the array or object.
    private mutating func separator(next: State, close: Character, then: State, _ sink: inout DiagnosticSink) -> Step? {
        guard let c = peek(&sink) else { return nil }
        if c == UInt8(ascii: ",") { position += 1; return goto(next) }
        if c == close.asciiValue { position += 1; return goto(then) }
        return syntax("expected ',' or '\(close)'", &sink)
    }

    private mutating func notARoster(line: Int, _ sink: inout DiagnosticSink) -> Step? {
        stop("a JSON roster is an object with a \"shifts\" array: " + Self.shape, line: line, &sink)
    }

    // MARK: Bytes

    /// Skips white space; the next byte, or nil if it has not arrived (or the file ended, which
    /// is then reported where the document is unfinished).
    private mutating func peek(_ sink: inout DiagnosticSink) -> UInt8? {
        var s = scanner()
        s.skipSpace()
        commit(s)
        guard position < pending.count else {
            if finished, sawContent, let message = Self.endOfFile(state) { _ = syntax(message, &sink) }
            return nil
        }
        return pending[position]
    }

    /// What the document scanner says when a whole document ends in `state`; nil if it may end there.
    private static func endOfFile(_ s: State) -> String? {
        switch s {
        case .trailing, .done: nil
        case .key: "expected a quoted key"
        case .colon: "expected ':'"
        case .afterEntry: "unexpected end of file in an array"
        case .afterMember: "unexpected end of file in an object"
        default: "unexpected end of file"
        }
    }

    /// Parses one value (or key) with the document scanner from `position`. Nil while its bytes
    /// may not all have arrived, or once it failed (reported; the read stops).
    private mutating func parse<T>(_ sink: inout DiagnosticSink,
                                   _ body: (inout JSONScanner) throws(LocatedJSON.SyntaxError) -> T) -> T? {
        var s = scanner()
        do {
            let value = try body(&s)
            if s.i - position > Self.maxValueBytes { return tooLong(&sink) }
            // A value that ends where the bytes end may go on (a number) once more arrive.
            guard finished || s.i < pending.count else { return waitOrTooLong(&sink) }
            if let bad = Self.firstNonUTF8(pending[position..<s.i]) {
                var at = scanner()
                advanceLines(&at, to: bad)
                return stop("the file is not UTF-8 text; export it as UTF-8", line: at.line, column: bad - at.lineStart + 1, &sink)
            }
            commit(s)
            return value
        } catch {
            // The scanner looks at most a few bytes past where it fails; a failure near the end
            // of what has arrived may be a value cut off by the chunk.
            guard finished || s.i + 16 < pending.count else { return waitOrTooLong(&sink) }
            sink.error("JSON syntax: \(error.message)", line: error.line, column: error.column)
            stopped = true
            return nil
        }
    }

    /// Nil while waiting for more bytes, unless the value waited for is already too long.
    private mutating func waitOrTooLong<T>(_ sink: inout DiagnosticSink) -> T? {
        pending.count - position > Self.maxValueBytes ? tooLong(&sink) : nil
    }

    private mutating func tooLong<T>(_ sink: inout DiagnosticSink) -> T? {
        let what = if case .entry = state { "an entry of \"shifts\"" } else { "a value" }
        return stop("\(what) starting here is longer than \(Self.maxValueBytes >> 20) MiB; a shift is a small object "
                    + "(staff_id, role, unit, start, end, kind, name)", line: line, &sink)
    }

    private mutating func syntax(_ message: String, _ sink: inout DiagnosticSink) -> Step? {
        stop("JSON syntax: " + message, line: line, column: position - lineStart + 1, &sink)
    }

    private mutating func stop<T>(_ message: String, line: Int, column: Int? = nil, _ sink: inout DiagnosticSink) -> T? {
        sink.error(message, line: line, column: column)
        stopped = true
        return nil
    }

    private func scanner() -> JSONScanner {
        var s = JSONScanner(bytes: pending)
        s.i = position
        s.line = line
        s.lineStart = lineStart
        return s
    }

    private mutating func commit(_ s: JSONScanner) {
        position = s.i
        line = s.line
        lineStart = s.lineStart
    }

    /// Moves a scanner's line count from its position to `end` (the scanner counts lines only
    /// in white space, and strings hold none).
    private func advanceLines(_ s: inout JSONScanner, to end: Int) {
        for k in position..<end where pending[k] == 0x0A {
            s.line += 1
            s.lineStart = k + 1
        }
    }

    /// Drops consumed bytes once they are the larger part of the buffer.
    private mutating func compact() {
        guard position > 0, position >= pending.count / 2 else { return }
        pending.removeFirst(position)
        lineStart -= position
        position = 0
    }

    /// The index of the first byte that does not start or continue valid UTF-8, if any.
    static func firstNonUTF8(_ bytes: ArraySlice<UInt8>) -> Int? {
        guard !bytes.allSatisfy({ $0 < 0x80 }) else { return nil }
        var iterator = bytes.makeIterator()
        var parser = Unicode.UTF8.ForwardParser()
        var at = bytes.startIndex
        while true {
            switch parser.parseScalar(from: &iterator) {
            case .valid(let scalar): at += scalar.count
            case .error: return at
            case .emptyInput: return nil
            }
        }
    }

    // MARK: Entries

    private mutating func take(_ item: LocatedJSON, _ sink: inout DiagnosticSink, _ accept: (RosterEntry) throws -> Void) throws {
        guard let entry = RosterJSONParser.entry(item, context, &memo, &sink) else { return }
        overlaps.add(entry)
        count += 1
        if !sink.hasErrors { try accept(entry) }
    }
}
