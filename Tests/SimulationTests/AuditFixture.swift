import Foundation
import JitdAudit

/// Hand-made histories for the auditor: one ward, its rosters, and what receivers were told.
struct AuditFixture {
    /// 2026-03-02T00:00:00Z, a Monday.
    static let day0: Int64 = 1_772_409_600
    static func at(day: Int = 0, _ hour: Int, _ minute: Int = 0) -> Int64 { day0 + Int64(day) * 86_400 + Int64(hour * 3600 + minute * 60) }

    var history: AuditHistory
    private var modules: [String: AuditModule] = [:]

    /// A ward "W" in UTC with four RNs on 07:00–19:00 on day 0 and a minimum of 3 RNs.
    init(zone: String = "UTC", nurses: Int = 4, min: Int = 3, policy: AuditPolicy = AuditPolicy()) {
        let hospital = AuditHospital(siteZone: zone, policy: policy, units: [AuditUnit(name: "W", zone: zone, policy: policy)],
                                     coverage: [AuditCoverageRule(unit: "W", role: "RN", min: min)])
        history = AuditHistory(hospital: hospital, from: Self.day0, to: Self.day0 + 3 * 86_400)
        roster((1...nurses).map { shift("N\($0)", Self.at(7), Self.at(19)) }, at: Self.day0)
        module(AuditModule(id: "m10", minutes: 10))
        module(AuditModule(id: "m20", minutes: 20))
    }

    func shift(_ staff: String, _ start: Int64, _ end: Int64, unit: String = "W", role: String = "RN") -> AuditRosterEntry {
        AuditRosterEntry(staff: staff, role: role, unit: unit, start: start, end: end)
    }

    func busy(_ staff: String, _ start: Int64, _ end: Int64) -> AuditRosterEntry {
        AuditRosterEntry(staff: staff, role: "RN", unit: "W", kind: .busy, start: start, end: end)
    }

    mutating func roster(_ entries: [AuditRosterEntry], at t: Int64) {
        history.rosterFiles.append(AuditRosterFile(name: "roster-\(history.rosterFiles.count).csv", appliedAt: t, entries: entries))
    }

    mutating func module(_ m: AuditModule) {
        modules[m.id] = m
        history.catalogs = [AuditCatalog(since: 0, modules: modules.values.sorted { $0.id < $1.id })]
    }

    /// An `assignment.scheduled` of a session, received at `told` (by default 10 minutes before it starts).
    @discardableResult
    mutating func told(_ staff: String, _ module: String, at start: Int64, minutes: Int? = nil, group: String? = nil,
                       id: String? = nil, receivedAt: Int64? = nil, endpoint: String = "pager") -> String {
        let length = minutes ?? modules[module]?.minutes ?? 10
        let id = id ?? "a_\(staff)_\(module)_\(start)"
        deliver("assignment.scheduled", id: id, staff: staff, module: module, start: start, end: start + Int64(length) * 60, group: group,
                at: receivedAt ?? start - 600, endpoint: endpoint, minutes: length)
        return id
    }

    mutating func cancelled(_ id: String, at t: Int64, endpoint: String = "pager") {
        let parts = id.split(separator: "_")
        deliver("assignment.cancelled", id: id, staff: String(parts[1]), module: String(parts[2]), start: Int64(parts[3])!,
                end: Int64(parts[3])! + 600, group: nil, at: t, endpoint: endpoint, minutes: nil)
    }

    mutating func finalState(_ id: String, _ state: String, at t: Int64) {
        history.assignments.append(AuditStoredAssignment(id: id, state: state, updatedAt: t))
    }

    mutating func deliver(_ type: String, id: String, staff: String, module: String, start: Int64, end: Int64, group: String?, at t: Int64,
                          endpoint: String, minutes: Int?) {
        var data: [String: Any] = ["id": id, "staff_id": staff, "module_id": module, "unit": "W", "role": "RN",
                                   "start": Self.text(start), "end": Self.text(end)]
        if let group { data["group"] = group }
        if let minutes { data["module"] = ["id": module, "minutes": minutes] }
        let body = try! JSONSerialization.data(withJSONObject: ["type": type, "timestamp": Self.text(t - 60), "data": data], options: [.sortedKeys])
        history.deliveries.append(AuditDelivery(endpoint: endpoint, webhookID: "msg_\(type)_\(id)", receivedAt: t, type: type, body: body))
    }

    static func text(_ t: Int64) -> String {
        let f = ISO8601DateFormatter()
        f.formatOptions = [.withInternetDateTime]
        return f.string(from: Date(timeIntervalSince1970: TimeInterval(t)))
    }

    func audit() -> AuditReport { Auditor().audit(history) }
}

extension AuditReport {
    func count(_ kind: Violation.Kind) -> Int { violations.filter { $0.kind == kind }.count }
    var kinds: Set<Violation.Kind> { Set(violations.map(\.kind)) }
}
