import Foundation

/// An event for integrators: its type, when it happened, and its JSON body. It is also what the
/// outbox queues for a learning record store: then the body is an xAPI statement
/// (``init(statementID:kind:timestamp:unit:heldFor:body:)``).
///
/// The body is built once, when the event is queued, and then sent byte for byte on every
/// attempt, as Standard Webhooks requires.
public struct WebhookEvent: Sendable, Hashable {
    public var id: String
    public var type: String
    public var timestamp: Instant
    /// The unit it concerns, for endpoints that filter by unit.
    public var unit: String?
    public var assignmentID: String?
    /// When an `assignment.*` message stops being useful: the assignment's start.
    public var expiresAt: Instant?
    /// The message is not sent before this instant, whatever the caller queues it for.
    public var notBefore: Instant?
    /// The event's data, as in the body (empty for a statement).
    public var data: [String: JSONValue]
    public var body: Data

    public init(id: String, type: String, timestamp: Instant, unit: String?, assignmentID: String? = nil,
                expiresAt: Instant? = nil, data: [String: JSONValue]) {
        self.id = id
        self.type = type
        self.timestamp = timestamp
        self.unit = unit
        self.assignmentID = assignmentID
        self.expiresAt = expiresAt
        self.data = data
        self.body = JSONValue.object(["type": .string(type), "timestamp": .string(timestamp.rfc3339), "data": .object(data)]).encoded()
    }

    /// An xAPI statement for a learning record store, queued like a webhook event (its id is the
    /// statement's id; `timestamp` is when it is queued, the statement's own is in the body). A statement records something that has happened, so it never expires,
    /// with one exception: `heldFor`, the session a `scheduled` statement announces. That one is
    /// held (not sent) until the person is told of the session, when the outbox releases it (see
    /// `OutboxSQL.releaseStatements`); if they never are, it expires at the session's start.
    public init(statementID: String, kind: LearningEvent.Kind, timestamp: Instant, unit: String?,
                heldFor session: Assignment? = nil, body: Data) {
        self.id = statementID
        self.type = kind.messageType
        self.timestamp = timestamp
        self.unit = unit
        self.assignmentID = session?.id
        self.expiresAt = session?.interval.start
        self.notBefore = session?.interval.start
        self.data = [:]
        self.body = body
    }

    /// A message id with no `.` in it, stable for the same event.
    public static func makeID(_ parts: String...) -> String {
        "msg_" + StableHash.hex(parts.joined(separator: "\u{1F}")) + StableHash.hex(parts.reversed().joined(separator: "\u{1E}"))
    }

    // MARK: The events of docs/integration.md

    /// `module` is the catalog's module; for a booster (`a.moduleID` is `MODULE#booster-N`),
    /// the module it reinforces, with the booster's length.
    /// `confirmBy`: for a drill member, when its team must be confirmed (`Module.teamConfirmedBy`);
    /// the message expires then instead of at the start.
    public static func assignmentScheduled(_ a: Assignment, module: Module, name: String?, at now: Instant,
                                           confirmBy: Instant? = nil) -> WebhookEvent {
        var data = a.json
        data["module"] = .object(["id": .string(module.id), "title": .string(module.title),
                                  "minutes": .int(Int(a.interval.seconds / 60)), "url": module.url.map(JSONValue.string) ?? .null,
                                  "kind": .string(module.kind.rawValue)])
        if let name { data["staff_name"] = .string(name) }
        return WebhookEvent(id: makeID("assignment.scheduled", a.id), type: "assignment.scheduled", timestamp: now,
                            unit: a.unit, assignmentID: a.id, expiresAt: confirmBy ?? a.interval.start, data: data)
    }

    public static func assignmentCancelled(_ a: Assignment, reason: String, at now: Instant) -> WebhookEvent {
        var data = a.json
        data["reason"] = .string(reason)
        return WebhookEvent(id: makeID("assignment.cancelled", a.id), type: "assignment.cancelled", timestamp: now,
                            unit: a.unit, assignmentID: a.id, data: data)
    }

