import JitdCore

/// Reads the keys of one TOML table with checks, and reports each problem at its line.
///
/// Every accessor marks its key as known; ``finish(_:)`` then reports the keys nobody asked for.
struct TOMLTableReader {
    let lines: TOMLLineIndex
    /// The table's path, e.g. `policy` or `coverage[2]`.
    let path: String
    let table: [String: TOMLNode]
    private var known: Set<String> = []

    init(lines: TOMLLineIndex, path: String, table: [String: TOMLNode]) {
        self.lines = lines
        self.path = path
        self.table = table
    }

    func keyPath(_ key: String) -> String { path.isEmpty ? key : "\(path).\(key)" }
    func line(_ key: String) -> Int? { lines.line(keyPath(key)) }
    var tableLine: Int? { lines.line(path) }

    mutating func node(_ key: String, required: Bool, _ sink: inout DiagnosticSink) -> TOMLNode? {
        known.insert(key)
        guard let v = table[key] else {
            if required { sink.error("missing required key \(Brief.quoted(keyPath(key))); add it", line: tableLine ?? 1) }
            return nil
        }
        return v
    }

    private func wrongType(_ key: String, _ v: TOMLNode, _ expected: String, _ sink: inout DiagnosticSink) {
        sink.error("\(Brief.quoted(keyPath(key))) must be \(expected), not \(v.typeName)", line: line(key))
    }

    mutating func string(_ key: String, required: Bool = false, _ sink: inout DiagnosticSink) -> String? {
        guard let v = node(key, required: required, &sink) else { return nil }
        guard case .string(let s) = v else { wrongType(key, v, "a string", &sink); return nil }
        return s
    }

    mutating func int(_ key: String, required: Bool = false, in range: ClosedRange<Int>, _ sink: inout DiagnosticSink) -> Int? {
        guard let v = node(key, required: required, &sink) else { return nil }
        guard case .int(let n) = v else { wrongType(key, v, "an integer", &sink); return nil }
        guard range.contains(n) else {
            sink.error("\(Brief.quoted(keyPath(key))) is \(n); it must be between \(range.lowerBound) and \(range.upperBound)", line: line(key))
            return nil
        }
        return n
    }

    mutating func bool(_ key: String, _ sink: inout DiagnosticSink) -> Bool? {
        guard let v = node(key, required: false, &sink) else { return nil }
        guard case .bool(let b) = v else { wrongType(key, v, "true or false", &sink); return nil }
        return b
    }

    /// A list of strings; a single string is accepted as a list of one.
    mutating func strings(_ key: String, required: Bool = false, _ sink: inout DiagnosticSink) -> [String]? {
        guard let v = node(key, required: required, &sink) else { return nil }
        if case .string(let s) = v { return [s] }
        guard case .array(let items) = v else { wrongType(key, v, "an array of strings", &sink); return nil }
        var out: [String] = []
        for item in items {
            guard case .string(let s) = item else { wrongType(key, item, "an array of strings", &sink); return nil }
            out.append(s)
        }
        return out
    }

    /// An array of whole numbers, each within `range` (a single number counts as an array of one).
    mutating func ints(_ key: String, in range: ClosedRange<Int>, _ sink: inout DiagnosticSink) -> [Int]? {
        guard let v = node(key, required: false, &sink) else { return nil }
        let items: [TOMLNode]
        if case .array(let a) = v { items = a } else { items = [v] }
        var out: [Int] = []
        for item in items {
            guard case .int(let n) = item else { wrongType(key, item, "an array of whole numbers", &sink); return nil }
            guard range.contains(n) else {
                sink.error("\(Brief.quoted(keyPath(key))) holds \(n); each must be between \(range.lowerBound) and \(range.upperBound)", line: line(key))
                return nil
            }
            out.append(n)
        }
        return out
    }

    /// An array of tables (`[[key]]`), each with its own reader.
    mutating func tables(_ key: String, _ sink: inout DiagnosticSink) -> [TOMLTableReader] {
        guard let v = node(key, required: false, &sink) else { return [] }
        guard case .array(let items) = v else { wrongType(key, v, "an array of tables ([[\(key)]])", &sink); return [] }
        var out: [TOMLTableReader] = []
        for (i, item) in items.enumerated() {
            guard case .table(let t) = item else { wrongType(key, item, "a table", &sink); continue }
            out.append(TOMLTableReader(lines: lines, path: "\(keyPath(key))[\(i)]", table: t))
        }
        return out
    }

    /// A sub-table (`[key]`); an empty reader when absent.
    mutating func table(_ key: String, _ sink: inout DiagnosticSink) -> TOMLTableReader {
        let v = node(key, required: false, &sink)
        if let v, case .table(let t) = v { return TOMLTableReader(lines: lines, path: keyPath(key), table: t) }
        if let v { wrongType(key, v, "a table ([\(key)])", &sink) }
        return TOMLTableReader(lines: lines, path: keyPath(key), table: [:])
    }

    /// Reports every key that no accessor asked for.
    func finish(_ sink: inout DiagnosticSink, allowed: [String] = []) {
        for key in table.keys.sorted() where !known.contains(key) {
            let choices = (known.union(allowed)).sorted().joined(separator: ", ")
            sink.error("unknown key \(Brief.quoted(keyPath(key))); known keys here are: \(choices)", line: line(key) ?? tableLine)
        }
    }
}
