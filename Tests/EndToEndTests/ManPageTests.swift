import Foundation
import Testing

/// jitd(8) is generated from the command line at build time; these check that what it says is
/// what the binary does: every command and option, the version, and clean roff.
@Suite struct ManPageTests {
    static let generator = Harness.repo.appendingPathComponent("packaging/man/make-man.py").path

    /// The command line as ArgumentParser describes it.
    func toolInfo() throws -> [String: Any] {
        let r = try Harness.run([Harness.binary, "--experimental-dump-help"])
        #expect(r.status == 0, "\(r.err)")
        let json = try #require(try JSONSerialization.jsonObject(with: Data(r.out.utf8)) as? [String: Any])
        return try #require(json["command"] as? [String: Any])
    }

    func page() throws -> String {
        let dump = NSTemporaryDirectory() + "jitd-dump-help-" + UUID().uuidString + ".json"
        defer { try? FileManager.default.removeItem(atPath: dump) }
        let r = try Harness.run(["/bin/sh", "-c", "\"$0\" --experimental-dump-help > \"$1\" && python3 \"$2\" 9.9.9 2026-01-01 < \"$1\"",
                                 Harness.binary, dump, Self.generator])
        #expect(r.status == 0, "\(r.err)")
        return r.out
    }

    /// Every command and subcommand has its section, with every option and argument.
    @Test func pageNamesEveryCommandAndOption() throws {
        let man = try page()
        var checked = 0
        func walk(_ command: [String: Any], _ path: [String]) {
            let name = command["commandName"] as? String ?? ""
            let here = path + [name]
            if path.count > 0 && name != "help" {
                #expect(man.contains(".SS " + here.joined(separator: " ").replacingOccurrences(of: "-", with: "\\-")), "section for \(here)")
                for a in command["arguments"] as? [[String: Any]] ?? [] {
                    guard a["shouldDisplay"] as? Bool != false, !["help", "version"].contains(a["valueName"] as? String ?? "") else { continue }
                    if a["kind"] as? String == "positional" {
                        #expect(man.contains("\\fI" + (a["valueName"] as? String ?? "").replacingOccurrences(of: "-", with: "\\-")), "\(here) \(a)")
                    } else {
                        for n in a["names"] as? [[String: Any]] ?? [] where n["kind"] as? String == "long" {
                            #expect(man.contains("\\fB\\-\\-" + (n["name"] as? String ?? "").replacingOccurrences(of: "-", with: "\\-") + "\\fR"),
                                    "\(here) --\(n["name"] ?? "")")
                        }
                    }
                    checked += 1
                }
            }
            for s in command["subcommands"] as? [[String: Any]] ?? [] { walk(s, here) }
        }
        walk(try toolInfo(), [])
        #expect(checked > 20, "the walk saw the options")
        for section in ["NAME", "SYNOPSIS", "DESCRIPTION", "COMMANDS", "FILES", "SIGNALS", "ENVIRONMENT", "EXIT STATUS", "SEE ALSO"] {
            #expect(man.contains(".SH " + section), "\(section)")
        }
        #expect(man.contains(".TH JITD 8 \"2026-01-01\" \"jitd 9.9.9\""))
        #expect(man.contains(".SS jitd reload"), "the reload command ExecReload= runs is documented")
    }

    /// The hand-written synopsis names only commands that exist.
    @Test func synopsisNamesRealCommands() throws {
        let names = Set((try toolInfo()["subcommands"] as? [[String: Any]] ?? []).compactMap { $0["commandName"] as? String })
        let sections = try String(contentsOfFile: Harness.repo.appendingPathComponent("packaging/man/sections.man").path, encoding: .utf8)
        let synopsis = sections.components(separatedBy: ".SH DESCRIPTION")[0]
        for line in synopsis.split(separator: "\n") where line.hasPrefix(".B jitd ") {
            let command = String(line.dropFirst(".B jitd ".count))
            #expect(names.contains(command), "SYNOPSIS names `jitd \(command)`")
        }
    }

    /// groff formats it without a warning (lintian runs the same check on the package).
    @Test(.enabled(if: FileManager.default.isExecutableFile(atPath: "/usr/bin/groff"))) func pageFormatsCleanly() throws {
        let file = NSTemporaryDirectory() + "jitd-" + UUID().uuidString + ".8"
        defer { try? FileManager.default.removeItem(atPath: file) }
        try page().write(toFile: file, atomically: true, encoding: .utf8)
        let r = try Harness.run(["/usr/bin/env", "LC_ALL=C.UTF-8", "/usr/bin/groff", "-man", "-ww", "-z", "-K", "utf8", file])
        #expect(r.status == 0 && r.err.isEmpty, "groff:\n\(r.err)")
    }

    /// `jitd --version`, the package's changelog and so the package name agree.
    @Test func versionMatchesTheChangelog() throws {
        let version = try Harness.run([Harness.binary, "--version"]).out.trimmingCharacters(in: .whitespacesAndNewlines)
        let changelog = try String(contentsOfFile: Harness.repo.appendingPathComponent("packaging/deb/changelog").path, encoding: .utf8)
        #expect(changelog.hasPrefix("jitd (\(version)) "), "packaging/deb/changelog starts at jitd --version (\(version))")
    }
}
