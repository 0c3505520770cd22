import JitdCore
import TOMLKit

/// A TOML value detached from TOMLKit's reference types, so it can cross tasks.
public indirect enum TOMLNode: Sendable, Equatable {
    case string(String)
    case int(Int)
    case double(Double)
    case bool(Bool)
    /// A TOML date, time or date-time; `offsetMinutes` is `nil` for local forms.
    case dateTime(LocalDateTime, hasDate: Bool, hasTime: Bool, offsetMinutes: Int?)
    case array([TOMLNode])
    case table([String: TOMLNode])

    var typeName: String {
        switch self {
        case .string: "a string"
        case .int: "an integer"
        case .double: "a number"
        case .bool: "a boolean"
        case .dateTime: "a date or time"
        case .array: "an array"
        case .table: "a table"
        }
    }

    init(_ v: TOMLValueConvertible) {
        switch v.type {
        case .string: self = .string(v.string ?? "")
        case .int: self = .int(v.int ?? 0)
        case .double: self = .double(v.double ?? 0)
        case .bool: self = .bool(v.bool ?? false)
        case .date:
            let d = v.date!
            self = .dateTime(LocalDateTime(year: d.year, month: d.month, day: d.day), hasDate: true, hasTime: false, offsetMinutes: nil)
        case .time:
            let t = v.time!
            self = .dateTime(LocalDateTime(year: 1970, month: 1, day: 1, hour: t.hour, minute: t.minute, second: t.second),
                             hasDate: false, hasTime: true, offsetMinutes: nil)
        case .dateTime:
            let dt = v.dateTime!
            self = .dateTime(LocalDateTime(year: dt.date.year, month: dt.date.month, day: dt.date.day,
                                           hour: dt.time.hour, minute: dt.time.minute, second: dt.time.second),
                             hasDate: true, hasTime: true, offsetMinutes: dt.offset?.offset)
        case .array: self = .array(v.array!.map { TOMLNode($0) })
        case .table:
            let t = v.table!
            var out: [String: TOMLNode] = [:]
            for k in t.keys { if let x = t[k] { out[k] = TOMLNode(x) } }
            self = .table(out)
        }
    }
}

/// A parsed TOML file with the line of every key, for diagnostics that point at the right line.
///
/// TOMLKit parses; it does not report where keys are. ``TOMLLineIndex`` finds them with a
/// light scan of the same text. Paths look like `policy.slot_minutes` or `coverage[2].min`.
public struct TOMLDocument: Sendable {
    public let file: String
    public let root: [String: TOMLNode]
    public let lines: TOMLLineIndex

    /// Parses `text`; a syntax error becomes a diagnostic with its line and column.
    public init(file: String, text: String) throws(Diagnostics) {
        self.file = file
        if let (line, column, message) = TOMLAbortGuard.firstProblem(text) {
            throw Diagnostics([Diagnostic(file: file, line: line, column: column, message: "TOML syntax: \(message)")])
        }
        do {
            let table = try TOMLTable(string: text)
            guard case .table(let t) = TOMLNode(table) else { throw Diagnostics([]) }
            self.root = t
        } catch let e as TOMLParseError {
            throw Diagnostics([Diagnostic(file: file, line: e.source.begin.line, column: e.source.begin.column,
                                          message: "TOML syntax: \(e.description); fix the syntax at this place")])
        } catch {
            throw Diagnostics([Diagnostic(file: file, line: 1, message: "TOML syntax: \(error)")])
        }
        self.lines = TOMLLineIndex(text: text)
    }
}

/// Where each key of a TOML text is defined.
public struct TOMLLineIndex: Sendable {
    private var lineOf: [String: Int] = [:]

    /// An index built elsewhere, e.g. from a JSON document.
    public init(lines: [String: Int]) { self.lineOf = lines }

    public init(text: String) {
        var table = ""
        var arrayCounts: [String: Int] = [:]
        var inMultiline: String? = nil
        var depth = 0
        for (n, raw) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let line = n + 1
            var s = raw.trimmingCharacters(in: .whitespaces)
            if let delim = inMultiline {
                if s.contains(delim) { inMultiline = nil }
                continue
            }
            if depth > 0 {
                depth += Self.bracketBalance(s)
                continue
            }
            if s.hasPrefix("#") || s.isEmpty { continue }
            if s.hasPrefix("[[") {
                let name = Self.resolve(Self.headerName(s, brackets: 2), arrayCounts)
                let i = arrayCounts[name, default: 0]
                arrayCounts[name] = i + 1
                table = "\(name)[\(i)]"
                lineOf[table] = line
                continue
            }
            if s.hasPrefix("[") {
                let name = Self.headerName(s, brackets: 1)
                // A sub-table of the latest element of an array of tables, e.g. [module.session]…
                table = Self.resolve(name, arrayCounts)
                lineOf[table] = line
                continue
            }
            guard let eq = Self.assignment(s) else { continue }
            let key = Self.normalise(String(s[..<eq]))
            let path = table.isEmpty ? key : "\(table).\(key)"
            if lineOf[path] == nil { lineOf[path] = line }
            s = String(s[s.index(after: eq)...]).trimmingCharacters(in: .whitespaces)
            for d in ["\"\"\"", "'''"] where s.hasPrefix(d) && !s.dropFirst(3).contains(d) { inMultiline = d }
            if inMultiline == nil { depth = max(0, Self.bracketBalance(s)) }
        }
    }

    /// The line of a key path, or of the closest enclosing table.
    public func line(_ path: String) -> Int? {
        var p = path
        while true {
            if let l = lineOf[p] { return l }
            guard let cut = p.lastIndex(where: { $0 == "." || $0 == "[" }) else { return nil }
            p = String(p[..<cut])
        }
    }

    private static func headerName(_ s: String, brackets: Int) -> String {
        let inner = s.dropFirst(brackets)
        let end = inner.firstIndex(of: "]") ?? inner.endIndex
        return normalise(String(inner[..<end]))
    }

    /// Adds the index of the latest element to every prefix that is an array of tables.
    private static func resolve(_ name: String, _ counts: [String: Int]) -> String {
        let parts = name.split(separator: ".").map(String.init)
        var path = ""
        for (i, part) in parts.enumerated() {
            path = path.isEmpty ? part : path + "." + part
            if i < parts.count - 1, let c = counts[path] { path += "[\(c - 1)]" }
        }
        return path
    }

    private static func normalise(_ key: String) -> String {
        key.split(separator: ".").map {
            $0.trimmingCharacters(in: .whitespaces).trimmingCharacters(in: CharacterSet(charactersIn: "\"'"))
        }.joined(separator: ".")
    }

    /// The index of the `=` of a `key = value` line, outside quoted keys.
    private static func assignment(_ s: String) -> String.Index? {
        var quote: Character? = nil
        for i in s.indices {
            let c = s[i]
            if let q = quote { if c == q { quote = nil }; continue }
            if c == "\"" || c == "'" { quote = c; continue }
            if c == "=" { return i }
        }
        return nil
    }

    /// Open minus closed brackets outside strings and comments.
    private static func bracketBalance(_ s: String) -> Int {
        var quote: Character? = nil
        var n = 0
        for c in s {
            if let q = quote { if c == q { quote = nil }; continue }
            switch c {
            case "\"", "'": quote = c
            case "#": return n
            case "[", "{": n += 1
            case "]", "}": n -= 1
            default: break
            }
        }
        return n
    }
}

import Foundation
