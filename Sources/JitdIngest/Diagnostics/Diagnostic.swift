/// One problem found in an input file, printed as `FILE:LINE[:COLUMN]: error|warning: MESSAGE`.
///
/// Messages say what is wrong and what would be right, so that a scheduler can fix the file
/// without reading jitd's documentation.
public struct Diagnostic: Hashable, Sendable, CustomStringConvertible {
    public enum Severity: String, Sendable { case error, warning }

    public var file: String
    public var line: Int?
    public var column: Int?
    public var severity: Severity
    public var message: String

    public init(file: String, line: Int? = nil, column: Int? = nil, severity: Severity = .error, message: String) {
        self.file = file
        self.line = line
        self.column = column
        self.severity = severity
        self.message = message
    }

    public var description: String {
        var place = file
        if let line { place += ":\(line)" }
        if let line = line, line > 0, let column { place += ":\(column)" }
        return "\(place): \(severity.rawValue): \(message)"
    }
}

/// The problems of one or more files; thrown when any of them is an error.
public struct Diagnostics: Error, Sendable, CustomStringConvertible {
    public var items: [Diagnostic]

    public init(_ items: [Diagnostic]) { self.items = items }

    public var errors: [Diagnostic] { items.filter { $0.severity == .error } }
    public var warnings: [Diagnostic] { items.filter { $0.severity == .warning } }
    public var hasErrors: Bool { items.contains { $0.severity == .error } }
    public var description: String { items.map(\.description).joined(separator: "\n") }
}

/// Collects diagnostics for one file while it is read.
public struct DiagnosticSink: Sendable {
    public let file: String
    public private(set) var items: [Diagnostic] = []

    public init(file: String) { self.file = file }

    public mutating func error(_ message: String, line: Int? = nil, column: Int? = nil) {
        items.append(Diagnostic(file: file, line: line, column: column, severity: .error, message: message))
    }

    public mutating func warning(_ message: String, line: Int? = nil, column: Int? = nil) {
        items.append(Diagnostic(file: file, line: line, column: column, severity: .warning, message: message))
    }

    public var hasErrors: Bool { items.contains { $0.severity == .error } }
    public var warnings: [Diagnostic] { items.filter { $0.severity == .warning } }

    /// Throws every collected diagnostic when any is an error.
    public func check() throws(Diagnostics) {
        if hasErrors { throw Diagnostics(items) }
    }
}

/// A parsed file together with its warnings.
public struct Parsed<Value: Sendable>: Sendable {
    public var value: Value
    public var warnings: [Diagnostic]

    public init(value: Value, warnings: [Diagnostic]) {
        self.value = value
        self.warnings = warnings
    }
}
