import Foundation

/// A training session as receivers were told of it, with what became of it.
struct Session {
    var id: String
    var staff: String
    var module: String
    var unit: String
    var role: String
    var start: Int64
    var end: Int64
    var group: String?
    /// The event's own time (`timestamp` of the body): when the plan that made it was saved.
    var scheduledAt: Int64
    /// The module's minutes as the message gave them.
    var minutes: Int?
    /// When a receiver first got its `assignment.scheduled`.
    var toldAt: Int64
    /// When a receiver first got its `assignment.cancelled`, if one did.
    var cancelReceivedAt: Int64?
    /// The last `assignment.scheduled` a receiver got, to see one arriving after a cancellation.
    var lastToldAt: Int64
    /// The store's final state and when it was last changed.
    var finalState: String?
    var finalUpdatedAt: Int64?

    /// SPEC's sessions that take a person away, read from what receivers were told: a receiver
    /// got its `assignment.scheduled` before its start, no `assignment.cancelled` reached a
    /// receiver before its start, and it was not declined before its start. A no-show still
    /// counts: the unit believed the person away.
    var inEffect: Bool {
        guard toldAt < start else { return false }
        if let c = cancelReceivedAt, c < start { return false }
        if finalState == "declined", let at = finalUpdatedAt, at < start { return false }
        return true
    }

    /// SPEC's caps and spacing count every session of the person "whatever its state and whether
    /// it has ended", except declined and cancelled ones: a session in effect that the person
    /// declined, or whose `assignment.cancelled` reached a receiver, at any time, does not count.
    var countsTowardCaps: Bool {
        inEffect && finalState != "declined" && cancelReceivedAt == nil
    }

    var interval: Range<Int64> { start..<end }
}

/// What the receivers' messages say, assignment by assignment.
struct ToldSessions {
    var sessions: [Session] = []
    /// Deliveries whose body could not be read as an assignment event.
    var unreadable = 0
    /// Sessions whose `assignment.scheduled` reached a receiver again after an `assignment.cancelled` of it.
    var toldAfterCancel = 0
    /// Why told sessions were cancelled (the first `assignment.cancelled` of each), by reason.
    var cancelReasons: [String: Int] = [:]

    init(_ deliveries: [AuditDelivery], final: [AuditStoredAssignment]) {
        let finalByID = Dictionary(final.map { ($0.id, $0) }, uniquingKeysWith: { a, _ in a })
        var byID: [String: Session] = [:]
        var order: [String] = []
        var cancels: [String: Int64] = [:]
        var reasons: [String: String] = [:]
        for d in deliveries where d.type == "assignment.scheduled" || d.type == "assignment.cancelled" {
            guard let a = AssignmentBody(d.body) else { unreadable += 1; continue }
            if d.type == "assignment.cancelled" {
                if d.receivedAt < cancels[a.id] ?? Int64.max {
                    cancels[a.id] = d.receivedAt
                    reasons[a.id] = a.reason ?? "(none)"
                }
                continue
            }
            if var s = byID[a.id] {
                s.toldAt = min(s.toldAt, d.receivedAt)
                s.lastToldAt = max(s.lastToldAt, d.receivedAt)
                byID[a.id] = s
            } else {
                order.append(a.id)
                byID[a.id] = Session(id: a.id, staff: a.staff, module: a.module, unit: a.unit, role: a.role, start: a.start, end: a.end,
                                     group: a.group, scheduledAt: a.timestamp, minutes: a.minutes, toldAt: d.receivedAt,
                                     cancelReceivedAt: nil, lastToldAt: d.receivedAt,
                                     finalState: finalByID[a.id]?.state, finalUpdatedAt: finalByID[a.id]?.updatedAt)
            }
        }
        for id in order {
            var s = byID[id]!
            s.cancelReceivedAt = cancels[id]
            if let c = s.cancelReceivedAt, s.lastToldAt > c { toldAfterCancel += 1 }
            if let r = reasons[id] { cancelReasons[r, default: 0] += 1 }
            sessions.append(s)
        }
        sessions.sort { ($0.start, $0.id) < ($1.start, $1.id) }
    }
}

/// The assignment in an `assignment.*` body, read with Foundation's JSON parser.
struct AssignmentBody {
    var id: String, staff: String, module: String, unit: String, role: String
    var start: Int64, end: Int64, timestamp: Int64
    var group: String?
    var minutes: Int?
    var reason: String?

    init?(_ body: Data) {
        guard let top = (try? JSONSerialization.jsonObject(with: body)) as? [String: Any],
              let data = top["data"] as? [String: Any],
              let id = data["id"] as? String, let staff = data["staff_id"] as? String, let module = data["module_id"] as? String,
              let unit = data["unit"] as? String, let role = data["role"] as? String,
              let start = (data["start"] as? String).flatMap(Self.instant), let end = (data["end"] as? String).flatMap(Self.instant),
              let timestamp = (top["timestamp"] as? String).flatMap(Self.instant)
        else { return nil }
        self.id = id
        self.staff = staff
        self.module = module
        self.unit = unit
        self.role = role
        self.start = start
        self.end = end
        self.timestamp = timestamp
        group = data["group"] as? String
        minutes = (data["module"] as? [String: Any])?["minutes"] as? Int
        reason = data["reason"] as? String
    }

    /// An RFC 3339 instant (`Z` or an offset, optional fraction), to the second.
    static func instant(_ text: String) -> Int64? {
        let b = Array(text.utf8)
        func num(_ i: Int, _ n: Int) -> Int64? {
            guard i + n <= b.count else { return nil }
            var v: Int64 = 0
            for k in i..<(i + n) {
                guard b[k] >= 48 && b[k] <= 57 else { return nil }
                v = v * 10 + Int64(b[k] - 48)
            }
            return v
        }
        guard b.count >= 20, let y = num(0, 4), let mo = num(5, 2), let d = num(8, 2), let h = num(11, 2), let mi = num(14, 2),
              let s = num(17, 2), b[4] == 45, b[7] == 45, b[10] == 84 || b[10] == 116, b[13] == 58, b[16] == 58 else { return nil }
        var i = 19
        if i < b.count && b[i] == 46 {
            i += 1
            while i < b.count && b[i] >= 48 && b[i] <= 57 { i += 1 }
        }
        guard i < b.count else { return nil }
        var offset: Int64 = 0
        if b[i] == 90 || b[i] == 122 {
            guard i + 1 == b.count else { return nil }
        } else {
            guard b[i] == 43 || b[i] == 45, i + 6 == b.count, let oh = num(i + 1, 2), let om = num(i + 4, 2) else { return nil }
            offset = (oh * 3600 + om * 60) * (b[i] == 45 ? -1 : 1)
        }
        return daysFromCivil(y, mo, d) * 86_400 + h * 3600 + mi * 60 + s - offset
    }
}

/// Days from 1970-01-01 to a proleptic Gregorian date (Howard Hinnant's algorithm).
func daysFromCivil(_ y0: Int64, _ m: Int64, _ d: Int64) -> Int64 {
    let y = m <= 2 ? y0 - 1 : y0
    let era = (y >= 0 ? y : y - 399) / 400
    let yoe = y - era * 400
    let doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy
    return era * 146_097 + doe - 719_468
}
