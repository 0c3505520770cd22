import JitdCore

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
        self.message = Brief.bounded(message)
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
///
/// Keeps at most `limit` of them (a million-row file with a bad row each must not fill memory or
/// a webhook); the rest are only counted, and ``closeReport()`` says how many were left out.
public struct DiagnosticSink: Sendable {
    public let file: String
    public let limit: Int
    public private(set) var items: [Diagnostic] = []
    /// Every error and warning reported, kept or not.
    public private(set) var errorCount = 0, warningCount = 0

    public init(file: String, limit: Int = .max) {
        self.file = file
        self.limit = limit
    }

    public mutating func error(_ message: String, line: Int? = nil, column: Int? = nil) {
        errorCount += 1
        add(Diagnostic(file: file, line: line, column: column, severity: .error, message: message))
    }

    public mutating func warning(_ message: String, line: Int? = nil, column: Int? = nil) {
        warningCount += 1
        add(Diagnostic(file: file, line: line, column: column, severity: .warning, message: message))
    }

    private mutating func add(_ d: Diagnostic) {
        if items.count < limit { items.append(d) }
    }

    /// Adds a last line counting the problems past the limit, if any were left out.
    public mutating func closeReport() {
        let left = errorCount + warningCount - items.count
        guard left > 0 else { return }
        items.append(Diagnostic(file: file, severity: errorCount > 0 ? .error : .warning,
                                message: "\(left) more problems not shown (\(errorCount) errors and \(warningCount) warnings in all); fix the ones above and drop the file again"))
    }

    public var hasErrors: Bool { errorCount > 0 }
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
