import Testing
@testable import JitdCore
@testable import JitdIngest

@Suite struct CatalogTests {
    @Test func readsTOMLAndJSONCatalogsTogether() throws {
        let toml = """
        [[module]]
        id = "basics"
        title = "Basics"
        minutes = 10
        roles = ["RN"]
        published = 2026-11-20
        [[module]]
        id = "lift"
        title = "Lift"
        minutes = 20
        kind = "classroom"
        roles = ["*"]
        [[module.session]]
        start = 2026-11-26T14:00:00
        location = "Lab B"
        capacity = 12
        """
        let json = """
        {"modules": [{"id": "adv", "title": "Advanced", "minutes": 15, "roles": ["RN"], "prerequisites": ["basics"],
                      "priority": "critical", "published": "2026-11-24T06:00-05:00"}]}
        """
        let zone = Zone("America/New_York")!
        let modules = try CatalogParser.parse([("a.toml", toml), ("b.json", json)], zone: zone).value
        #expect(modules.map(\.id) == ["adv", "basics", "lift"])
        #expect(modules[1].published.rfc3339 == "2026-11-20T05:00:00Z")
        #expect(modules[2].sessions.first?.start.rfc3339 == "2026-11-26T19:00:00Z")
        #expect(modules[0].priority == .critical)
        #expect(modules[0].published.rfc3339 == "2026-11-24T11:00:00Z")
    }

    /// Spaced reinforcement and renewal keys: read, defaulted and checked.
    @Test func reinforcementAndRenewalKeys() throws {
        let ok = """
        [[module]]
        id = "sepsis"
        title = "Sepsis"
        minutes = 10
        roles = ["RN"]
        recur_days = 365
        reinforce_days = [8, 16]
        reinforce_minutes = 4
        [[module]]
        id = "fire"
        title = "Fire"
        minutes = 10
        roles = ["*"]
        recur_days = 365
        renew_window_days = 60
        """
        let parsed = try CatalogParser.parse([("c.toml", ok)], zone: .utc)
        #expect(parsed.warnings.isEmpty, "no warning for a module without boosters: \(parsed.warnings)")
        let byID = Dictionary(uniqueKeysWithValues: parsed.value.map { ($0.id, $0) })
        let sepsis = try #require(byID["sepsis"]), fire = try #require(byID["fire"])
        #expect(sepsis.reinforceDays == [8, 16] && sepsis.reinforceMinutes == 4 && sepsis.reinforcePriority == .low)
        #expect(sepsis.renewWindowDays == 30, "the default window")
        #expect(fire.renewWindowDays == 60 && fire.reinforceDays.isEmpty)
        let bad = """
        [[module]]
        id = "a#b"
        title = "A"
        minutes = 10
        roles = ["RN"]
        reinforce_days = [16, 8]
        [[module]]
        id = "drill"
        title = "Drill"
        minutes = 10
        kind = "drill"
        group_min = 2
        group_max = 4
        roles = ["RN"]
        reinforce_days = [8]
        recur_days = 30
        renew_window_days = 30
        """
        do {
            _ = try CatalogParser.parse([("d.toml", bad)], zone: .utc)
            Issue.record("a bad catalog was taken")
        } catch {
            let text = error.description
            #expect(text.contains("d.toml:2: error: module id 'a#b' holds '#'"), "\(text)")
            #expect(text.contains("d.toml:6: error: 'reinforce_days' must rise day by day"), "\(text)")
            #expect(text.contains("error: boosters ('reinforce_days') are short online sessions; a drill module cannot have them"), "\(text)")
            #expect(text.contains("error: 'renew_window_days' (30) must be shorter than 'recur_days' (30)"), "\(text)")
        }
    }

    @Test func everyFieldIsChecked() {
        let toml = """
        [[module]]
        id = "a"
        title = "A"
        minutes = 10
        roles = ["RN"]
        prerequisites = ["b", "ghost"]
        [[module]]
        id = "b"
        title = "B"
        minutes = 10
        roles = ["RN"]
        prerequisites = ["a"]
        [[module]]
        id = "drill"
        title = "Drill"
        minutes = 500
        kind = "drill"
        roles = ["RN"]
        [[module]]
        id = "class"
        title = "Class"
        minutes = 10
        kind = "classroom"
        roles = ["RN"]
        colour = "red"
        """
        do {
            _ = try CatalogParser.parse([("c.toml", toml)], zone: .utc)
            Issue.record("expected errors")
        } catch {
            let d = error.items.map(\.description)
            #expect(d.contains { $0.hasPrefix("c.toml:16: error: 'module[2].minutes' is 500; it must be between 1 and 240") })
            #expect(d.contains { $0.hasPrefix("c.toml:13: error: a drill needs 'group_min' and 'group_max'") })
            #expect(d.contains { $0.hasPrefix("c.toml:19: error: a classroom module needs at least one") })
            #expect(d.contains { $0.hasPrefix("c.toml:25: error: unknown key 'module[3].colour'") })
            #expect(d.contains { $0.contains("prerequisite 'ghost', which is not in the catalog") })
            #expect(d.contains { $0.contains("prerequisites form a cycle: b → a → b") || $0.contains("prerequisites form a cycle: a → b → a") })
        }
    }
}