    /// A notified or acknowledged session ended without a completion; its need is placed again.
    public static func assignmentMissed(_ a: Assignment, at now: Instant) -> WebhookEvent {
        WebhookEvent(id: makeID("assignment.missed", a.id), type: "assignment.missed", timestamp: now,
                     unit: a.unit, assignmentID: a.id, data: a.json)
    }

    /// A unit with coverage rules has no shift in the next `horizon_hours`: planning for it has
    /// stopped until a roster arrives. Once per stale spell (`since` is when it began).
    public static func rosterStale(unit: String, lastShiftEnd: Instant?, since: Instant, horizonHours: Int, at now: Instant) -> WebhookEvent {
        WebhookEvent(id: makeID("roster.stale", unit, "\(since.seconds)"), type: "roster.stale", timestamp: now, unit: unit,
                     data: ["unit": .string(unit), "last_shift_end": lastShiftEnd.map { .string($0.rfc3339) } ?? .null,
                            "since": .string(since.rfc3339), "horizon_hours": .int(horizonHours)])
    }

    /// A person passed a module's due date, or the lapse of its recertification, untrained.
    /// Once per person, module and due date. Carries the person's unit, so that an integration
    /// can route it to the unit's manager.
    public static func trainingOverdue(staffID: String, moduleID: String, title: String, unit: String, due: Instant,
                                       recertification: Bool, at now: Instant) -> WebhookEvent {
        WebhookEvent(id: makeID("training.overdue", staffID, moduleID, "\(due.seconds)"), type: "training.overdue", timestamp: now,
                     unit: unit,
                     data: ["staff_id": .string(staffID), "module_id": .string(moduleID), "module_title": .string(title),
                            "unit": .string(unit), "due": .string(due.rfc3339), "recertification": .bool(recertification)])
    }

    public static func rosterAccepted(file: String, sha256: String, shifts: Int, busy: Int, units: [String],
                                      replaced: Int, at now: Instant) -> WebhookEvent {
        WebhookEvent(id: makeID("roster.accepted", sha256, file), type: "roster.accepted", timestamp: now, unit: nil,
                     data: ["file": .string(file), "sha256": .string(sha256), "shifts": .int(shifts), "busy_blocks": .int(busy),
                            "units": .array(units.map(JSONValue.string)), "replaced": .int(replaced)])
    }

    public static func rosterRejected(file: String, sha256: String, errors: [String], at now: Instant) -> WebhookEvent {
        WebhookEvent(id: makeID("roster.rejected", sha256, file), type: "roster.rejected", timestamp: now, unit: nil,
                     data: ["file": .string(file), "sha256": .string(sha256), "errors": .array(errors.prefix(100).map(JSONValue.string)),
                            "error_count": .int(errors.count)])
    }

    public static func belowMinimum(_ w: UnderstaffedWindow, at now: Instant) -> WebhookEvent {
        WebhookEvent(id: makeID("staffing.below_minimum", w.unit, w.role, "\(w.interval.start.seconds)", "\(w.interval.end.seconds)"),
                     type: "staffing.below_minimum", timestamp: now, unit: w.unit,
                     data: ["unit": .string(w.unit), "role": .string(w.role), "from": .string(w.interval.start.rfc3339),
                            "to": .string(w.interval.end.rfc3339), "short_by": .int(w.shortBy)])
    }
}

extension Assignment {
    /// The assignment as it appears in plan documents and webhook bodies.
    public var json: [String: JSONValue] {
        var d: [String: JSONValue] = ["id": .string(id), "staff_id": .string(staffID), "module_id": .string(moduleID),
                                      "unit": .string(unit), "role": .string(role),
                                      "start": .string(interval.start.rfc3339), "end": .string(interval.end.rfc3339)]
        if let group { d["group"] = .string(group) }
        if let b = Booster.parse(moduleID) {
            d["module_id"] = .string(b.module)
            d["booster"] = .bool(true)
            d["booster_number"] = .int(b.number)
        }
        return d
    }
}
