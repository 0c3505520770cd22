import JitdCore
/// A JSON value that remembers the line it starts on, so diagnostics can point at it.
///
/// Foundation's JSON parsers give no positions; rosters and catalogs need them.
public indirect enum LocatedJSON: Sendable, Equatable {
    case null(line: Int)
    case bool(Bool, line: Int)
    case number(Double, line: Int)
    case string(String, line: Int)
    case array([LocatedJSON], line: Int)
    case object([(key: String, value: LocatedJSON)], line: Int)

    public static func == (a: LocatedJSON, b: LocatedJSON) -> Bool { a.description == b.description && a.line == b.line }

    public var line: Int {
        switch self {
        case .null(let l), .bool(_, let l), .number(_, let l), .string(_, let l), .array(_, let l), .object(_, let l): l
        }
    }

    public subscript(key: String) -> LocatedJSON? {
        guard case .object(let members, _) = self else { return nil }
        return members.first { $0.key == key }?.value
    }

    public var string: String? { if case .string(let s, _) = self { s } else { nil } }
    public var int: Int? {
        if case .number(let d, _) = self, d == d.rounded(), abs(d) < 1e15 { Int(d) } else { nil }
    }

    var typeName: String {
        switch self {
        case .null: "null"
        case .bool: "a boolean"
        case .number: "a number"
        case .string: "a string"
        case .array: "an array"
        case .object: "an object"
        }
    }

    var description: String {
        switch self {
        case .null: "null"
        case .bool(let b, _): "\(b)"
        case .number(let d, _): "\(d)"
        case .string(let s, _): "\"\(s)\""
        case .array(let a, _): "[" + a.map(\.description).joined(separator: ",") + "]"
        case .object(let m, _): "{" + m.map { "\"\($0.key)\":\($0.value.description)" }.joined(separator: ",") + "}"
        }
    }

    public struct SyntaxError: Error, Equatable {
        public var line: Int
        public var column: Int
        public var message: String
    }

    public static func parse(_ text: String) throws(SyntaxError) -> LocatedJSON {
        var p = JSONScanner(bytes: Array(text.utf8))
        if p.bytes.starts(with: [0xEF, 0xBB, 0xBF]) { p.i = 3 }
        let v = try p.value(depth: 0)
        p.skipSpace()
        guard p.i == p.bytes.count else { throw p.fail("unexpected text after the JSON value") }
        return v
    }
}

struct JSONScanner {
    let bytes: [UInt8]
    var i = 0
    var line = 1
    var lineStart = 0

    init(bytes: [UInt8]) { self.bytes = bytes }

    func fail(_ m: String) -> LocatedJSON.SyntaxError {
        LocatedJSON.SyntaxError(line: line, column: i - lineStart + 1, message: m)
    }

    mutating func skipSpace() {
        while i < bytes.count {
            switch bytes[i] {
            case 0x20, 0x09, 0x0D: i += 1
            case 0x0A: i += 1; line += 1; lineStart = i
            default: return
            }
        }
    }

    mutating func expect(_ c: UInt8) throws(LocatedJSON.SyntaxError) {
        skipSpace()
        guard i < bytes.count, bytes[i] == c else { throw fail("expected '\(Character(UnicodeScalar(c)))'") }
        i += 1
    }

