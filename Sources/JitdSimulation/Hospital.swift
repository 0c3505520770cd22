import Foundation
import JitdAudit
import JitdCore

/// A generated hospital: units in two time zones, their staff and working patterns, the coverage
/// rules and policy of its config, and its webhook endpoints. Everything follows from the seed.
struct Hospital {
    struct Unit {
        var name: String
        var zone: String
        /// Whether its rosters are sent as JSON (else CSV).
        var json: Bool
    }

    /// When a person works, in their unit's local time.
    enum Pattern: CaseIterable {
        case day12, night12, early8, late8, night8, medic

        /// Start minute after local midnight and length in local wall-clock minutes.
        var local: (start: Int, minutes: Int) {
            switch self {
            case .day12: (7 * 60, 12 * 60)
            case .night12: (19 * 60, 12 * 60)
            case .early8: (7 * 60, 8 * 60)
            case .late8: (15 * 60, 8 * 60)
            case .night8: (23 * 60, 8 * 60)
            case .medic: (8 * 60, 10 * 60)
            }
        }
    }

    struct Staff {
        var id: String
        var name: String
        var unit: String
        var role: String
        var pattern: Pattern
        /// ISO weekdays worked, week after week (sick calls and swaps change single days).
        var weekdays: Set<Int>
    }

    var siteZone = "America/New_York"
    var units: [Unit]
    var staff: [Staff]
    var policy: Policy
    var coverage: [CoverageRule]
    var endpoints: [(name: String, events: [String], units: [String])]

    static let newYorkUnits = ["MICU", "5-West", "ED", "Peds"]
    static let londonUnits = ["LDN-ICU", "LDN-Ward7", "LDN-ED", "LDN-Theatres"]

    init(rng: inout SplitMix64, staffPerUnit: Int, replanIntervalMinutes: Int, horizonHours: Int) {
        units = Self.newYorkUnits.map { Unit(name: $0, zone: "America/New_York", json: false) }
            + Self.londonUnits.map { Unit(name: $0, zone: "Europe/London", json: true) }
        var people: [Staff] = []
        // A unit of 44: 26 RNs on 12-hour days or nights, 10 HCAs on 8-hour shifts, 8 doctors on
        // weekdays; scaled for other sizes (38: 22 RNs, 8 HCAs, 8 doctors).
        let rn = max(8, staffPerUnit * 26 / 44), hca = max(3, staffPerUnit * 10 / 44), md = max(2, staffPerUnit - rn - hca)
        for (u, unit) in units.enumerated() {
            var n = 0
            func add(_ role: String, _ pattern: Pattern, days: Int, from pool: [Int]) {
                n += 1
                var weekdays: Set<Int> = []
                var choices = pool
                while weekdays.count < min(days, pool.count) {
                    let i = Int(rng.next() % UInt64(choices.count))
                    weekdays.insert(choices.remove(at: i))
                }
                let id = String(format: "E%d%03d", u + 1, n)
                people.append(Staff(id: id, name: "Staff \(id)", unit: unit.name, role: role, pattern: pattern, weekdays: weekdays))
            }
            let week = Array(1...7)
            for i in 0..<rn { add("RN", i % 2 == 0 ? .day12 : .night12, days: 4, from: week) }
            for i in 0..<hca { add("HCA", [.early8, .late8, .night8][i % 3], days: 5, from: week) }
            for _ in 0..<md { add("MD", .medic, days: 4, from: [1, 2, 3, 4, 5]) }
        }
        staff = people
        var p = Policy()
        p.replanIntervalMinutes = replanIntervalMinutes
        p.horizonHours = horizonHours
        policy = p
        coverage = [
            // Every unit: RNs by day and by night (a window wrapping midnight), one HCA at all times,
            // two doctors on weekdays.
            CoverageRule(unit: "*", role: "RN", min: 5, window: (7 * 60, 19 * 60)),
            CoverageRule(unit: "*", role: "RN", min: 4, window: (19 * 60, 7 * 60)),
            CoverageRule(unit: "*", role: "HCA", min: 1),
            CoverageRule(unit: "*", role: "MD", min: 2, window: (8 * 60, 18 * 60), days: [1, 2, 3, 4, 5]),
            // A unit's own rule above the site's (the larger binds).
            CoverageRule(unit: "MICU", role: "RN", min: 6, window: (7 * 60, 19 * 60)),
            // Everyone on the unit, whatever their role.
            CoverageRule(unit: "MICU", role: "*", min: 12, window: (9 * 60, 17 * 60), days: [1, 2, 3, 4, 5]),
            CoverageRule(unit: "LDN-ICU", role: "*", min: 8),
            // A window shorter than a slot, strictly inside one.
            CoverageRule(unit: "5-West", role: "RN", min: 7, window: (10 * 60 + 1, 10 * 60 + 4)),
            // The whole day (from == to) at weekends.
            CoverageRule(unit: "Peds", role: "RN", min: 6, window: (0, 0), days: [6, 7]),
            CoverageRule(unit: "LDN-ED", role: "RN", min: 6, window: (22 * 60, 2 * 60), days: [5, 6]),
        ]
        endpoints = [
            ("pager", ["assignment.*"], ["*"]),
            ("chat", ["assignment.*", "staffing.*"], ["*"]),
            ("lms", ["*"], Self.londonUnits),
        ]
    }

