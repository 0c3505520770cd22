/// Something that happened to a person's training, as a Learning Record Store hears of it.
///
/// Each kind becomes one xAPI statement (``XAPIStatementBuilder``). Events about a session carry
/// its assignment; events about a requirement (``Kind/assigned``, ``Kind/overdue``) carry the
/// due date instead. Webhook events of the same happening map onto these with
/// ``init(webhook:)``, so an event is routed to webhooks and learning record stores in one place.
public struct LearningEvent: Sendable, Hashable {
    /// What happened. The raw values are the names `[[lrs]] events` takes.
    public enum Kind: String, Sendable, CaseIterable, Codable {
        /// A training requirement reached the person: they must complete the module (by a due date).
        case assigned
        /// A session of the module was placed in the person's shift and they were told.
        case scheduled
        /// The person acknowledged a session.
        case acknowledged
        /// The person completed the module (in a session, or as reported by the LMS).
        case completed
        /// The person declined a session.
        case declined
        /// A session the person was told of ended without a completion.
        case missed
        /// A session the person was told of was cancelled (roster change, completed elsewhere).
        case cancelled
        /// The person passed a due date, or let a certification lapse, untrained.
        case overdue

        /// The kind a webhook event type maps to, if any.
        public init?(webhookType: String) {
            switch webhookType {
            case "assignment.scheduled": self = .scheduled
            case "assignment.cancelled": self = .cancelled
            case "assignment.missed": self = .missed
            case "training.overdue": self = .overdue
            default: return nil
            }
        }

        /// The outbox's message type for this kind's statements (`xapi.completed`, …).
        public var messageType: String { "xapi." + rawValue }
    }

    /// A certification the requirement renews.
    public struct Renewal: Sendable, Hashable {
        /// The completion being renewed.
        public var previousCompletion: Instant
        /// When it stops being valid.
        public var lapsesAt: Instant

        public init(previousCompletion: Instant, lapsesAt: Instant) {
            self.previousCompletion = previousCompletion
            self.lapsesAt = lapsesAt
        }
    }

    public var kind: Kind
    public var staffID: String
    public var moduleID: String
    /// When it happened (the statement's `timestamp`).
    public var at: Instant
    /// The session concerned, for session events.
    public var session: Assignment?
    /// The unit the person works on, when known (every session event knows it).
    public var unit: String?
    public var due: Instant?
    public var renewal: Renewal?
    /// Why a session was cancelled.
    public var reason: String?
    /// Which spaced-reinforcement booster of the module this is about (1 for the first); `nil`
    /// for the module itself. A booster's statements name the module it reinforces.
    public var booster: Int?
    /// What makes this event this one and no other: the statement id is derived from it, so the
    /// same event always yields the same statement id.
    public var identity: String

    public init(kind: Kind, staffID: String, moduleID: String, at: Instant, session: Assignment? = nil, unit: String? = nil,
                due: Instant? = nil, renewal: Renewal? = nil, reason: String? = nil, booster: Int? = nil, identity: String) {
        self.kind = kind
        self.staffID = staffID
        self.moduleID = moduleID
        self.at = at
        self.session = session
        self.unit = unit ?? session?.unit
        self.due = due
        self.renewal = renewal
        self.reason = reason
        self.booster = booster
        self.identity = identity
    }

    // MARK: The events

    /// A session event: `scheduled`, `acknowledged`, `declined`, `missed` or `cancelled`. A
    /// booster's session (module `MODULE#booster-N`, ``Booster``) is about `MODULE`, booster N.
    public static func session(_ kind: Kind, _ a: Assignment, at: Instant, reason: String? = nil) -> LearningEvent {
        let b = Booster.parse(a.moduleID)
        return LearningEvent(kind: kind, staffID: a.staffID, moduleID: b?.module ?? a.moduleID, at: at, session: a, reason: reason,
                             booster: b?.number, identity: a.id)
    }

    /// A completion; `session` is the assignment it closed, if any. The same completion (person,
    /// module, instant) is the same event, whichever way it was reported.
    public static func completed(_ c: Completion, session: Assignment? = nil) -> LearningEvent {
        let b = Booster.parse(c.moduleID)
        return LearningEvent(kind: .completed, staffID: c.staffID, moduleID: b?.module ?? c.moduleID, at: c.completedAt, session: session,
                             booster: b?.number, identity: "\(c.staffID)\u{1F}\(c.moduleID)\u{1F}\(c.completedAt.seconds)")
    }

    /// A requirement that reached a person: once per person, module and cycle (a first
    /// requirement, or the renewal of one completion).
    public static func assigned(staffID: String, moduleID: String, unit: String?, due: Instant?, renewal: Renewal?,
                                at: Instant) -> LearningEvent {
        LearningEvent(kind: .assigned, staffID: staffID, moduleID: moduleID, at: at, unit: unit, due: due, renewal: renewal,
                      identity: "\(staffID)\u{1F}\(moduleID)\u{1F}\(renewal.map { String($0.previousCompletion.seconds) } ?? "first")")
    }

    /// A due date (or a lapse) passed untrained: once per person, module and due date.
    public static func overdue(staffID: String, moduleID: String, unit: String?, due: Instant, at: Instant) -> LearningEvent {
        LearningEvent(kind: .overdue, staffID: staffID, moduleID: moduleID, at: at, unit: unit, due: due,
                      identity: "\(staffID)\u{1F}\(moduleID)\u{1F}\(due.seconds)")
    }

    /// The learning event a webhook event records, read from its data as docs/integration.md shapes it:
    /// `assignment.scheduled`, `assignment.cancelled` and `assignment.missed` carry the
    /// assignment; `training.overdue` carries staff, module, due and unit. `nil` for other types
    /// and for data that lacks what the statement needs.
    public init?(webhook e: WebhookEvent) {
        guard let kind = Kind(webhookType: e.type) else { return nil }
        let d = e.data
        if kind == .overdue {
            guard let staff = d["staff_id"]?.string ?? d["staff"]?.object?["id"]?.string,
                  let module = d["module_id"]?.string ?? d["module"]?.object?["id"]?.string ?? d["module"]?.string,
                  let due = (d["due"]?.string).flatMap(Instant.init(rfc3339:)) else { return nil }
            self = .overdue(staffID: staff, moduleID: module, unit: d["unit"]?.string, due: due, at: e.timestamp)
            return
        }
        guard var a = Assignment(json: d) else { return nil }
        // A booster's body names the module it reinforces and the booster's number.
        if case .bool(true)? = d["booster"], case .int(let n)? = d["booster_number"] { a.moduleID = Booster.moduleID(a.moduleID, n) }
        self = .session(kind, a, at: e.timestamp, reason: d["reason"]?.string)
    }
}

extension Assignment {
    /// The assignment of a webhook body or plan document (``json``); `nil` when a field is missing.
    public init?(json d: [String: JSONValue]) {
        guard let id = d["id"]?.string, let staff = d["staff_id"]?.string, let unit = d["unit"]?.string,
              let role = d["role"]?.string,
              let module = d["module_id"]?.string ?? d["module"]?.object?["id"]?.string,
              let start = (d["start"]?.string).flatMap(Instant.init(rfc3339:)),
              let end = (d["end"]?.string).flatMap(Instant.init(rfc3339:)) else { return nil }
        self.init(id: id, staffID: staff, moduleID: module, unit: unit, role: role, interval: Interval(start: start, end: end),
                  group: d["group"]?.string)
    }
}
