import Foundation

/// The xAPI vocabulary jitd uses: its own profile's IRIs and the registry verbs and activity
/// types it borrows. `docs/xapi-profile.jsonld` publishes it; `docs/xapi.md` says why each was chosen.
public enum XAPIVocabulary {
    /// The profile's IRI; every IRI jitd defines lives beneath it.
    public static let profile = "https://w3id.org/xapi/jitd"
    /// The profile version statements name in `context.contextActivities.category`.
    public static let profileVersion = profile + "/v1.0"
    /// What a profile version is, as a category activity (xAPI Profiles, part two, 1.1).
    public static let profileActivityType = "http://adlnet.gov/expapi/activities/profile"
    /// A training module of the catalog (ADL: content that is part of a course).
    public static let moduleActivityType = "http://adlnet.gov/expapi/activities/module"

    /// The verb of each kind: an IRI and its display, `en-US`.
    public static func verb(_ kind: LearningEvent.Kind) -> (id: String, display: String) {
        switch kind {
        case .assigned: ("https://w3id.org/xapi/acrossx/verbs/was-assigned", "was assigned")
        case .scheduled: ("http://activitystrea.ms/schema/1.0/schedule", "scheduled")
        case .acknowledged: ("http://activitystrea.ms/schema/1.0/acknowledge", "acknowledged")
        case .completed: ("http://adlnet.gov/expapi/verbs/completed", "completed")
        case .declined: ("http://activitystrea.ms/schema/1.0/reject", "declined")
        case .missed: (profile + "/verbs/missed", "missed")
        case .cancelled: (profile + "/verbs/had-session-cancelled", "had the session cancelled for")
        case .overdue: (profile + "/verbs/became-overdue", "became overdue for")
        }
    }

    /// Context extensions jitd defines.
    public enum Extension {
        /// The session: `{"id", "start", "end", "role", "group"?}`, times in RFC 3339 UTC.
        public static let session = profile + "/extensions/session"
        /// The care unit the person works on (a name from the roster).
        public static let unit = profile + "/extensions/unit"
        /// When the requirement is due (RFC 3339 UTC).
        public static let due = profile + "/extensions/due"
        /// The certification a requirement renews: `{"previous_completion", "lapses_at"}`.
        public static let renewal = profile + "/extensions/renewal"
        /// Why a session was cancelled (`roster_changed`, `completed_elsewhere`, …).
        public static let reason = profile + "/extensions/reason"
        /// Which spaced-reinforcement booster of the module (1 for the first): a short repeat
        /// placed some days after a completion.
        public static let booster = profile + "/extensions/booster"
        /// Activity definition extension: the module's kind, `online`, `drill` or `classroom`.
        public static let moduleKind = profile + "/extensions/module-kind"
        /// Activity definition extension: the module's length in minutes.
        public static let minutes = profile + "/extensions/minutes"

        public static let all = [session, unit, due, renewal, reason, booster, moduleKind, minutes]
    }

    /// The namespace of statement ids: the name-based UUID of the profile's IRI.
    public static let statementNamespace: [UInt8] = NameBasedUUID.bytes(NameBasedUUID.v5(namespace: NameBasedUUID.urlNamespace, name: profile))!
}

/// Builds the xAPI 1.0.3 statement of a ``LearningEvent`` for one learning record store.
///
/// The actor is always the person, identified by an account on the hospital's home page
/// (`{"homePage": …, "name": staff_id}`); their name is added only when the store is allowed
/// staff names, and jitd never sends an e-mail address. The object is the module, an activity
/// under `activityBase`. The statement id is a name-based UUID of the event's kind and identity,
/// so the same event always gives the same id. Keys are written sorted: the same event gives
/// the same bytes.
public struct XAPIStatementBuilder: Sendable, Hashable {
    /// The hospital's home page: where the staff ids of the actors' accounts come from.
    public var homePage: String
    /// The IRI modules hang from: a module's activity id is `activityBase/modules/ID`.
    public var activityBase: String
    /// The language of display texts and module titles (`context.language`).
    public var language: String

    public init(homePage: String, activityBase: String, language: String = "en-US") {
        self.homePage = homePage
        self.activityBase = activityBase.hasSuffix("/") ? String(activityBase.dropLast()) : activityBase
        self.language = language
    }

    /// The statement id of an event: the same for every attempt, redelivery and re-queueing.
    public static func statementID(_ e: LearningEvent) -> String {
        NameBasedUUID.v5(namespace: XAPIVocabulary.statementNamespace, name: e.kind.rawValue + "\u{1F}" + e.identity)
    }

