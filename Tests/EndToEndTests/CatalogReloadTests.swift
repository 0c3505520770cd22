import Foundation
import Testing

/// The catalog of a running daemon is reloaded when its files change, without SIGHUP: a module
/// added to the catalog folder comes into force (the API knows it); a broken catalog is refused
/// whole, the one in force stays, and the error is in the log as its `FILE:LINE: error:` line.
@Suite(.serialized) struct CatalogReloadTests {
    static func module(_ id: String, minutes: Int = 10) -> String {
        """
        [[module]]
        id = "\(id)"
        title = "Module \(id)"
        minutes = \(minutes)
        roles = ["RN"]
        published = "2026-01-01"

        """
    }

    @Test(.timeLimit(.minutes(2))) func catalogChangeIsAppliedAndABrokenOneRefused() async throws {
        let h = try Harness()
        try FileManager.default.createDirectory(atPath: h.dir + "/catalog.d", withIntermediateDirectories: true)
        try h.write("catalog.d/basics.toml", Self.module("basics"))
        try h.write("token", "test-token-0123456789abcdef\n")
        let port = try h.writeConfig(catalog: "catalog.d", apiLines: #"token_file = "token""#)
        let daemon = try h.startDaemon()
        defer { if daemon.isRunning { daemon.terminate() } }
        _ = try await h.waitFor(seconds: 60) { h.read("jitd.log").contains("jitd ready") ? true : nil }
        #expect(try Self.status(port, "basics") == 200)
        #expect(try Self.status(port, "sepsis") == 404)

        // A new file in the catalog folder, written by an editor's rename: in force shortly after.
        try h.write("catalog.d/sepsis.toml", Self.module("sepsis"))
        _ = try await h.waitFor(seconds: 20) { h.read("jitd.log").contains("catalog changed: reloaded") ? true : nil }
        #expect(try Self.status(port, "sepsis") == 200)
        #expect(try Self.status(port, "basics") == 200)

        // A broken change: refused whole (the good module beside it is not taken either).
        try h.write("catalog.d/sepsis.toml", Self.module("sepsis", minutes: 999) + Self.module("stroke"))
        let line = try await h.waitFor(seconds: 20) { () -> String? in
            h.read("jitd.log").split(separator: "\n").first { $0.contains("catalog change refused: ") && $0.contains(": error: ") }.map(String.init)
        }
        #expect(line.contains(h.dir + "/catalog.d/sepsis.toml:4"), "the error names its file and line: \(line)")
        #expect(try Self.status(port, "sepsis") == 200, "the catalog in force stays")
        #expect(try Self.status(port, "stroke") == 404, "nothing of a refused catalog is taken")

        // Mended: in force again.
        try h.write("catalog.d/sepsis.toml", Self.module("sepsis") + Self.module("stroke"))
        _ = try await h.waitFor(seconds: 20) { (try? Self.status(port, "stroke")) == 200 ? true : nil }
        #expect(daemon.isRunning)
        daemon.terminate()
        #expect(try await Harness.waitExit(daemon, seconds: 30) == 0)
    }

    /// A one-file catalog replaced the way editors save (a new file renamed over the old one),
    /// then edited in place: each is in force shortly after.
    @Test(.timeLimit(.minutes(2))) func oneFileCatalogIsReloadedWhenReplacedOrEdited() async throws {
        let h = try Harness()
        try h.write("token", "test-token-0123456789abcdef\n")
        try h.write("modules.toml", Self.module("basics"))
        let port = try h.writeConfig(catalog: "modules.toml", apiLines: #"token_file = "token""#)
        let daemon = try h.startDaemon()
        defer { if daemon.isRunning { daemon.terminate() } }
        _ = try await h.waitFor(seconds: 60) { h.read("jitd.log").contains("jitd ready") ? true : nil }
        #expect(try Self.status(port, "sepsis") == 404)

        try h.write("modules.toml", Self.module("basics") + Self.module("sepsis")) // atomically: by rename
        _ = try await h.waitFor(seconds: 20) { (try? Self.status(port, "sepsis")) == 200 ? true : nil }

        let handle = try #require(FileHandle(forWritingAtPath: h.dir + "/modules.toml"))
        handle.seekToEndOfFile()
        handle.write(Data(Self.module("stroke").utf8))
        try handle.close()
        _ = try await h.waitFor(seconds: 20) { (try? Self.status(port, "stroke")) == 200 ? true : nil }
        #expect(try Self.status(port, "basics") == 200)
        // A file beside it that is not the catalog changes nothing.
        try h.write("notes.toml", Self.module("elsewhere"))
        try await Task.sleep(for: .seconds(1.5))
        #expect(h.read("jitd.log").components(separatedBy: "catalog changed: reloaded").count - 1 == 2)
        daemon.terminate()
        #expect(try await Harness.waitExit(daemon, seconds: 30) == 0)
    }

    /// The HTTP status of a module's progress: 200 when the module is in the catalog in force, 404 when not.
    static func status(_ port: Int, _ module: String) throws -> Int {
        let r = try Harness.run(["/usr/bin/env", "curl", "-s", "-o", "/dev/null", "-w", "%{http_code}",
                                 "-H", "Authorization: Bearer test-token-0123456789abcdef",
                                 "http://127.0.0.1:\(port)/v1/modules/\(module)/progress"])
        return Int(r.out) ?? -1
    }
}
