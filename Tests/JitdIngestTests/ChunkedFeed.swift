import JitdCore
@testable import JitdIngest

/// Feeds `bytes` to a fresh `P` in chunks of the sizes `nextSize` gives (the last one cut to
/// what is left), as the inbox's 1 MiB reads would at any other size; returns the items handed
/// out and the report's lines (with the count of problems past `limit`, if any).
func chunkedFeed<P: ByteStreamParser>(_ type: P.Type, _ bytes: [UInt8], file: String, context: RosterContext,
                                      limit: Int = .max, nextSize: () -> Int) -> ([P.Item], [String]) {
    var sink = DiagnosticSink(file: file, limit: limit)
    var stream = P(context: context)
    var items: [P.Item] = []
    var at = 0
    while at < bytes.count {
        let end = min(bytes.count, at + max(1, nextSize()))
        bytes[at..<end].withUnsafeBufferPointer { try? stream.feed($0, sink: &sink) { items.append($0) } }
        at = end
    }
    try? stream.finish(sink: &sink) { items.append($0) }
    sink.closeReport()
    return (items, sink.items.map(\.description))
}