    mutating func value(depth: Int) throws(LocatedJSON.SyntaxError) -> LocatedJSON {
        guard depth < 256 else { throw fail("nesting too deep") }
        skipSpace()
        guard i < bytes.count else { throw fail("unexpected end of file") }
        let l = line
        switch bytes[i] {
        case UInt8(ascii: "{"):
            i += 1
            var members: [(key: String, value: LocatedJSON)] = []
            skipSpace()
            if i < bytes.count, bytes[i] == UInt8(ascii: "}") { i += 1; return .object(members, line: l) }
            while true {
                skipSpace()
                guard i < bytes.count, bytes[i] == UInt8(ascii: "\"") else { throw fail("expected a quoted key") }
                let key = try string()
                try expect(UInt8(ascii: ":"))
                members.append((key, try value(depth: depth + 1)))
                skipSpace()
                guard i < bytes.count else { throw fail("unexpected end of file in an object") }
                if bytes[i] == UInt8(ascii: ",") { i += 1; continue }
                if bytes[i] == UInt8(ascii: "}") { i += 1; return .object(members, line: l) }
                throw fail("expected ',' or '}'")
            }
        case UInt8(ascii: "["):
            i += 1
            var items: [LocatedJSON] = []
            skipSpace()
            if i < bytes.count, bytes[i] == UInt8(ascii: "]") { i += 1; return .array(items, line: l) }
            while true {
                items.append(try value(depth: depth + 1))
                skipSpace()
                guard i < bytes.count else { throw fail("unexpected end of file in an array") }
                if bytes[i] == UInt8(ascii: ",") { i += 1; continue }
                if bytes[i] == UInt8(ascii: "]") { i += 1; return .array(items, line: l) }
                throw fail("expected ',' or ']'")
            }
        case UInt8(ascii: "\""): return .string(try string(), line: l)
        case UInt8(ascii: "t"): try literal("true"); return .bool(true, line: l)
        case UInt8(ascii: "f"): try literal("false"); return .bool(false, line: l)
        case UInt8(ascii: "n"): try literal("null"); return .null(line: l)
        default: return .number(try number(), line: l)
        }
    }

    mutating func literal(_ word: String) throws(LocatedJSON.SyntaxError) {
        let w = Array(word.utf8)
        guard i + w.count <= bytes.count, Array(bytes[i..<i + w.count]) == w else { throw fail("unexpected token") }
        i += w.count
    }

    mutating func number() throws(LocatedJSON.SyntaxError) -> Double {
        let start = i
        while i < bytes.count, "+-0123456789.eE".utf8.contains(bytes[i]) { i += 1 }
        guard let d = Double(String(decoding: bytes[start..<i], as: UTF8.self)) else { throw fail("invalid value") }
        return d
    }

    mutating func string() throws(LocatedJSON.SyntaxError) -> String {
        i += 1
        var out: [UInt8] = []
        while i < bytes.count {
            let c = bytes[i]
            if c == UInt8(ascii: "\"") { i += 1; return String(decoding: out, as: UTF8.self) }
            if c == 0x0A { throw fail("newline inside a string") }
            if c == UInt8(ascii: "\\") {
                guard i + 1 < bytes.count else { break }
                let e = bytes[i + 1]
                i += 2
                switch e {
                case UInt8(ascii: "n"): out.append(0x0A)
                case UInt8(ascii: "t"): out.append(0x09)
                case UInt8(ascii: "r"): out.append(0x0D)
                case UInt8(ascii: "b"): out.append(0x08)
                case UInt8(ascii: "f"): out.append(0x0C)
                case UInt8(ascii: "u"):
                    guard i + 4 <= bytes.count, var v = UInt32(String(decoding: bytes[i..<i + 4], as: UTF8.self), radix: 16) else {
                        throw fail("bad \\u escape")
                    }
                    i += 4
                    if (0xD800..<0xDC00).contains(v), i + 6 <= bytes.count, bytes[i] == UInt8(ascii: "\\"),
                       let lo = UInt32(String(decoding: bytes[i + 2..<i + 6], as: UTF8.self), radix: 16) {
                        v = 0x10000 + ((v - 0xD800) << 10) + (lo - 0xDC00)
                        i += 6
                    }
                    out.append(contentsOf: Array(String(UnicodeScalar(v).map(Character.init) ?? "\u{FFFD}").utf8))
                default: out.append(e)
                }
                continue
            }
            out.append(c)
            i += 1
        }
        throw fail("a string never closes")
    }
}

extension LocatedJSON {
    /// The same value as a ``TOMLNode`` tree with a line index, so JSON catalogs are checked
    /// by the same readers as TOML ones.
    func asTOML(path: String = "", lines: inout [String: Int]) -> TOMLNode {
        lines[path] = line
        switch self {
        case .null: return .array([])
        case .bool(let b, _): return .bool(b)
        case .number(let d, _): return int.map(TOMLNode.int) ?? .double(d)
        case .string(let s, _): return .string(s)
        case .array(let items, _):
            return .array(items.enumerated().map { i, v in v.asTOML(path: "\(path)[\(i)]", lines: &lines) })
        case .object(let members, _):
            var t: [String: TOMLNode] = [:]
            for m in members { t[m.key] = m.value.asTOML(path: path.isEmpty ? m.key : "\(path).\(m.key)", lines: &lines) }
            return .table(t)
        }
    }
}
