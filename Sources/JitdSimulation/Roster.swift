import Foundation
import JitdAudit
import JitdCore

/// Local time in one zone through Foundation's calendar: the simulation writes rosters in local
/// time and works out their instants itself, so jitd's reading of them is put to the test.
final class ZoneTime {
    let identifier: String
    private var calendar: Calendar
    private var utc: Calendar

    init(_ identifier: String) {
        self.identifier = identifier
        calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: identifier)!
        utc = Calendar(identifier: .gregorian)
        utc.timeZone = TimeZone(identifier: "UTC")!
    }

    /// The date of a day number (days since 1970-01-01).
    func date(ofDay d: Int) -> (year: Int, month: Int, day: Int) {
        let c = utc.dateComponents([.year, .month, .day], from: Date(timeIntervalSince1970: TimeInterval(d) * 86_400))
        return (c.year!, c.month!, c.day!)
    }

    /// The instant of a local wall-clock minute of a local day (the earlier one when it repeats).
    func instant(day d: Int, minute: Int) -> Int64 {
        let (y, m, dd) = date(ofDay: d + minute / 1440)
        let c = DateComponents(year: y, month: m, day: dd, hour: (minute % 1440) / 60, minute: minute % 60)
        return Int64(calendar.date(from: c)!.timeIntervalSince1970)
    }

    func offset(_ t: Int64) -> Int64 { Int64(calendar.timeZone.secondsFromGMT(for: Date(timeIntervalSince1970: TimeInterval(t)))) }

    /// The local day number of an instant.
    func day(of t: Int64) -> Int { Int(((t + offset(t)) - ((t + offset(t)) % 86_400 + 86_400) % 86_400) / 86_400) }

    /// ISO weekday (1 = Monday) of a day number.
    func weekday(ofDay d: Int) -> Int {
        let sundayFirst = utc.component(.weekday, from: Date(timeIntervalSince1970: TimeInterval(d) * 86_400))
        return (sundayFirst + 5) % 7 + 1
    }

    /// No clock change within three hours either side.
    func isSteady(around t: Int64) -> Bool { offset(t - 3 * 3600) == offset(t + 3 * 3600) }

    func dateText(day d: Int) -> String {
        let (y, m, dd) = date(ofDay: d)
        return String(format: "%04d-%02d-%02d", y, m, dd)
    }

    /// A roster time: local wall-clock time where that is unambiguous, else UTC with a `Z`.
    func rosterText(_ t: Int64) -> String {
        guard isSteady(around: t) else { return Self.utcText(t) }
        let local = t + offset(t)
        let d = Int((local - (local % 86_400 + 86_400) % 86_400) / 86_400)
        let m = Int((local - Int64(d) * 86_400) / 60)
        return dateText(day: d) + String(format: "T%02d:%02d", m / 60, m % 60)
    }

    static func utcText(_ t: Int64) -> String { Instant(seconds: t).rfc3339 }
}

/// The hospital's scheduling system: who works when, unit-day by unit-day, as its exports say.
/// A unit-day is the unit's local day on which an entry starts (SPEC's replacement rule).
struct RosterBook {
    struct Key: Hashable, Comparable {
        var unit: String
        var day: Int
        static func < (a: Key, b: Key) -> Bool { (a.unit, a.day) < (b.unit, b.day) }
    }

    let hospital: Hospital
    let zones: [String: ZoneTime]
    let seed: UInt64
    private(set) var days: [Key: [AuditRosterEntry]] = [:]

    init(hospital: Hospital, zones: [String: ZoneTime], seed: UInt64) {
        self.hospital = hospital
        self.zones = zones
        self.seed = seed
    }

    func zone(_ unit: String) -> ZoneTime { zones[hospital.zone(of: unit)]! }

    /// The entries of a unit-day, made from the staff's patterns the first time it is asked for.
    mutating func entries(_ unit: String, _ day: Int) -> [AuditRosterEntry] {
        let key = Key(unit: unit, day: day)
        if let e = days[key] { return e }
        let z = zone(unit)
        let weekday = z.weekday(ofDay: day)
        var out: [AuditRosterEntry] = []
        for s in hospital.staff where s.unit == unit && s.weekdays.contains(weekday) {
            let (startMinute, minutes) = s.pattern.local
            let start = z.instant(day: day, minute: startMinute), end = z.instant(day: day, minute: startMinute + minutes)
            out.append(AuditRosterEntry(staff: s.id, role: s.role, unit: unit, start: start, end: end))
            // Some shifts carry a meeting or a procedure, on the day the shift starts.
            var r = SplitMix64(seed: seed ^ StableHash.value("\(s.id)|\(day)"))
            if r.chance(0.12) {
                let latest = min(minutes - 90, 1440 - startMinute - 60)
                if latest > 60 {
                    let at = startMinute + 60 + r.below((latest - 60) / 5 + 1) * 5
                    out.append(AuditRosterEntry(staff: s.id, role: s.role, unit: unit, kind: .busy, start: z.instant(day: day, minute: at),
                                                end: z.instant(day: day, minute: at + [30, 45, 60][r.below(3)])))
                }
            }
        }
        days[key] = out
        return out
    }

    /// The entries of a unit-day already exported or changed, without making them.
    func existing(_ unit: String, _ day: Int) -> [AuditRosterEntry]? { days[Key(unit: unit, day: day)] }

    mutating func replace(_ unit: String, _ day: Int, _ entries: [AuditRosterEntry]) {
        days[Key(unit: unit, day: day)] = entries
    }

    /// A person's entries on the unit-days around `t` (made if needed).
    mutating func entries(of staff: String, unit: String, around t: Int64) -> [AuditRosterEntry] {
        let d = zone(unit).day(of: t)
        return (d - 1...d + 1).flatMap { entries(unit, $0) }.filter { $0.staff == staff }
    }

    /// Whether a person is free of any shift within `margin` of `[start, end)`.
    mutating func isFree(_ staff: String, unit: String, start: Int64, end: Int64, margin: Int64) -> Bool {
        !entries(of: staff, unit: unit, around: start).contains { $0.kind == .shift && $0.start < end + margin && start - margin < $0.end }
    }
}

/// Roster files as a scheduling system exports them: CSV for the New York units (header in its
/// own order, a name column), JSON for the London ones.
enum RosterText {
    static func csv(_ entries: [AuditRosterEntry], hospital: Hospital, zones: [String: ZoneTime], badRow: String? = nil) -> String {
        var lines = ["Employee ID,Unit,Job,Start,End,Kind,Staff Name"]
        for e in entries {
            let z = zones[hospital.zone(of: e.unit)]!
            lines.append("\(e.staff),\(e.unit),\(e.role),\(z.rosterText(e.start)),\(z.rosterText(e.end)),\(e.kind.rawValue),\"Staff \(e.staff)\"")
        }
        if let badRow { lines.insert(badRow, at: lines.count / 2 + 1) }
        return lines.joined(separator: "\r\n") + "\r\n"
    }

    static func json(_ entries: [AuditRosterEntry], hospital: Hospital, zones: [String: ZoneTime]) -> String {
        let rows = entries.map { e -> String in
            let z = zones[hospital.zone(of: e.unit)]!
            return "{\"staff_id\": \"\(e.staff)\", \"role\": \"\(e.role)\", \"unit\": \"\(e.unit)\", \"start\": \"\(z.rosterText(e.start))\", "
                + "\"end\": \"\(z.rosterText(e.end))\", \"kind\": \"\(e.kind.rawValue)\"}"
        }
        return "{\"shifts\": [\n" + rows.joined(separator: ",\n") + "\n]}\n"
    }
}
