import JitdCore

/// One shift or busy block read from a roster file, with the line it came from.
public struct RosterEntry: Hashable, Sendable {
    public var shift: Shift
    public var line: Int

    public init(shift: Shift, line: Int) {
        self.shift = shift
        self.line = line
    }
}

/// The zone of each unit: its own when configured, else the site's.
public struct UnitZones: Sendable {
    public var site: Zone
    public var units: [String: Zone]

    public init(site: Zone = .utc, units: [String: Zone] = [:]) {
        self.site = site
        self.units = units
    }

    public func zone(of unit: String) -> Zone { units.isEmpty ? site : units[unit] ?? site }
}

/// What a roster parser needs besides the text.
public struct RosterContext: Sendable {
    public var zones: UnitZones
    /// Recurring events are expanded only inside this window.
    public var window: Interval

    public init(zones: UnitZones, window: Interval) {
        self.zones = zones
        self.window = window
    }
}

/// A roster format read as bytes in chunks of any size (CSV, JSON): valid entries are handed to
/// `accept` as they are read, while the file has no error, so a big file is never held whole.
public protocol RosterByteStream: Sendable {
    init(context: RosterContext)
    /// Reads `bytes`; calls `accept` with every valid entry. Rethrows what `accept` throws.
    mutating func feed(_ bytes: UnsafeBufferPointer<UInt8>, sink: inout DiagnosticSink, _ accept: (RosterEntry) throws -> Void) throws
    /// Ends the file, with the checks that need all of it.
    mutating func finish(sink: inout DiagnosticSink, _ accept: (RosterEntry) throws -> Void) throws
}

extension RosterByteStream {
    /// Every valid entry of bytes held whole (problems in `sink`).
    public static func entries(of bytes: UnsafeBufferPointer<UInt8>, context: RosterContext,
                               sink: inout DiagnosticSink) -> [RosterEntry] {
        var out: [RosterEntry] = []
        var stream = Self(context: context)
        try? stream.feed(bytes, sink: &sink) { out.append($0) }
        try? stream.finish(sink: &sink) { out.append($0) }
        return out
    }
}
