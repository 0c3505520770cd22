import Foundation
import Testing

@Suite struct CommandLineTests {
    var config: String { Harness.repo.appendingPathComponent("config/jitd.example.toml").path }
    var roster: String { Harness.repo.appendingPathComponent("config/sample-roster.csv").path }

    @Test func planJSONOnTheSampleFilesIsAPlanDocumentAndIdenticalAcrossRuns() throws {
        let args = [Harness.binary, "plan", "--config", config, "--roster", roster, "--now", "2026-11-24T11:00:00Z", "--format", "json"]
        let a = try Harness.run(args), b = try Harness.run(args)
        #expect(a.status == 0, "\(a.err)")
        #expect(a.out == b.out)
        let doc = try JSONSerialization.jsonObject(with: Data(a.out.utf8)) as! [String: Any]
        #expect(doc["generated_at"] as? String == "2026-11-24T11:00:00Z")
        #expect((doc["horizon"] as? [String: Any])?["to"] as? String == "2026-11-26T11:00:00Z")
        let assignments = doc["assignments"] as! [[String: Any]]
        #expect(assignments.count > 20)
        for key in ["id", "staff_id", "module_id", "unit", "role", "start", "end"] {
            #expect(assignments.allSatisfy { $0[key] is String }, "every assignment has \(key)")
        }
        #expect(doc["unmet"] is [Any])
        #expect(doc["understaffed"] is [Any])
    }

    @Test func planTableAndICSAreReadable() throws {
        let table = try Harness.run([Harness.binary, "plan", "--config", config, "--roster", roster, "--now", "2026-11-24T11:00:00Z"])
        #expect(table.status == 0)
        #expect(table.out.contains("MICU (America/New_York)"))
        let ics = try Harness.run([Harness.binary, "plan", "--config", config, "--roster", roster, "--now", "2026-11-24T11:00:00Z", "--format", "ics"])
        #expect(ics.out.hasPrefix("BEGIN:VCALENDAR\r\n"))
        #expect(ics.out.contains("BEGIN:VEVENT"))
    }

    @Test func validateReportsFileLineErrorsAndExitCodes() throws {
        let h = try Harness()
        try h.write("bad.toml", "[policy]\nslot_minutes = \"five\"\nbogus = 1\n")
        let bad = try Harness.run([Harness.binary, "validate", h.dir + "/bad.toml"])
        #expect(bad.status == 1)
        #expect(bad.err.contains("\(h.dir)/bad.toml:2: error: 'policy.slot_minutes' must be an integer"))
        #expect(bad.err.contains("\(h.dir)/bad.toml:3: error: unknown key 'policy.bogus'"))

        try h.write("r.csv", "staff_id,role,unit,start,end\n1,RN,MICU,2026-11-24T07:00,2026-11-24T06:00\n")
        let badRoster = try Harness.run([Harness.binary, "validate", h.dir + "/r.csv"])
        #expect(badRoster.status == 1)
        #expect(badRoster.err.contains("\(h.dir)/r.csv:2: error: end"))

        let good = try Harness.run([Harness.binary, "validate", "--config", config, "--print", roster, config])
        #expect(good.status == 0, "\(good.err)")
        let first = good.out.split(separator: "\n").first.map(String.init) ?? ""
        let obj = try JSONSerialization.jsonObject(with: Data(first.utf8)) as? [String: Any]
        #expect(obj?["start"] as? String == "2026-11-24T12:00:00Z")

        let usage = try Harness.run([Harness.binary, "validate"])
        #expect(usage.status == 2)
    }

    /// Without `--print`, CSV and JSON rosters and completions are checked as the inbox reads
    /// them, streamed (a file of any size in little memory); the problems are the same as with
    /// `--print`, and a JSON catalog is still told from a JSON roster.
    @Test func validateStreamsRostersWithTheSameProblems() throws {
        let h = try Harness()
        try h.write("r.json", """
            {"shifts": [
              {"staff_id": "1", "role": "RN", "unit": "MICU", "start": "2026-11-24T07:00", "end": "2026-11-24T19:00"},
              {"staff_id": "2", "role": "RN", "unit": "MICU", "start": "2026-11-24T07:00", "end": "2026-11-24T06:00"},
              {"staff_id": "3", "role": "RN", "unit": "MICU", "start": "2026-03-08T02:30", "end": "2026-03-08T07:00", "colour": "red"}
            ]}
            """)
        try h.write("r.csv", "staff_id,role,unit,start,end\n1,RN,MICU,2026-11-24T07:00,2026-11-24T06:00\n2,RN,MICU,2026-11-24T07:00,x\n")
        try h.write("c.json", #"{"modules": [{"id": "m", "title": "M", "minutes": 5, "roles": ["RN"], "priority": "urgent", "published": "2026-01-01"}]}"#)
        try h.write("lms.csv", "staff_id,module_id,completed_at\n1,m,2026-11-01\n2,m,2026-11-31\n")
        try h.write("tz.toml", "[site]\ntimezone = \"America/New_York\"\n")
        for name in ["r.json", "r.csv", "c.json", "lms.csv"] {
            let path = h.dir + "/" + name
            let streamed = try Harness.run([Harness.binary, "validate", "--config", h.dir + "/tz.toml", path])
            let whole = try Harness.run([Harness.binary, "validate", "--config", h.dir + "/tz.toml", "--print", path])
            #expect(streamed.status == 1 && whole.status == 1, "\(name): \(streamed) \(whole)")
            #expect(!streamed.err.isEmpty && streamed.err == whole.err, "\(name):\n\(streamed.err)\n\(whole.err)")
        }
        let json = try Harness.run([Harness.binary, "validate", "--config", h.dir + "/tz.toml", h.dir + "/r.json"]).err
        #expect(json.contains("r.json:3: error: \"end\" is not after \"start\""), "\(json)")
        #expect(json.contains("r.json:4: error: unknown key \"colour\""), "\(json)")
        #expect(json.contains("r.json:4: error: \"start\": "), "\(json)")
        let catalog = try Harness.run([Harness.binary, "validate", h.dir + "/c.json"]).err
        #expect(catalog.contains("priority"), "a catalog's own check: \(catalog)")
    }
}
