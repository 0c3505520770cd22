import JitdCore
/// One unfolded content line, `NAME;PARAM=VALUE:VALUE` (RFC 5545 §3.1).
///
/// Names are case-insensitive in iCalendar, so they are kept upper-cased; parameter values
/// and the property value keep their case because TZIDs, addresses and texts are case-sensitive.
struct ICalContentLine: Hashable, Sendable {
    /// The upper-cased property name, e.g. `DTSTART`.
    var name: String
    /// Parameter values by upper-cased parameter name, quotes removed and RFC 6868 `^` escapes decoded.
    var parameters: [String: [String]]
    /// The raw value, still TEXT-escaped: unescaping depends on the value type.
    var value: String
    /// The 1-based physical line where the (possibly folded) content line starts.
    var line: Int

    init(name: String, parameters: [String: [String]] = [:], value: String, line: Int) {
        self.name = name
        self.parameters = parameters
        self.value = value
        self.line = line
    }

    /// The first value of a parameter, if present.
    func parameter(_ name: String) -> String? { parameters[name]?.first }

    /// The value read as TEXT (RFC 5545 §3.3.11), trimmed of surrounding blanks.
    var text: String { ICalText.unescape(value).icalTrimmed }
}

/// Why a content line or a value cannot be read, phrased for the person fixing the file.
struct ICalValueError: Error, Hashable, Sendable {
    var message: String
    init(_ message: String) { self.message = message }
}

/// Turns the text of an `.ics` file into content lines: strips a BOM, unfolds, splits off parameters.
///
/// Works on UTF-8 bytes: every delimiter is ASCII, so byte scanning is exact and cheap, and values
/// are decoded only once they are cut out.
enum ICalContentLines {
    /// A logical line after unfolding, with the physical line it starts on.
    struct Unfolded: Hashable, Sendable {
        var bytes: [UInt8]
        var line: Int
    }

    /// Every content line of `text`; malformed ones are reported to `sink` and skipped.
    static func parse(_ text: String, sink: inout DiagnosticSink) -> [ICalContentLine] {
        unfold(text).compactMap { raw in
            do throws(ICalValueError) {
                return try parseLine(raw.bytes, line: raw.line)
            } catch {
                sink.error(error.message, line: raw.line)
                return nil
            }
        }
    }

    /// Joins folded lines: a CRLF or LF followed by one space or tab continues the previous line.
    static func unfold(_ text: String) -> [Unfolded] {
        var bytes = Array(text.utf8)
        if bytes.starts(with: [0xEF, 0xBB, 0xBF]) { bytes.removeFirst(3) }
        var result: [Unfolded] = []
        var lineNumber = 0
        for var physical in bytes.split(separator: 0x0A, omittingEmptySubsequences: false) {
            lineNumber += 1
            if physical.last == 0x0D { physical = physical.dropLast() }
            if let first = physical.first, first == 0x20 || first == 0x09, !result.isEmpty {
                result[result.count - 1].bytes += physical.dropFirst()
            } else if !physical.isEmpty {
                result.append(Unfolded(bytes: Array(physical), line: lineNumber))
            }
        }
        return result
    }

    /// Splits one unfolded line into name, parameters and value.
    static func parseLine(_ bytes: [UInt8], line: Int) throws(ICalValueError) -> ICalContentLine {
        var scanner = ByteScanner(bytes: bytes)
        let name = scanner.readName()
        guard !name.isEmpty else {
            throw ICalValueError("\(Brief.quoted(shorten(bytes))) is not a content line: expected NAME:VALUE, e.g. DTSTART:20260105T070000Z")
        }
        var parameters: [String: [String]] = [:]
        while scanner.peek == UInt8(ascii: ";") {
            scanner.advance()
            let (key, values) = try readParameter(&scanner, property: name)
            parameters[key, default: []] += values
        }
        guard scanner.peek == UInt8(ascii: ":") else {
            throw ICalValueError("\(name): expected ':' before the value (a content line is NAME;PARAM=VALUE:VALUE)")
        }
        scanner.advance()
        return ICalContentLine(name: name, parameters: parameters, value: scanner.rest, line: line)
    }

