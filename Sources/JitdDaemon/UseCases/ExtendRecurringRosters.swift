import Foundation
import JitdCore
import JitdIngest
import JitdStore
import Logging

/// The use case "keep recurring rosters going": a recurring iCalendar roster was expanded only
/// over the window around its drop; as the horizon advances, each is expanded again a few days at
/// a time and its new instances applied by the replacement rule (``Store/extendRecurring(_:entries:until:zones:)``):
/// a unit-day a later file names keeps that file's shifts.
public struct RecurringRosterExtender: Sendable {
    let runtime: Runtime

    public init(runtime: Runtime) { self.runtime = runtime }

    /// Whether a calendar's text has recurring events (an RRULE or RDATE line).
    public static func recurs(_ text: String) -> Bool {
        text.range(of: "\nRRULE", options: .caseInsensitive) != nil || text.range(of: "\nRDATE", options: .caseInsensitive) != nil
    }

    /// Extends every recurring calendar whose expansion ends less than a day after the horizon's
    /// end, to two days after it. Returns how many entries were added.
    @discardableResult
    public func extend() throws -> Int {
        let now = runtime.now()
        let horizonEnd = now.adding(seconds: Int64(runtime.config.policy.horizonHours) * 3600)
        let target = horizonEnd.adding(seconds: 2 * 86_400)
        var added = 0
        for roster in try runtime.store.recurringRosters(expandedBefore: horizonEnd.adding(seconds: 86_400)) {
            let window = Interval(start: roster.expandedUntil, end: target)
            var sink = DiagnosticSink(file: roster.name, limit: 20)
            let context = RosterContext(zones: runtime.zones, window: window)
            let units = Set(roster.units)
            let entries = ICalendarRosterParser.parse(text: roster.text, file: roster.name, context: context, sink: &sink)
                .map(\.shift)
                .filter { units.contains($0.unit) && $0.interval.start >= window.start && $0.interval.start < window.end }
            if sink.hasErrors {
                for d in sink.items where d.severity == .error { runtime.logger.error("cannot expand \(roster.name) further: \(d)") }
                continue
            }
            let n = try runtime.store.extendRecurring(roster, entries: entries, until: target, zones: runtime.zones.zone(of:))
            if n > 0 { runtime.logger.info("recurring roster \(roster.name): \(n) more entries up to \(target.rfc3339)") }
            added += n
        }
        return added
    }
}
