import Testing
@testable import JitdCore
@testable import JitdIngest

@Suite struct ConfigTests {
    @Test func defaultsApplyToAMinimalConfig() throws {
        let c = try ConfigLoader.parse(text: "", file: "/etc/jitd/jitd.toml").value
        #expect(c.policy == Policy())
        #expect(c.siteZone == .utc)
        #expect(c.statePath == "/var/lib/jitd")
        #expect(c.inboxPath == "/var/lib/jitd/inbox")
        #expect(c.api.host == "127.0.0.1" && c.api.port == 8787)
        #expect(c.limits.maxInboxFileBytes == 256 << 20)
    }

    @Test func readsEverySectionAndResolvesRelativePaths() throws {
        let text = """
        [site]
        timezone = "America/New_York"
        [paths]
        state = "state"
        catalog = "catalog.d"
        [policy]
        slot_minutes = 15
        [[unit]]
        name = "MICU"
        timezone = "America/Chicago"
        [[coverage]]
        unit = "MICU"
        role = "RN"
        min = 5
        from = "19:00"
        to = "07:00"
        days = ["fri", "sat"]
        [[webhook]]
        name = "paging"
        url = "https://paging.example.org/jitd"
        secret_file = ["old", "new"]
        events = ["assignment.*"]
        [api]
        listen = "[::1]:9000"
        """
        let c = try ConfigLoader.parse(text: text, file: "/srv/jitd/jitd.toml").value
        #expect(c.statePath == "/srv/jitd/state")
        #expect(c.inboxPath == "/srv/jitd/state/inbox")
        #expect(c.catalogPath == "/srv/jitd/catalog.d")
        #expect(c.policy.slotMinutes == 15)
        #expect(c.unitZones["MICU"]?.identifier == "America/Chicago")
        #expect(c.coverage.first?.window?.from == 19 * 60)
        #expect(c.coverage.first?.days == [5, 6])
        #expect(c.webhooks.first?.secretFiles == ["/srv/jitd/old", "/srv/jitd/new"])
        #expect(c.webhooks.first?.wants(event: "assignment.scheduled", unit: "MICU") == true)
        #expect(c.webhooks.first?.wants(event: "roster.accepted", unit: nil) == false)
        #expect(c.api.host == "::1" && c.api.port == 9000)
    }

    @Test func unknownKeysWrongTypesAndMissingKeysAreReportedWithTheirLines() {
        let text = """
        [site]
        timezone = "Mars/Olympus"
        [policy]
        slot_minute = 5
        horizon_hours = "48"
        [[coverage]]
        unit = "MICU"
        min = 5
        """
        do {
            _ = try ConfigLoader.parse(text: text, file: "jitd.toml")
            Issue.record("expected errors")
        } catch {
            let lines = error.items.map(\.description)
            #expect(lines.contains { $0.hasPrefix("jitd.toml:2: error: unknown time zone 'Mars/Olympus'") })
            #expect(lines.contains { $0.hasPrefix("jitd.toml:4: error: unknown key 'policy.slot_minute'") })
            #expect(lines.contains { $0.hasPrefix("jitd.toml:5: error: 'policy.horizon_hours' must be an integer") })
            #expect(lines.contains { $0.hasPrefix("jitd.toml:6: error: missing required key 'coverage[0].role'") })
            #expect(error.items.count == 4)
        }
    }

    @Test func syntaxErrorsAndMissingFilesAreClear() {
        #expect(throws: Diagnostics.self) { try ConfigLoader.parse(text: "[site\n", file: "x.toml") }
        do { _ = try ConfigLoader.load(path: "/nonexistent/jitd.toml") } catch {
            #expect(error.items[0].description.contains("does not exist"))
        }
    }

    @Test func unitTablesOverridePolicyKeysForThatUnitAlone() throws {
        let text = """
        [site]
        timezone = "America/New_York"
        [policy]
        handover_buffer_minutes = 20
        max_sessions_per_shift = 3
        [[unit]]
        name = "MICU"
        handover_buffer_minutes = 10
        max_training_minutes_per_shift = 45
        max_sessions_per_shift = 1
        min_minutes_between_sessions = 90
        notify_lead_minutes = 30
        [[unit]]
        name = "5-West"
        timezone = "America/Chicago"
        """
        let c = try ConfigLoader.parse(text: text, file: "jitd.toml").value
        let micu = try #require(c.unitPolicies["MICU"])
        #expect(micu.handoverBufferMinutes == 10 && micu.maxTrainingMinutesPerShift == 45 && micu.maxSessionsPerShift == 1)
        #expect(micu.minMinutesBetweenSessions == 90 && micu.notifyLeadMinutes == 30)
        #expect(micu.slotMinutes == c.policy.slotMinutes && micu.horizonHours == c.policy.horizonHours)
        #expect(c.unitPolicies["5-West"] == nil) // no override: [policy] holds there
        #expect(c.unitZones["MICU"] == c.siteZone) // a unit without a zone takes the site's
        var input = PlanningInput(now: Instant(seconds: 0), policy: c.policy, shifts: [], coverage: [], modules: [])
        input.unitPolicies = c.unitPolicies
        #expect(input.policy(of: "5-West").handoverBufferMinutes == 20 && input.policy(of: "5-West").maxSessionsPerShift == 3)
        #expect(input.policy(of: "MICU").handoverBufferMinutes == 10)
    }

    @Test func unitPolicyKeysAreCheckedLikePolicyKeys() {
        let text = """
        [[unit]]
        name = "MICU"
        max_sessions_per_shift = 500
        notify_lead_minutes = "soon"
        slot_minutes = 10
        [[unit]]
        name = "MICU"
        """
        do {
            _ = try ConfigLoader.parse(text: text, file: "jitd.toml")
            Issue.record("expected errors")
        } catch {
            let lines = error.items.map(\.description)
            #expect(lines.contains { $0.hasPrefix("jitd.toml:3: error: 'unit[0].max_sessions_per_shift' is 500; it must be between 0 and 100") })
            #expect(lines.contains { $0.hasPrefix("jitd.toml:4: error: 'unit[0].notify_lead_minutes' must be an integer") })
            // The grid and the horizon are the site's: not a unit key.
            #expect(lines.contains { $0.hasPrefix("jitd.toml:5: error: unknown key 'unit[0].slot_minutes'") })
            #expect(lines.contains { $0.hasPrefix("jitd.toml:7: error: unit 'MICU' is configured twice") })
            #expect(error.items.count == 4)
        }
    }
}