    /// The registration of a session: every statement about one assignment shares it.
    public static func registration(assignmentID: String) -> String {
        NameBasedUUID.v5(namespace: XAPIVocabulary.statementNamespace, name: "assignment\u{1F}" + assignmentID)
    }

    /// The activity id of a module.
    public func activityID(module id: String) -> String {
        activityBase + "/modules/" + (id.addingPercentEncoding(withAllowedCharacters: Self.segment) ?? id)
    }

    /// Characters left as they are in a path segment of an IRI.
    static let segment = CharacterSet(charactersIn: "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~")

    /// The statement as a JSON value. `module` adds the activity's name and kind when the
    /// catalog knows it; `name` adds the actor's display name (only pass it when allowed).
    public func statement(_ e: LearningEvent, module: Module?, name: String? = nil) -> JSONValue {
        var actor: [String: JSONValue] = ["objectType": .string("Agent"),
                                          "account": .object(["homePage": .string(homePage), "name": .string(e.staffID)])]
        if let name, !name.isEmpty { actor["name"] = .string(name) }
        let verb = XAPIVocabulary.verb(e.kind)

        var definition: [String: JSONValue] = ["type": .string(XAPIVocabulary.moduleActivityType)]
        if let module {
            definition["name"] = .object([language: .string(module.title)])
            definition["extensions"] = .object([XAPIVocabulary.Extension.moduleKind: .string(module.kind.rawValue),
                                                XAPIVocabulary.Extension.minutes: .int(module.minutes)])
            if let url = module.url, URL(string: url)?.scheme != nil { definition["moreInfo"] = .string(url) }
        }
        let object: JSONValue = .object(["objectType": .string("Activity"), "id": .string(activityID(module: e.moduleID)),
                                         "definition": .object(definition)])

        var extensions: [String: JSONValue] = [:]
        if let unit = e.unit { extensions[XAPIVocabulary.Extension.unit] = .string(unit) }
        if let due = e.due { extensions[XAPIVocabulary.Extension.due] = .string(due.rfc3339) }
        if let r = e.renewal {
            extensions[XAPIVocabulary.Extension.renewal] = .object(["previous_completion": .string(r.previousCompletion.rfc3339),
                                                                    "lapses_at": .string(r.lapsesAt.rfc3339)])
        }
        if let reason = e.reason { extensions[XAPIVocabulary.Extension.reason] = .string(reason) }
        if let n = e.booster { extensions[XAPIVocabulary.Extension.booster] = .int(n) }
        var context: [String: JSONValue] = [
            "platform": .string("jitd"),
            "language": .string(language),
            "contextActivities": .object(["category": .array([.object([
                "objectType": .string("Activity"), "id": .string(XAPIVocabulary.profileVersion),
                "definition": .object(["type": .string(XAPIVocabulary.profileActivityType)]),
            ])])]),
        ]
        if let s = e.session {
            var session: [String: JSONValue] = ["id": .string(s.id), "start": .string(s.interval.start.rfc3339),
                                                "end": .string(s.interval.end.rfc3339), "role": .string(s.role)]
            if let g = s.group { session["group"] = .string(g) }
            extensions[XAPIVocabulary.Extension.session] = .object(session)
            context["registration"] = .string(Self.registration(assignmentID: s.id))
        }
        if !extensions.isEmpty { context["extensions"] = .object(extensions) }

        var statement: [String: JSONValue] = [
            "id": .string(Self.statementID(e)),
            "actor": .object(actor),
            "verb": .object(["id": .string(verb.id), "display": .object(["en-US": .string(verb.display)])]),
            "object": object,
            "context": .object(context),
            "timestamp": .string(e.at.rfc3339),
        ]
        switch e.kind {
        case .completed: statement["result"] = .object(["completion": .bool(true)])
        case .missed: statement["result"] = .object(["completion": .bool(false)])
        default: break
        }
        return .object(statement)
    }

    /// The statement ready for the outbox: its bytes, its id, and (for `scheduled`) held until
    /// the person is told of the session. `queuedAt` (default: when it happened) is when the
    /// outbox takes it, from which its age counts: a completion reported today may have happened
    /// a year ago.
    public func message(_ e: LearningEvent, module: Module?, name: String? = nil, queuedAt: Instant? = nil) -> WebhookEvent {
        WebhookEvent(statementID: Self.statementID(e), kind: e.kind, timestamp: max(e.at, queuedAt ?? e.at), unit: e.unit,
                     heldFor: e.kind == .scheduled ? e.session : nil, body: statement(e, module: module, name: name).encoded())
    }
}
