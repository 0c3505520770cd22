import JitdCore

/// A file format read as bytes in chunks of any size (CSV and JSON rosters, completions CSVs):
/// valid items are handed to `accept` as they are read, while the file has no error, so a big
/// file is never held whole. The items and problems are the same however the bytes are cut.
public protocol ByteStreamParser<Item>: Sendable {
    associatedtype Item: Sendable
    init(context: RosterContext)
    /// Reads `bytes`; calls `accept` with every valid item. Rethrows what `accept` throws.
    mutating func feed(_ bytes: UnsafeBufferPointer<UInt8>, sink: inout DiagnosticSink, _ accept: (Item) throws -> Void) throws
    /// Ends the file, with the checks that need all of it.
    mutating func finish(sink: inout DiagnosticSink, _ accept: (Item) throws -> Void) throws
}

extension ByteStreamParser {
    /// Every valid item of bytes held whole (problems in `sink`).
    public static func items(of bytes: UnsafeBufferPointer<UInt8>, context: RosterContext, sink: inout DiagnosticSink) -> [Item] {
        var out: [Item] = []
        var stream = Self(context: context)
        try? stream.feed(bytes, sink: &sink) { out.append($0) }
        try? stream.finish(sink: &sink) { out.append($0) }
        return out
    }

    /// Reads the file at `path` in chunks (at most `limit` bytes) through a fresh parser: every
    /// chunk goes to `chunk` first (to hash it), every valid item to `accept`. A file that cannot
    /// be read or is too large is reported in `sink`; what `accept` throws stops the read and is
    /// rethrown.
    public static func read(path: String, limit: Int = .max, context: RosterContext, sink: inout DiagnosticSink,
                            chunk: (UnsafeBufferPointer<UInt8>) -> Void = { _ in }, _ accept: (Item) throws -> Void) throws {
        var stream = Self(context: context)
        do {
            try ChunkedFile.forEachChunk(path: path, limit: limit) { bytes in
                chunk(bytes)
                try stream.feed(bytes, sink: &sink, accept)
            }
            try stream.finish(sink: &sink, accept)
        } catch let problem as ChunkedFile.Problem {
            sink.error(problem.message)
        }
    }
}
