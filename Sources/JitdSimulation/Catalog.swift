import Foundation
import JitdAudit
import JitdCore

/// The catalog over the period: what is in force at the start, and the changes a nurse educator
/// makes along the way (a module published, edited, retired), each at a fraction of the period.
struct CatalogPlan {
    struct Change {
        var at: Int64
        var what: String
        var modules: [Module]
    }

    var initial: [Module]
    var changes: [Change]

    init(start: Int64, days: Int, site: ZoneTime) {
        let longAgo = Instant(seconds: start - 60 * 86_400)
        // Classroom sessions every day at 10:00 and 14:00 in the site's zone.
        let firstDay = site.day(of: start)
        var sessions: [ClassSession] = []
        for d in (firstDay - 1)...(firstDay + days + 3) {
            for (minute, room) in [(10 * 60, "Simulation Lab B"), (14 * 60, "Simulation Lab A")] {
                sessions.append(ClassSession(start: Instant(seconds: site.instant(day: d, minute: minute)), location: room, capacity: 3))
            }
        }
        var modules = [
            Module(id: "hand-hygiene", title: "Hand hygiene refresher", minutes: 5, roles: ["*"], priority: .normal,
                   published: longAgo, recurDays: 14),
            Module(id: "fire-safety", title: "Fire safety", minutes: 5, roles: ["*"], priority: .low, published: longAgo, recurDays: 28),
            Module(id: "sepsis-basics", title: "Sepsis basics", minutes: 10, roles: ["RN", "MD"], priority: .high, published: longAgo),
            Module(id: "sepsis-bundle", title: "Sepsis hour-1 bundle", minutes: 10, roles: ["RN", "MD"], priority: .high,
                   published: longAgo, dueDays: 14, recurDays: 28, prerequisites: ["sepsis-basics"]),
            Module(id: "iv-pump", title: "IV pump update", minutes: 15, roles: ["RN"], priority: .normal, published: longAgo, recurDays: 28),
            Module(id: "code-blue", title: "Code blue drill", minutes: 15, kind: .drill, roles: ["RN", "HCA", "MD"], priority: .high,
                   published: longAgo, recurDays: 21, groupMin: 3, groupMax: 5),
            Module(id: "rapid-response", title: "Rapid response drill", minutes: 10, kind: .drill, roles: ["RN", "HCA"],
                   priority: .normal, published: longAgo, recurDays: 28, groupMax: 4),
            Module(id: "vent-class", title: "Ventilator class", minutes: 30, kind: .classroom, roles: ["RN"], units: ["MICU", "LDN-ICU"],
                   priority: .normal, published: longAgo, recurDays: 28, sessions: sessions),
            Module(id: "falls", title: "Falls prevention", minutes: 10, roles: ["HCA", "RN"], priority: .low, published: longAgo,
                   recurDays: 28),
        ]
        initial = modules
        changes = []
        func at(_ fraction: Double) -> Int64 { start + Int64(Double(days) * 86_400 * fraction) / 60 * 60 }
        func change(_ fraction: Double, _ what: String, _ edit: (inout [Module]) -> Void) {
            edit(&modules)
            changes.append(Change(at: at(fraction), what: what, modules: modules))
        }
        change(0.12, "published sepsis-2026 (critical, due in 7 days, after sepsis-bundle)") { m in
            m.append(Module(id: "sepsis-2026", title: "Sepsis 2026 update", minutes: 10, roles: ["RN", "MD"], priority: .critical,
                            published: Instant(seconds: at(0.12) + 2 * 3600), dueDays: 7, prerequisites: ["sepsis-bundle"]))
        }
        change(0.30, "edited fire-safety: 5 -> 10 minutes, new title") { m in
            if let i = m.firstIndex(where: { $0.id == "fire-safety" }) {
                m[i].minutes = 10
                m[i].title = "Fire safety and evacuation"
            }
        }
        change(0.45, "edited code-blue (groups of 2 to 4) and rapid-response (now after hand-hygiene)") { m in
            if let i = m.firstIndex(where: { $0.id == "code-blue" }) {
                m[i].groupMin = 2
                m[i].groupMax = 4
            }
            if let i = m.firstIndex(where: { $0.id == "rapid-response" }) { m[i].prerequisites = ["hand-hygiene"] }
        }
        change(0.60, "retired iv-pump") { m in m.removeAll { $0.id == "iv-pump" } }
        change(0.75, "published isolation-ppe (every 14 days)") { m in
            m.append(Module(id: "isolation-ppe", title: "Isolation and PPE", minutes: 5, roles: ["*"], priority: .normal,
                            published: Instant(seconds: at(0.75)), recurDays: 14))
        }
        change(0.85, "edited vent-class: capacity 3 -> 2") { m in
            if let i = m.firstIndex(where: { $0.id == "vent-class" }) {
                m[i].sessions = m[i].sessions.map { var s = $0; s.capacity = 2; return s }
            }
        }
    }

    static func audit(_ modules: [Module]) -> [AuditModule] {
        modules.map { m in
            AuditModule(id: m.id, minutes: m.minutes, kind: AuditModule.Kind(rawValue: m.kind.rawValue)!, published: m.published.seconds,
                        recurDays: m.recurDays, prerequisites: m.prerequisites, groupMin: m.groupMin, groupMax: m.groupMax,
                        sessions: m.sessions.map { AuditModule.Session(start: $0.start.seconds, capacity: $0.capacity) })
        }
    }
}
