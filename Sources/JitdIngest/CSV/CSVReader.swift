/// A whole CSV text read at once: a thin wrapper over ``CSVRecordParser`` for small inputs
/// (completions, tests, `validate`), so there is one parser however a file arrives.
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
        /// A field that is not UTF-8 (a Latin-1 export, a binary file).
        case notUTF8(line: Int, column: Int)
        /// A record (a row, with any quoted line breaks) longer than ``CSVRecordParser/maxRecordBytes``.
        case recordTooLong(line: Int)
    }

    private let bytes: [UInt8]
    private let given: UInt8?

    public init(text: String, delimiter: UInt8? = nil) {
        self.bytes = Array(text.utf8)
        self.given = delimiter
    }

    public init(bytes: [UInt8], delimiter: UInt8? = nil) {
        self.bytes = bytes
        self.given = delimiter
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
        var parser = CSVRecordParser(delimiter: given)
        do {
            try bytes.withUnsafeBufferPointer { try parser.feed($0) { out.append($0) } }
            try parser.finish { out.append($0) }
        } catch let problem as Problem {
            throw problem
        } catch {
            fatalError("only the parser throws here: \(error)")
        }
        return out
    }
}