    /// Reads `NAME=VALUE[,VALUE…]` after a `;`; a quoted value may hold `;`, `:` and `,`.
    private static func readParameter(_ s: inout ByteScanner, property: String) throws(ICalValueError) -> (String, [String]) {
        let key = s.readName()
        guard !key.isEmpty, s.peek == UInt8(ascii: "=") else {
            throw ICalValueError("\(property): malformed parameter; write it as ;NAME=VALUE (quote values containing ':', ';' or ',')")
        }
        s.advance()
        var values: [String] = []
        repeat {
            if s.peek == UInt8(ascii: ",") { s.advance() }
            if s.peek == UInt8(ascii: "\"") {
                s.advance()
                guard let quoted = s.read(until: UInt8(ascii: "\"")) else {
                    throw ICalValueError("\(property): parameter \(key) has an opening '\"' but no closing one; close the quote")
                }
                s.advance()
                values.append(decodeCaret(quoted))
            } else {
                values.append(decodeCaret(s.readUnquotedParameterValue()))
            }
        } while s.peek == UInt8(ascii: ",")
        return (key, values)
    }

    /// RFC 6868: `^n` is a newline, `^^` a caret and `^'` a double quote inside parameter values.
    static func decodeCaret(_ s: String) -> String {
        guard s.contains("^") else { return s }
        var out = ""
        var pendingCaret = false
        for ch in s {
            if pendingCaret {
                switch ch {
                case "n", "N": out.append("\n")
                case "^": out.append("^")
                case "'": out.append("\"")
                default: out.append("^"); out.append(ch)
                }
                pendingCaret = false
            } else if ch == "^" {
                pendingCaret = true
            } else {
                out.append(ch)
            }
        }
        if pendingCaret { out.append("^") }
        return out
    }

    private static func shorten(_ bytes: [UInt8]) -> String {
        let s = String(decoding: bytes.prefix(40), as: UTF8.self)
        return bytes.count > 40 ? s + "…" : s
    }
}

/// A cursor over the bytes of one content line.
private struct ByteScanner {
    let bytes: [UInt8]
    var index = 0

    var peek: UInt8? { index < bytes.count ? bytes[index] : nil }
    var rest: String { String(decoding: bytes[index...], as: UTF8.self) }

    mutating func advance() { index += 1 }

    /// An iana-token or x-name: letters, digits and `-`, upper-cased.
    mutating func readName() -> String {
        let start = index
        while let b = peek, isNameByte(b) { index += 1 }
        return String(decoding: bytes[start..<index], as: UTF8.self).uppercased()
    }

    /// Bytes up to (not including) `stop`, or nil when `stop` never comes.
    mutating func read(until stop: UInt8) -> String? {
        guard let end = bytes[index...].firstIndex(of: stop) else { return nil }
        defer { index = end }
        return String(decoding: bytes[index..<end], as: UTF8.self)
    }

    mutating func readUnquotedParameterValue() -> String {
        let start = index
        while let b = peek, b != UInt8(ascii: ";"), b != UInt8(ascii: ":"), b != UInt8(ascii: ",") { index += 1 }
        return String(decoding: bytes[start..<index], as: UTF8.self)
    }

    private func isNameByte(_ b: UInt8) -> Bool {
        (b >= 0x30 && b <= 0x39) || (b >= 0x41 && b <= 0x5A) || (b >= 0x61 && b <= 0x7A) || b == 0x2D
    }
}

/// TEXT values (RFC 5545 §3.3.11): backslash escapes and comma-separated lists.
enum ICalText {
    /// Undoes `\\`, `\;`, `\,` and `\n`/`\N`; a backslash before anything else is kept as written.
    static func unescape(_ s: String) -> String {
        guard s.contains("\\") else { return s }
        var out = ""
        var escaping = false
        for ch in s {
            if escaping {
                switch ch {
                case "n", "N": out.append("\n")
                case "\\", ";", ",": out.append(ch)
                default: out.append("\\"); out.append(ch)
                }
                escaping = false
            } else if ch == "\\" {
                escaping = true
            } else {
                out.append(ch)
            }
        }
        if escaping { out.append("\\") }
        return out
    }

    /// Splits a list value (e.g. CATEGORIES) on commas that are not escaped, then unescapes each item.
    static func list(_ s: String) -> [String] {
        var items: [String] = []
        var current = ""
        var escaping = false
        for ch in s {
            if escaping {
                current.append("\\"); current.append(ch)
                escaping = false
            } else if ch == "\\" {
                escaping = true
            } else if ch == "," {
                items.append(current); current = ""
            } else {
                current.append(ch)
            }
        }
        if escaping { current.append("\\") }
        items.append(current)
        return items.map { unescape($0).icalTrimmed }
    }
}

extension String {
    /// The string without leading and trailing spaces, tabs and newlines (Foundation-free on purpose).
    var icalTrimmed: String {
        let blank: (Character) -> Bool = { $0 == " " || $0 == "\t" || $0.isNewline }
        guard let first = firstIndex(where: { !blank($0) }), let last = lastIndex(where: { !blank($0) }) else { return "" }
        return String(self[first...last])
    }
}
