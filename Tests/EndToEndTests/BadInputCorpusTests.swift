import Foundation
import Testing

/// The corpus of bad roster files in `TestData/bad-rosters/`, each next to a `NAME.expected`
/// holding the exact first error line it must produce, dropped one by one into the inbox of
/// the running daemon: every one is rejected with its report, the daemon keeps running, and
/// the roster applied before stays as it was.
@Suite(.serialized) struct BadInputCorpusTests {
    static let corpus = Harness.repo.appendingPathComponent("TestData/bad-rosters").path

    /// `(name, bytes, expected first error line)` for every corpus file, plus a line of
    /// 10,000 columns generated here rather than committed.
    static func badFiles() throws -> [(name: String, data: Data, expected: String)] {
        let fm = FileManager.default
        var out: [(String, Data, String)] = []
        for name in try fm.contentsOfDirectory(atPath: corpus).sorted() where !name.hasSuffix(".expected") {
            var isDir: ObjCBool = false
            guard fm.fileExists(atPath: corpus + "/" + name, isDirectory: &isDir), !isDir.boolValue else { continue }
            let data = try Data(contentsOf: URL(fileURLWithPath: corpus + "/" + name))
            let expected = try String(contentsOfFile: corpus + "/" + name + ".expected", encoding: .utf8)
            out.append((name, data, expected.trimmingCharacters(in: .newlines)))
        }
        let wide = "staff_id,role,unit,start,end\n" + Array(repeating: "x", count: 10_000).joined(separator: ",") + "\n"
        out.append(("wide-row.csv", Data(wide.utf8),
                    "wide-row.csv:2: error: row has 10000 fields but the header has 5; check for a stray or missing delimiter"))
        return out
    }

    @Test func everyExpectedFileHasItsInput() throws {
        let names = try FileManager.default.contentsOfDirectory(atPath: Self.corpus)
        for e in names where e.hasSuffix(".expected") {
            #expect(names.contains(String(e.dropLast(".expected".count))), "\(e) has no input file")
        }
        #expect(try Self.badFiles().count >= 15)
    }

    @Test(.timeLimit(.minutes(2))) func daemonRejectsEachBadFileAndKeepsItsRoster() async throws {
        let h = try Harness()
        try h.writeConfig(extra: "[site]\ntimezone = \"America/New_York\"")
        let daemon = try h.startDaemon()
        defer { if daemon.isRunning { daemon.terminate() } }

        // The good roster names the units and days the bad files name, so a bad file applied
        // by mistake would replace its shifts.
        try drop(h, "good.csv", Data("""
            staff_id,role,unit,start,end
            1,RN,MICU,2026-11-24T07:00,2026-11-24T19:00
            2,RN,MICU,2026-11-24T07:00,2026-11-24T19:00
            7,RN,5-West,2026-11-24T07:00,2026-11-24T19:00
            8,RN,MICU,2026-11-24T19:00,2026-11-25T07:00
            9,MD,MICU,2026-03-08T08:00,2026-03-08T20:00

            """.utf8))
        _ = try await h.waitFor(seconds: 30) { FileManager.default.fileExists(atPath: h.dir + "/inbox/processed/good.csv") ? true : nil }
        let before = try shifts(h)
        #expect(before.split(separator: "\n").count == 5, "shifts: \(before)")

        for bad in try Self.badFiles() {
            try drop(h, bad.name, bad.data)
            let report = try await h.waitFor(seconds: 20) { () -> String? in
                let r = h.read("inbox/rejected/\(bad.name).errors.txt")
                let moved = FileManager.default.fileExists(atPath: h.dir + "/inbox/rejected/" + bad.name)
                return moved && r.hasSuffix("\n") ? r : nil
            }
            let firstError = report.split(separator: "\n").first { $0.contains(": error: ") }.map(String.init)
            #expect(firstError == bad.expected, "\(bad.name): report was\n\(report)")
            #expect(FileManager.default.contents(atPath: h.dir + "/inbox/rejected/" + bad.name) == bad.data,
                    "\(bad.name) must be moved to rejected/ unchanged")
            #expect(daemon.isRunning, "jitd stopped after \(bad.name); log:\n\(h.read("jitd.log"))")
        }

        // A file with only a header is accepted with a warning and changes nothing.
        let warned = Self.corpus + "/accepted-with-warning/header-only.csv"
        try drop(h, "header-only.csv", try Data(contentsOf: URL(fileURLWithPath: warned)))
        let warnings = try await h.waitFor(seconds: 20) { () -> String? in
            let r = h.read("inbox/processed/header-only.csv.warnings.txt")
            let moved = FileManager.default.fileExists(atPath: h.dir + "/inbox/processed/header-only.csv")
            return moved && r.hasSuffix("\n") ? r : nil
        }
        let expectedWarning = try String(contentsOfFile: warned + ".expected", encoding: .utf8).trimmingCharacters(in: .newlines)
        #expect(warnings.split(separator: "\n").first.map(String.init) == expectedWarning)

        #expect(daemon.isRunning)
        #expect(try shifts(h) == before, "the good roster's shifts must be unchanged")
        let left = try FileManager.default.contentsOfDirectory(atPath: h.dir + "/inbox").filter { !$0.hasPrefix(".") }
        #expect(Set(left) == ["processed", "rejected"], "nothing left behind in the inbox")

        daemon.terminate() // SIGTERM
        #expect(try await Harness.waitExit(daemon, seconds: 30) == 0, "jitd log:\n\(h.read("jitd.log"))")
    }

    /// Writes under a hidden name, then renames into the inbox, as a careful scheduler's tool would.
    func drop(_ h: Harness, _ name: String, _ data: Data) throws {
        let hidden = h.dir + "/inbox/." + name + ".part"
        try data.write(to: URL(fileURLWithPath: hidden))
        try FileManager.default.moveItem(atPath: hidden, toPath: h.dir + "/inbox/" + name)
    }

    /// Every stored shift, one per line, in a stable order.
    func shifts(_ h: Harness) throws -> String {
        let r = try Harness.run(["/usr/bin/env", "sqlite3", h.dir + "/state/jitd.sqlite",
                                 #"select s.staff_id, s.role, s.unit, s.kind, s.start, s."end", d.local_day from shift s join roster_day d on d.id = s.day_id order by s.staff_id, s.start"#])
        #expect(r.status == 0, "sqlite3: \(r.err)")
        return r.out
    }
}
