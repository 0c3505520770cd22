import Foundation

/// The plan document (docs/integration.md) (`jitd plan --format json`), with stats of our own.
public enum PlanDocument {
    public static func json(_ plan: Plan, modules: [Module]) -> JSONValue {
        let titles = Dictionary(modules.map { ($0.id, $0) }, uniquingKeysWith: { a, _ in a })
        return .object([
            "generated_at": .string(plan.generatedAt.rfc3339),
            "horizon": .object(["from": .string(plan.horizon.start.rfc3339), "to": .string(plan.horizon.end.rfc3339)]),
            "assignments": .array(plan.assignments.map { .object($0.json) }),
            "unmet": .array(plan.unmet.map {
                .object(["staff_id": .string($0.staffID), "module_id": .string($0.moduleID), "reason": .string($0.reason.rawValue)])
            }),
            "understaffed": .array(plan.understaffed.map {
                .object(["unit": .string($0.unit), "role": .string($0.role), "from": .string($0.interval.start.rfc3339),
                         "to": .string($0.interval.end.rfc3339), "short_by": .int($0.shortBy)])
            }),
            "cancelled": .array(plan.cancellations.map {
                var d = $0.assignment.json
                d["reason"] = .string($0.reason)
                return .object(d)
            }),
            "stats": stats(plan, titles),
        ])
    }

    static func stats(_ plan: Plan, _ modules: [String: Module]) -> JSONValue {
        func rounded(_ x: Double) -> JSONValue { .double((x * 1000).rounded() / 1000) }
        func bucket(_ b: FairnessStats.Bucket) -> JSONValue {
            .object(["people": .int(b.people), "training_minutes": .int(b.minutes),
                     "minutes_per_person": .double((b.minutesPerPerson * 100).rounded() / 100),
                     "shift_hours": rounded(Double(b.shiftMinutes) / 60),
                     "minutes_per_shift_hour": rounded(b.minutesPerShiftHour)])
        }
        let f = plan.fairness
        return .object([
            "needs": .int(plan.needsTotal),
            "placed": .int(plan.assignments.count),
            "unmet": .int(plan.unmet.count),
            "weight_placed": .int(plan.weightPlaced),
            "weight_total": .int(plan.weightTotal),
            "fairness": .object(["day": bucket(f.day), "night": bucket(f.night), "weekend": bucket(f.weekend),
                                 "night_to_day": f.nightToDay.map(rounded) ?? .null,
                                 "weekend_to_weekday": f.weekendToWeekday.map(rounded) ?? .null]),
        ])
    }
}

/// `jitd plan --format table`: per unit, per person, what and when, in the unit's local time.
public enum PlanTable {
    public static func render(_ plan: Plan, modules: [Module], zone: (String) -> Zone) -> String {
        let titles = Dictionary(modules.map { ($0.id, $0.title) }, uniquingKeysWith: { a, _ in a })
        var out = "Plan generated \(plan.generatedAt.rfc3339), horizon \(plan.horizon.start.rfc3339) – \(plan.horizon.end.rfc3339)\n"
        out += "\(plan.assignments.count) assignments, \(plan.unmet.count) needs unmet, weight \(plan.weightPlaced)/\(plan.weightTotal)\n"
        for (unit, list) in Dictionary(grouping: plan.assignments, by: \.unit).sorted(by: { $0.key < $1.key }) {
            let z = zone(unit)
            out += "\n\(unit) (\(z.identifier))\n"
            for a in list.sorted(by: { ($0.staffID, $0.interval.start) < ($1.staffID, $1.interval.start) }) {
                let s = z.local(a.interval.start), e = z.local(a.interval.end)
                let when = String(format: "%04d-%02d-%02d %02d:%02d–%02d:%02d", s.year, s.month, s.day, s.hour, s.minute, e.hour, e.minute)
                let staff = a.staffID.padding(toLength: max(12, a.staffID.count), withPad: " ", startingAt: 0)
                out += "  \(staff) \(a.role.padding(toLength: 4, withPad: " ", startingAt: 0)) \(when)  \(a.moduleID)"
                if let t = titles[a.moduleID] { out += " — \(t)" }
                if let g = a.group { out += " [\(g)]" }
                out += "\n"
            }
        }
        if !plan.understaffed.isEmpty {
            out += "\nUnderstaffed before training\n"
            for w in plan.understaffed {
                out += "  \(w.unit) \(w.role) \(w.interval.start.rfc3339) – \(w.interval.end.rfc3339) short by \(w.shortBy)\n"
            }
        }
        if !plan.unmet.isEmpty {
            out += "\nUnmet needs\n"
            for (reason, list) in Dictionary(grouping: plan.unmet, by: \.reason.rawValue).sorted(by: { $0.key < $1.key }) {
                out += "  \(reason): \(list.count)\n"
            }
        }
        return out
    }
}

/// `jitd plan --format ics`: one calendar, one event per assignment, for educators.
public enum PlanCalendar {
    public static func render(_ plan: Plan, modules: [Module]) -> String {
        let byID = Dictionary(modules.map { ($0.id, $0) }, uniquingKeysWith: { a, _ in a })
        func stamp(_ t: Instant) -> String { t.rfc3339.replacingOccurrences(of: "-", with: "").replacingOccurrences(of: ":", with: "") }
        func text(_ s: String) -> String {
            s.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: ";", with: "\\;")
                .replacingOccurrences(of: ",", with: "\\,").replacingOccurrences(of: "\n", with: "\\n")
        }
        var lines = ["BEGIN:VCALENDAR", "VERSION:2.0", "PRODID:-//jitd//plan//EN", "CALSCALE:GREGORIAN"]
        for a in plan.assignments {
            let m = byID[a.moduleID]
            lines += ["BEGIN:VEVENT", "UID:\(a.id)@jitd", "DTSTAMP:\(stamp(plan.generatedAt))",
                      "DTSTART:\(stamp(a.interval.start))", "DTEND:\(stamp(a.interval.end))",
                      "SUMMARY:\(text((m?.title ?? a.moduleID) + " — " + a.staffID))",
                      "LOCATION:\(text(a.unit))", "CATEGORIES:\(text(a.role))",
                      "X-JITD-STAFF-ID:\(text(a.staffID))", "X-JITD-MODULE-ID:\(text(a.moduleID))"]
            if let url = m?.url { lines.append("URL:\(url)") }
            if let g = a.group { lines.append("X-JITD-GROUP:\(text(g))") }
            lines.append("END:VEVENT")
        }
        lines.append("END:VCALENDAR")
        return lines.map(fold).joined(separator: "\r\n") + "\r\n"
    }

    /// RFC 5545 folding: lines longer than 75 octets continue on the next line after a space.
    static func fold(_ line: String) -> String {
        var out = "", count = 0
        for ch in line {
            let n = String(ch).utf8.count
            if count + n > 75 { out += "\r\n "; count = 1 }
            out.append(ch)
            count += n
        }
        return out
    }
}