    func zone(of unit: String) -> String { units.first { $0.name == unit }?.zone ?? siteZone }

    /// `jitd.toml` for this hospital, with its state, inbox and secrets under `root`.
    func configTOML(root: String) -> String {
        func clock(_ m: Int) -> String { String(format: "%02d:%02d", m / 60, m % 60) }
        let dayNames = ["", "mon", "tue", "wed", "thu", "fri", "sat", "sun"]
        var t = """
            [site]
            timezone = "\(siteZone)"
            [paths]
            state = "\(root)/state"
            inbox = "\(root)/inbox"
            catalog = "\(root)/catalog.toml"
            [policy]
            slot_minutes = \(policy.slotMinutes)
            horizon_hours = \(policy.horizonHours)
            handover_buffer_minutes = \(policy.handoverBufferMinutes)
            max_training_minutes_per_shift = \(policy.maxTrainingMinutesPerShift)
            max_sessions_per_shift = \(policy.maxSessionsPerShift)
            min_minutes_between_sessions = \(policy.minMinutesBetweenSessions)
            notify_lead_minutes = \(policy.notifyLeadMinutes)
            replan_interval_minutes = \(policy.replanIntervalMinutes)
            [api]
            listen = "127.0.0.1:0"

            """
        for u in units where u.zone != siteZone {
            t += "[[unit]]\nname = \"\(u.name)\"\ntimezone = \"\(u.zone)\"\n"
        }
        for r in coverage {
            t += "[[coverage]]\nunit = \"\(r.unit)\"\nrole = \"\(r.role)\"\nmin = \(r.min)\n"
            if let (f, e) = r.window { t += "from = \"\(clock(f))\"\nto = \"\(clock(e))\"\n" }
            if let days = r.days { t += "days = [\(days.sorted().map { "\"\(dayNames[$0])\"" }.joined(separator: ", "))]\n" }
        }
        for e in endpoints {
            t += """
                [[webhook]]
                name = "\(e.name)"
                url = "https://\(e.name).example.org/jitd"
                secret_file = "\(root)/secrets/\(e.name)"
                events = [\(e.events.map { "\"\($0)\"" }.joined(separator: ", "))]
                units = [\(e.units.map { "\"\($0)\"" }.joined(separator: ", "))]

                """
        }
        return t
    }

    /// The hospital as the auditor is told of it: from this model, not from jitd's reading of the config.
    var audit: AuditHospital {
        var p = AuditPolicy()
        p.slotMinutes = policy.slotMinutes
        p.handoverBufferMinutes = policy.handoverBufferMinutes
        p.maxTrainingMinutesPerShift = policy.maxTrainingMinutesPerShift
        p.maxSessionsPerShift = policy.maxSessionsPerShift
        p.minMinutesBetweenSessions = policy.minMinutesBetweenSessions
        p.notifyLeadMinutes = policy.notifyLeadMinutes
        return AuditHospital(siteZone: siteZone, policy: p, units: units.map { AuditUnit(name: $0.name, zone: $0.zone, policy: p) },
                             coverage: coverage.map { r in
                                 AuditCoverageRule(unit: r.unit, role: r.role, min: r.min, from: r.window?.from, to: r.window?.to, days: r.days)
                             })
    }
}

extension SplitMix64 {
    /// A number in `0..<n` (n > 0).
    mutating func below(_ n: Int) -> Int { Int(next() % UInt64(n)) }

    /// A number in `range`.
    mutating func int(_ range: ClosedRange<Int>) -> Int { range.lowerBound + below(range.count) }

    /// Whether an event of probability `p` happens.
    mutating func chance(_ p: Double) -> Bool { Double(next() >> 11) / Double(1 << 53) < p }

    mutating func pick<T>(_ list: [T]) -> T { list[below(list.count)] }
}
