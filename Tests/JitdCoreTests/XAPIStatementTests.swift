import Foundation
import Testing
@testable import JitdCore

/// xAPI statements: deterministic ids, the shape of each kind, the mapping from webhook events
/// (including `assignment.missed` and `training.overdue`, which the daemon's use cases send),
/// and the structural rules of xAPI 1.0.3.
@Suite struct XAPIStatementTests {
    let builder = XAPIStatementBuilder(homePage: "https://hospital.example.org", activityBase: "https://hospital.example.org/jitd")
    let module = Module(id: "sepsis-bundle-2026", title: "Sepsis hour-1 bundle update", minutes: 10, kind: .online, roles: ["RN"],
                        units: ["*"], priority: .high, published: Instant(seconds: 0), dueDays: 14,
                        url: "https://lms.example.org/launch/sepsis-bundle-2026")
    let session = Assignment(id: "a_00000000000000aa", staffID: "rn-104", moduleID: "sepsis-bundle-2026", unit: "MICU", role: "RN",
                             interval: Interval(start: Instant(rfc3339: "2026-11-24T14:20:00Z")!, end: Instant(rfc3339: "2026-11-24T14:30:00Z")!))
    let now = Instant(rfc3339: "2026-11-24T14:10:00Z")!
    var boosterSession: Assignment {
        var b = session
        b.id = "a_00000000000000bb"
        b.moduleID = Booster.moduleID(session.moduleID, 1)
        return b
    }

