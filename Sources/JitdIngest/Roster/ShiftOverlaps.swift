import JitdCore

/// Finds the shifts of one person that overlap within a roster file, one row at a time, keeping
/// 32 bytes a shift (names interned) so that a million-row file is checked in a few tens of MB.
/// Busy blocks are left out, since they lie inside shifts by design.
public struct ShiftOverlaps: Sendable {
    struct Span: Sendable {
        var staff: Int32, unit: Int32, line: Int32
        var start: Int64, end: Int64
    }

    private var staffIndex: [String: Int32] = [:], staffNames: [String] = []
    private var unitIndex: [String: Int32] = [:], unitNames: [String] = []
    private var spans: [Span] = []

    public init() {}

    public mutating func add(_ e: RosterEntry) {
        guard e.shift.kind == .shift else { return }
        let staff = Self.intern(e.shift.staffID, &staffIndex, &staffNames)
        let unit = Self.intern(e.shift.unit, &unitIndex, &unitNames)
        spans.append(Span(staff: staff, unit: unit, line: Int32(clamping: e.line),
                          start: e.shift.interval.start.seconds, end: e.shift.interval.end.seconds))
    }

    static func intern(_ s: String, _ index: inout [String: Int32], _ names: inout [String]) -> Int32 {
        if let i = index[s] { return i }
        let i = Int32(names.count)
        index[s] = i
        names.append(s)
        return i
    }

    /// Reports each later row (by line) that overlaps an earlier shift of the same person, naming it.
    public func report(zones: UnitZones, sink: inout DiagnosticSink) {
        let sorted = spans.sorted { ($0.staff, $0.start, $0.line) < ($1.staff, $1.start, $1.line) }
        var found: [(later: Span, earlier: Span)] = []
        var latest: Span? = nil // the span of the current person that ends last so far
        for s in sorted {
            if let l = latest, l.staff == s.staff {
                if s.start < l.end { found.append(l.line <= s.line ? (s, l) : (l, s)) }
                if s.end > l.end { latest = s }
            } else {
                latest = s
            }
        }
        for f in found.sorted(by: { $0.later.line < $1.later.line }) {
            sink.error(message(f.later, f.earlier, zones), line: Int(f.later.line))
        }
    }

    func message(_ later: Span, _ earlier: Span, _ zones: UnitZones) -> String {
        let place = earlier.line == later.line ? "another occurrence of the event on line \(earlier.line)" : "their shift on line \(earlier.line)"
        return "staff \(Brief.quoted(staffNames[Int(later.staff)])) is on two shifts at once: \(span(later, zones)) overlaps \(place) "
            + "(\(span(earlier, zones))); fix the times or remove one of the rows"
    }

    func span(_ s: Span, _ zones: UnitZones) -> String {
        let unit = unitNames[Int(s.unit)]
        let zone = zones.zone(of: unit)
        return "\(unit) \(zone.local(Instant(seconds: s.start)).description) to \(zone.local(Instant(seconds: s.end)).description) \(zone.identifier)"
    }
}
