/// RFC 4180 CSV with the tolerance schedulers' exports need: a UTF-8 BOM, LF or CRLF line ends,
/// comma, semicolon or tab detected from the header, quoted fields with embedded delimiters,
/// doubled quotes and newlines.
public struct CSVReader: Sendable {
    /// One row and the line it starts on (1-based).
    public struct Record: Sendable, Equatable {
        public var fields: [String]
        public var line: Int
    }

    public enum Problem: Error, Equatable {
        /// A quoted field never closes.
        case unterminatedQuote(line: Int)
        /// Text after a closing quote, e.g. `"a"b`.
        case textAfterQuote(line: Int, column: Int)
    }

    public let delimiter: UInt8
    private let bytes: [UInt8]

    public init(text: String, delimiter: UInt8? = nil) {
        var b = Array(text.utf8)
        if b.starts(with: [0xEF, 0xBB, 0xBF]) { b.removeFirst(3) }
        self.bytes = b
        self.delimiter = delimiter ?? Self.detectDelimiter(b)
    }

    /// The candidate that occurs most often (outside quotes) in the first line.
    static func detectDelimiter(_ b: [UInt8]) -> UInt8 {
        var counts: [UInt8: Int] = [UInt8(ascii: ","): 0, UInt8(ascii: ";"): 0, UInt8(ascii: "\t"): 0]
        var quoted = false
        for c in b {
            if c == UInt8(ascii: "\"") { quoted.toggle(); continue }
            if !quoted && (c == 10 || c == 13) { break }
            if !quoted, counts[c] != nil { counts[c]! += 1 }
        }
        let best = counts.max { ($0.value, $1.key) < ($1.value, $0.key) }!
        return best.value > 0 ? best.key : UInt8(ascii: ",")
    }

    public func records() throws(Problem) -> [Record] {
        var out: [Record] = []
        var fields: [String] = []
        var field: [UInt8] = []
        var line = 1, recordLine = 1, column = 1
        var i = 0
        let quote = UInt8(ascii: "\""), cr: UInt8 = 13, lf: UInt8 = 10
        func endField() { fields.append(String(decoding: field, as: UTF8.self)); field.removeAll(keepingCapacity: true) }
        func endRecord() {
            endField()
            if !(fields.count == 1 && fields[0].isEmpty) { out.append(Record(fields: fields, line: recordLine)) }
            fields.removeAll(keepingCapacity: true)
        }
        while i < bytes.count {
            let c = bytes[i]
            if c == quote && field.isEmpty {
                let startLine = line
                i += 1
                var closed = false
                while i < bytes.count {
                    let d = bytes[i]
                    if d == quote {
                        if i + 1 < bytes.count && bytes[i + 1] == quote { field.append(quote); i += 2; continue }
                        closed = true; i += 1; break
                    }
                    if d == lf { line += 1 }
                    field.append(d); i += 1
                }
                guard closed else { throw .unterminatedQuote(line: startLine) }
                if i < bytes.count, bytes[i] != delimiter, bytes[i] != cr, bytes[i] != lf {
                    throw .textAfterQuote(line: line, column: column)
                }
                if field.isEmpty { field = [] }
                continue
            }
            if c == delimiter { endField(); column += 1; i += 1; continue }
            if c == cr || c == lf {
                endRecord()
                if c == cr && i + 1 < bytes.count && bytes[i + 1] == lf { i += 1 }
                i += 1; line += 1; recordLine = line; column = 1
                continue
            }
            field.append(c); i += 1
        }
        if !field.isEmpty || !fields.isEmpty { endRecord() }
        return out
    }
}