    @Test func sha1AndNameBasedUUIDsMatchTheStandard() {
        // FIPS 180 examples, and uuid.uuid5 of Python's standard library.
        #expect(SHA1.hash(Array("abc".utf8)).map { String(format: "%02x", $0) }.joined() == "a9993e364706816aba3e25717850c26c9cd0d89d")
        #expect(SHA1.hash([UInt8](repeating: 0x61, count: 1000)).map { String(format: "%02x", $0) }.joined()
                == "291e9a6c66994949b57ba5e650361e98fc36b1ba")
        #expect(NameBasedUUID.v5(namespace: NameBasedUUID.urlNamespace, name: "") == "1b4db7eb-4057-5ddf-91e0-36dec72071f5")
        #expect(NameBasedUUID.v5(namespace: NameBasedUUID.urlNamespace, name: String(repeating: "x", count: 100))
                == "c4956a8f-abe3-5d39-8dfa-4bf25e22e84b")
        #expect(NameBasedUUID.v5(namespace: NameBasedUUID.urlNamespace, name: XAPIVocabulary.profile) == "1d9c3113-cb42-5029-9b59-19c34e60f1ab")
        #expect(NameBasedUUID.v5(namespace: XAPIVocabulary.statementNamespace, name: "scheduled\u{1F}a_0123") == "cbad8ba4-78c0-556b-a604-d2e4a9e9efea",
                "the id an integrator computes with uuid5(uuid5(NAMESPACE_URL, profile), kind + US + identity)")
    }

    @Test func theSameEventHasTheSameIdAndBytes() {
        let a = builder.message(.session(.scheduled, session, at: now), module: module)
        let b = builder.message(.session(.scheduled, session, at: now), module: module)
        #expect(a.id == b.id && a.body == b.body)
        let other = builder.message(.session(.declined, session, at: now), module: module)
        #expect(other.id != a.id, "another kind of event about the same session is another statement")
        // A completion is identified by person, module and instant, however it was reported.
        let viaSession = LearningEvent.completed(Completion(staffID: "rn-104", moduleID: module.id, completedAt: now), session: session)
        let viaLMS = LearningEvent.completed(Completion(staffID: "rn-104", moduleID: module.id, completedAt: now))
        #expect(XAPIStatementBuilder.statementID(viaSession) == XAPIStatementBuilder.statementID(viaLMS))
    }

    @Test func aScheduledStatementIsHeldForItsSession() {
        let m = builder.message(.session(.scheduled, session, at: now), module: module)
        #expect(m.type == "xapi.scheduled" && m.assignmentID == session.id)
        #expect(m.notBefore == session.interval.start && m.expiresAt == session.interval.start)
        for kind in [LearningEvent.Kind.acknowledged, .declined, .missed, .cancelled] {
            let e = builder.message(.session(kind, session, at: now), module: module)
            #expect(e.assignmentID == nil && e.expiresAt == nil && e.notBefore == nil, "\(kind) records what happened: never held, never expires")
        }
    }

    @Test func theActorIsAnAccountOnTheHospitalsHomePage() throws {
        let s = try #require(builder.statement(.session(.scheduled, session, at: now), module: module).object)
        #expect(s["actor"] == .object(["objectType": .string("Agent"),
                                       "account": .object(["homePage": .string("https://hospital.example.org"), "name": .string("rn-104")])]))
        let named = try #require(builder.statement(.session(.scheduled, session, at: now), module: module, name: "Ana Ruiz").object)
        #expect(named["actor"]?.object?["name"] == .string("Ana Ruiz"), "a name only when the store is allowed names")
        let text = String(decoding: builder.message(.session(.scheduled, session, at: now), module: module).body, as: UTF8.self)
        #expect(!text.contains("mbox") && !text.contains("@"), "never an e-mail address")
    }

    @Test func everyKindBuildsAValidStatement() throws {
        let c = Completion(staffID: "rn-104", moduleID: module.id, completedAt: now)
        let events: [LearningEvent] = [
            .assigned(staffID: "rn-104", moduleID: module.id, unit: "MICU", due: now.adding(seconds: 86_400 * 14), renewal: nil, at: now),
            .assigned(staffID: "rn-104", moduleID: module.id, unit: "MICU", due: now,
                      renewal: .init(previousCompletion: now.adding(seconds: -86_400 * 365), lapsesAt: now), at: now),
            .session(.scheduled, boosterSession, at: now),
            .session(.acknowledged, session, at: now),
            .completed(c, session: session),
            .completed(c),
            .session(.declined, session, at: now),
            .session(.missed, session, at: now),
            .session(.cancelled, session, at: now, reason: "roster_changed"),
            .overdue(staffID: "rn-104", moduleID: module.id, unit: "MICU", due: now, at: now),
        ]
        #expect(Set(events.map(\.kind)) == Set(LearningEvent.Kind.allCases))
        for e in events {
            for m in [module, nil] {
                let s = builder.statement(e, module: m)
                #expect(XAPIStatementRules.problems(s) == [], "\(e.kind): \(String(decoding: s.encoded(), as: UTF8.self))")
                let o = try #require(s.object)
                #expect(o["verb"]?.object?["id"]?.string == XAPIVocabulary.verb(e.kind).id)
                #expect(o["object"]?.object?["id"] == .string("https://hospital.example.org/jitd/modules/sepsis-bundle-2026"))
                let category = o["context"]?.object?["contextActivities"]?.object?["category"]?.array?.first?.object
                #expect(category?["id"] == .string(XAPIVocabulary.profileVersion), "every statement names the profile")
            }
        }
    }

    @Test func sessionsAndRequirementsCarryTheirContext() throws {
        let s = try #require(builder.statement(.session(.scheduled, session, at: now), module: module).object)
        let context = try #require(s["context"]?.object)
        #expect(context["registration"] == .string(XAPIStatementBuilder.registration(assignmentID: session.id)))
        let ext = try #require(context["extensions"]?.object)
        #expect(ext[XAPIVocabulary.Extension.unit] == .string("MICU"))
        #expect(ext[XAPIVocabulary.Extension.session] == .object([
            "id": .string(session.id), "start": .string("2026-11-24T14:20:00Z"), "end": .string("2026-11-24T14:30:00Z"),
            "role": .string("RN")]))
        let definition = try #require(s["object"]?.object?["definition"]?.object)
        #expect(definition["name"] == .object(["en-US": .string("Sepsis hour-1 bundle update")]))
        #expect(definition["moreInfo"] == .string("https://lms.example.org/launch/sepsis-bundle-2026"))
        #expect(s["timestamp"] == .string("2026-11-24T14:10:00Z"))

        let lapse = Instant(rfc3339: "2026-12-01T00:00:00Z")!
        let renewal = try #require(builder.statement(.assigned(staffID: "rn-104", moduleID: module.id, unit: "MICU", due: lapse,
                                                               renewal: .init(previousCompletion: Instant(rfc3339: "2025-12-01T00:00:00Z")!, lapsesAt: lapse),
                                                               at: now), module: module).object)
        let rext = try #require(renewal["context"]?.object?["extensions"]?.object)
        #expect(rext[XAPIVocabulary.Extension.due] == .string("2026-12-01T00:00:00Z"))
        #expect(rext[XAPIVocabulary.Extension.renewal] == .object(["previous_completion": .string("2025-12-01T00:00:00Z"),
                                                                   "lapses_at": .string("2026-12-01T00:00:00Z")]))
        #expect(renewal["context"]?.object?["registration"] == nil, "a requirement is not a session")

        let done = try #require(builder.statement(.completed(Completion(staffID: "rn-104", moduleID: module.id, completedAt: now)), module: nil).object)
        #expect(done["result"] == .object(["completion": .bool(true)]))
        #expect(builder.statement(.session(.missed, session, at: now), module: nil).object?["result"] == .object(["completion": .bool(false)]))
    }

    @Test func moduleIdsAreEscapedIntoTheActivityIRI() {
        #expect(builder.activityID(module: "hand hygiene/2026") == "https://hospital.example.org/jitd/modules/hand%20hygiene%2F2026")
        let trailing = XAPIStatementBuilder(homePage: "https://h.example", activityBase: "https://h.example/lms/")
        #expect(trailing.activityID(module: "m") == "https://h.example/lms/modules/m")
    }

    // MARK: From webhook events

    @Test func scheduledAndCancelledComeFromTheirWebhookEvents() throws {
        let scheduled = try #require(LearningEvent(webhook: .assignmentScheduled(session, module: module, name: "Ana", at: now)))
        #expect(scheduled == .session(.scheduled, session, at: now))
        let cancelled = try #require(LearningEvent(webhook: .assignmentCancelled(session, reason: "roster_changed", at: now)))
        #expect(cancelled.kind == .cancelled && cancelled.reason == "roster_changed" && cancelled.session == session)
        #expect(LearningEvent(webhook: .belowMinimum(UnderstaffedWindow(unit: "MICU", role: "RN", interval: session.interval, shortBy: 1), at: now)) == nil)
    }

    /// `assignment.missed` (SPEC: the assignment) and `training.overdue` (SPEC: staff, module,
    /// due; issue 18: with the unit) as the daemon builds them.
    @Test func missedAndOverdueMapFromTheirSpecShapes() throws {
        let missed = try #require(LearningEvent(webhook: .assignmentMissed(session, at: now)))
        #expect(missed.kind == .missed && missed.session == session && missed.booster == nil && missed.identity == session.id)
        // A booster's webhook body names the module and the booster's number; so does its statement.
        let boosted = try #require(LearningEvent(webhook: .assignmentMissed(boosterSession, at: now)))
        #expect(boosted.moduleID == module.id && boosted.booster == 1 && boosted.session == boosterSession)
        let ext = builder.statement(boosted, module: module).object?["context"]?.object?["extensions"]?.object
        #expect(ext?[XAPIVocabulary.Extension.booster] == .int(1))
        #expect(builder.statement(boosted, module: module).object?["object"]?.object?["id"] == .string(builder.activityID(module: module.id)))
        let boosterDone = LearningEvent.completed(Completion(staffID: "rn-104", moduleID: boosterSession.moduleID, completedAt: now))
        #expect(boosterDone.moduleID == module.id && boosterDone.booster == 1)
        #expect(XAPIStatementBuilder.statementID(boosterDone)
                != XAPIStatementBuilder.statementID(.completed(Completion(staffID: "rn-104", moduleID: module.id, completedAt: now))),
                "a booster completed is not the module completed")

        let due = Instant(rfc3339: "2026-11-20T00:00:00Z")!
        for shape: [String: JSONValue] in [
            ["staff_id": .string("rn-104"), "module_id": .string(module.id), "due": .string(due.rfc3339), "unit": .string("MICU")],
            ["staff_id": .string("rn-104"), "module": .object(["id": .string(module.id), "title": .string("x")]),
             "due": .string(due.rfc3339), "unit": .string("MICU")],
        ] {
            let overdue = try #require(LearningEvent(webhook: WebhookEvent(id: "msg_2", type: "training.overdue", timestamp: now,
                                                                           unit: "MICU", data: shape)))
            #expect(overdue == .overdue(staffID: "rn-104", moduleID: module.id, unit: "MICU", due: due, at: now))
        }
        let incomplete = WebhookEvent(id: "msg_3", type: "training.overdue", timestamp: now, unit: nil, data: ["staff_id": .string("rn-104")])
        #expect(LearningEvent(webhook: incomplete) == nil, "without module and due there is no statement to make")
    }

    /// docs/xapi-profile.jsonld publishes the vocabulary: every IRI jitd defines is a concept of
    /// it, and every kind of statement has a template with its verb.
    @Test func theProfileDocumentDescribesWhatIsSent() throws {
        let file = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("docs/xapi-profile.jsonld")
        let doc = try #require(try JSONDecoder().decode(JSONValue.self, from: Data(contentsOf: file)).object)
        #expect(doc["id"] == .string(XAPIVocabulary.profile))
        #expect(doc["versions"]?.array?.first?.object?["id"] == .string(XAPIVocabulary.profileVersion))
        let concepts = try #require(doc["concepts"]?.array).compactMap(\.object)
        let ids = Set(concepts.compactMap { $0["id"]?.string })
        for c in concepts {
            #expect(c["prefLabel"]?.object?["en"] != nil && c["definition"]?.object?["en"] != nil, "\(c)")
            #expect(c["inScheme"] == .string(XAPIVocabulary.profileVersion))
        }
        for e in XAPIVocabulary.Extension.all { #expect(ids.contains(e), "\(e) is described") }
        let templates = try #require(doc["templates"]?.array).compactMap(\.object)
        for kind in LearningEvent.Kind.allCases {
            let verb = XAPIVocabulary.verb(kind).id
            if verb.hasPrefix(XAPIVocabulary.profile) { #expect(ids.contains(verb), "\(verb) is described") }
            #expect(templates.contains { $0["verb"] == .string(verb) && $0["id"]?.string?.hasSuffix("/" + kind.rawValue) == true },
                    "a template for \(kind)")
        }
        #expect(Set(concepts.filter { $0["type"] == .string("Verb") }.compactMap { $0["id"]?.string })
                == Set(LearningEvent.Kind.allCases.map { XAPIVocabulary.verb($0).id }.filter { $0.hasPrefix(XAPIVocabulary.profile) }),
                "only the verbs jitd defines are its concepts; the others are the registry's")
    }

    // MARK: The rules themselves

    @Test func theRulesCatchWhatAnLRSWouldRefuse() {
        func broken(_ edit: (inout [String: JSONValue]) -> Void) -> [String] {
            var s = builder.statement(.session(.scheduled, session, at: now), module: module).object!
            edit(&s)
            return XAPIStatementRules.problems(.object(s))
        }
        #expect(!broken { $0["id"] = .string("not-a-uuid") }.isEmpty)
        #expect(!broken { $0["verb"] = .object(["id": .string("scheduled")]) }.isEmpty, "a verb id must be an IRI")
        #expect(!broken { $0["actor"] = .object(["name": .string("Ana")]) }.isEmpty, "an agent needs an identifier")
        #expect(!broken { $0["actor"] = .object(["mbox": .string("mailto:a@b"), "account": .object(["homePage": .string("https://h"), "name": .string("x")])]) }.isEmpty)
        #expect(!broken { $0["timestamp"] = .string("yesterday") }.isEmpty)
        #expect(!broken { $0["stored"] = .string("2026-11-24T00:00:00Z") }.isEmpty, "stored is the LRS's")
        #expect(!broken { $0["context"] = .object(["language": .string("english!")]) }.isEmpty)
        #expect(!broken { $0["context"] = .object(["extensions": .object(["unit": .string("MICU")])]) }.isEmpty, "extension keys are IRIs")
        #expect(!broken { $0["colour"] = .string("red") }.isEmpty)
    }
}
