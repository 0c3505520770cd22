/// Maps header names to columns: case, spaces, dashes and underscores ignored, aliases accepted.
struct CSVHeader {
    /// Canonical column name → its index in the row.
    private(set) var index: [String: Int] = [:]
    private(set) var unknown: [String] = []
    private(set) var duplicates: [String] = []

    static func normalise(_ s: String) -> String {
        s.lowercased().filter { $0 != " " && $0 != "_" && $0 != "-" }
    }

    /// `aliases` maps every accepted normalised spelling to its canonical name.
    init(_ names: [String], aliases: [String: String]) {
        for (i, raw) in names.enumerated() {
            let n = Self.normalise(raw.trimmingCharacters(in: .whitespaces))
            guard let canonical = aliases[n] else { unknown.append(raw); continue }
            if index[canonical] != nil { duplicates.append(raw) } else { index[canonical] = i }
        }
    }

    func has(_ name: String) -> Bool { index[name] != nil }

    func value(_ name: String, in fields: [String]) -> String? {
        guard let i = index[name], i < fields.count else { return nil }
        let v = Self.trimmed(fields[i])
        return v.isEmpty ? nil : v
    }

    /// `s` without leading and trailing white space. Most fields have none: when both ends are
    /// printable ASCII the field is returned as is, without Foundation's (slow) trimming.
    static func trimmed(_ s: String) -> String {
        let ends = s.utf8.withContiguousStorageIfAvailable { b in b.isEmpty ? nil : (b[0], b[b.count - 1]) } ?? (s.utf8.first.map { ($0, s.utf8.last!) })
        guard let (first, last) = ends else { return s }
        if first > 0x20 && first < 0x7F && last > 0x20 && last < 0x7F { return s }
        return s.trimmingCharacters(in: .whitespacesAndNewlines)
    }
}

import Foundation
