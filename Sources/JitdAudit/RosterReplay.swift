import Foundation

/// SPEC's replacement rule, replayed file by file: an applied roster file replaces, for each unit
/// it names, every shift and busy block of that unit that starts on a local calendar day on which
/// the file has an entry for that unit.
///
/// The roster in force at an instant `t` is the result of the rule over every file applied at or
/// before `t`. ``advance(to:)`` moves forward through the files; it never goes back.
struct RosterReplay {
    struct DayKey: Hashable, Comparable {
        var unit: String
        var day: Int
        static func < (a: DayKey, b: DayKey) -> Bool { (a.unit, a.day) < (b.unit, b.day) }
    }

    private let files: [AuditRosterFile]
    private let clocks: Clocks
    private(set) var next = 0
    /// Entries in force, by the unit and the unit-local day on which they start.
    private(set) var days: [DayKey: [AuditRosterEntry]] = [:]

    init(files: [AuditRosterFile], clocks: Clocks) {
        // Stable: files applied at the same second keep the order they were applied in.
        self.files = files.enumerated().sorted { ($0.element.appliedAt, $0.offset) < ($1.element.appliedAt, $1.offset) }.map(\.element)
        self.clocks = clocks
    }

    /// When the next file is applied, if any.
    var nextApplication: Int64? { next < files.count ? files[next].appliedAt : nil }

    /// Applies every file applied at or before `t`; returns, for each, when it was applied and
    /// the units whose roster in force it changed.
    @discardableResult
    mutating func advance(to t: Int64) -> [(at: Int64, units: Set<String>)] {
        var out: [(Int64, Set<String>)] = []
        while next < files.count && files[next].appliedAt <= t {
            out.append((files[next].appliedAt, apply(files[next])))
            next += 1
        }
        return out
    }

    private mutating func apply(_ f: AuditRosterFile) -> Set<String> {
        var incoming: [DayKey: [AuditRosterEntry]] = [:]
        for e in f.entries {
            incoming[DayKey(unit: e.unit, day: clocks.clock(e.unit).day(e.start)), default: []].append(e)
        }
        var changed: Set<String> = []
        for (key, entries) in incoming {
            let sorted = entries.sorted(by: Self.order)
            if days[key] != sorted { changed.insert(key.unit) }
            days[key] = sorted
        }
        return changed
    }

    static func order(_ a: AuditRosterEntry, _ b: AuditRosterEntry) -> Bool {
        (a.start, a.end, a.staff, a.role, a.kind.rawValue) < (b.start, b.end, b.staff, b.role, b.kind.rawValue)
    }

    /// The entries in force that start on the local days around `t` (the day before, the day, the
    /// day after) in every unit: enough to find whatever holds or overlaps a session at `t`, since
    /// no shift lasts a day.
    func entries(around t: Int64, units: [String]) -> [AuditRosterEntry] {
        var out: [AuditRosterEntry] = []
        for unit in units {
            let d = clocks.clock(unit).day(t)
            for day in (d - 1)...(d + 1) { out += days[DayKey(unit: unit, day: day)] ?? [] }
        }
        return out
    }

    /// Every unit named by any file.
    var unitsNamed: [String] { Array(Set(files.flatMap { $0.entries.map(\.unit) })).sorted() }
}

/// One ``LocalClock`` per unit (the site's zone for a unit the config does not name).
final class Clocks {
    private var byUnit: [String: LocalClock] = [:]
    private var byZone: [String: LocalClock] = [:]
    private let zoneOfUnit: [String: String]
    private let site: String

    init(_ hospital: AuditHospital) {
        site = hospital.siteZone
        zoneOfUnit = Dictionary(hospital.units.map { ($0.name, $0.zone) }, uniquingKeysWith: { a, _ in a })
    }

    func clock(_ unit: String) -> LocalClock {
        if let c = byUnit[unit] { return c }
        let zone = zoneOfUnit[unit] ?? site
        let c = byZone[zone] ?? LocalClock(zone)
        byZone[zone] = c
        byUnit[unit] = c
        return c
    }
}
