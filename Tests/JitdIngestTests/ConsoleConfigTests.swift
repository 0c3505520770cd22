import Testing
@testable import JitdCore
@testable import JitdIngest

/// `[console]` and the console's module form, read as the rest of the config and the catalog are.
@Suite struct ConsoleConfigTests {
    @Test func consoleDefaultsAndValues() throws {
        #expect(try ConfigLoader.parse(text: "", file: "/etc/jitd/jitd.toml").value.console == ConsoleConfig())
        let c = try ConfigLoader.parse(text: """
            [console]
            trusted_proxies = ["127.0.0.1/32", "::1/128"]
            user_header = "X-Forwarded-User"
            proxy_role = "none"
            feed_secret_file = "secrets/feeds"
            secure_cookies = "always"
            session_hours = 8
            idle_minutes = 30
            """, file: "/etc/jitd/jitd.toml").value.console
        #expect(c.trustedProxies == ["127.0.0.1/32", "::1/128"])
        #expect(c.userHeader == "X-Forwarded-User")
        #expect(c.proxyRole == nil)
        #expect(c.feedSecretFile == "/etc/jitd/secrets/feeds")
        #expect(c.secureCookies == .always)
        #expect(c.sessionHours == 8 && c.idleMinutes == 30)
    }

    @Test func consoleMistakesAreErrorsWithTheirLines() {
        let text = """
            [console]
            trusted_proxies = ["10.0.0.300/8"]
            user_header = "X Remote User"
            proxy_role = "superuser"
            secure_cookies = "yes"
            session_hours = 0
            sso = true
            """
        do {
            _ = try ConfigLoader.parse(text: text, file: "jitd.toml")
            Issue.record("accepted")
        } catch {
            let lines = error.errors.map { "\($0.line ?? 0): \($0.message)" }
            #expect(lines.contains { $0.hasPrefix("2: '10.0.0.300/8' in [console] trusted_proxies is not a CIDR") }, "\(lines)")
            #expect(lines.contains { $0.hasPrefix("3: [console] user_header 'X Remote User' is not a header name") }, "\(lines)")
            #expect(lines.contains { $0.hasPrefix("4: [console] proxy_role is 'superuser'") }, "\(lines)")
            #expect(lines.contains { $0.hasPrefix("5: [console] secure_cookies is 'yes'") }, "\(lines)")
            #expect(lines.contains { $0.hasPrefix("6: 'console.session_hours' is 0") }, "\(lines)")
            #expect(lines.contains { $0.hasPrefix("7: unknown key 'console.sso'") }, "\(lines)")
        }
    }

    static let file = Module(id: "sepsis-basics", title: "Sepsis basics", minutes: 10, roles: ["RN"], published: Instant(seconds: 0))

    static func read(_ form: [String: String]) -> Result<(Module, warnings: [FormProblem]), FormProblems> {
        PublishedModuleParser.parse(form, zone: Zone("America/New_York")!, catalog: [file], fileCatalogIDs: [file.id])
    }

    @Test func aFormIsReadAsACatalogFileIs() throws {
        let form = ["id": "oxygen", "title": "Oxygen \"cylinder\" safety", "minutes": "5", "kind": "online", "roles": "RN, CNA",
                    "units": "MICU", "priority": "critical", "published": "2026-11-20", "due_days": "7", "prerequisites": "sepsis-basics"]
        let (m, _) = try Self.read(form).get()
        #expect(m.title == "Oxygen \"cylinder\" safety" && m.roles == ["RN", "CNA"] && m.units == ["MICU"] && m.priority == .critical)
        #expect(m.published == Instant(rfc3339: "2026-11-20T05:00:00Z"))
        #expect(m.prerequisites == ["sepsis-basics"])
        // The form of the module reads back to the same module.
        let again = try Self.read(PublishedModuleParser.form(of: m, zone: Zone("America/New_York")!)).get().0
        #expect(again == m)
    }

    @Test func aFormGetsTheCatalogsMessagesOnItsFields() throws {
        guard case .failure(let p) = Self.read(["id": "x", "title": "X", "minutes": "500", "roles": "RN", "kind": "drill",
                                                "prerequisites": "nowhere", "due_days": "soon"]) else {
            Issue.record("accepted"); return
        }
        let byField = Dictionary(grouping: p.items, by: { $0.field ?? "" }).mapValues { $0.map(\.message) }
        #expect(byField["minutes"] == ["'module[0].minutes' is 500; it must be between 1 and 240"])
        #expect(byField["due_days"] == ["'module[0].due_days' must be an integer, not a string"])
        #expect(p.items.contains { $0.message == "a drill needs 'group_min' and 'group_max' (team size bounds)" })
        guard case .failure(let missing) = Self.read(["title": "No id"]) else { Issue.record("accepted"); return }
        #expect(missing.items.contains { $0.field == "id" && $0.message == "missing required key 'module[0].id'; add it" })
        #expect(missing.items.contains { $0.field == "roles" })
        guard case .failure(let prereq) = Self.read(["id": "y", "title": "Y", "minutes": "5", "roles": "RN", "prerequisites": "nowhere"]) else {
            Issue.record("accepted"); return
        }
        #expect(prereq.items.filter(\.isError).map(\.message) == ["module 'y' has prerequisite 'nowhere', which is not in the catalog; add that module or remove the prerequisite"])
    }

    @Test func aFileCatalogsIdCannotBeTaken() {
        guard case .failure(let p) = Self.read(["id": "sepsis-basics", "title": "Mine now", "minutes": "5", "roles": "RN"]) else {
            Issue.record("accepted"); return
        }
        #expect(p.items.filter(\.isError).map(\.message) == ["module id 'sepsis-basics' belongs to the file catalog; a module published in the console cannot take it over: choose another id"])
        #expect(p.items.first(where: \.isError)?.field == "id")
    }
}
