import Foundation
import JitdCore
import Testing

/// xAPI end to end: the real daemon sends statements to a real Learning Record Store (Ralph,
/// with its file-system backend, started here) through the outbox. Statements are accepted,
/// read back through `GET /xAPI/statements`, valid by Ralph's xAPI models and by jitd's own
/// structural rules; an LRS answering 503 and an LRS that was killed are retried until
/// nothing is missing; re-sending every statement (what a crash after the LRS stored them but
/// before jitd recorded it amounts to) stores nothing twice.
@Suite(.serialized) struct LRSEndToEndTests {
    static let password = "ralph-test-password-0123"
    static let token = "test-token-0123456789abcdef"

    @Test(.timeLimit(.minutes(8)), .enabled(if: Ralph.executable != nil, Ralph.missing))
    func statementsReachARealLRSAndSurviveItsFailures() async throws {
        let h = try Harness()
        var ralph = try await Ralph.start(h, password: Self.password)
        defer { ralph.stop() }
        var proxy = try await startProxy(h, backend: ralph.port)
        defer { Foundation.kill(proxy.process.processIdentifier, SIGKILL) }
        let lrs = LRSClient(port: ralph.port, password: Self.password)

        try h.write("secret", Harness.secret())
        let (receiver, hookPort) = try await h.startReceiver(secretFile: h.dir + "/secret", out: "received.jsonl")
        defer { Foundation.kill(receiver.processIdentifier, SIGKILL) }
        try h.write("token", Self.token + "\n")
        try h.write("lrs-credentials", "jitd:\(Self.password)\n")
        try FileManager.default.setAttributes([.posixPermissions: 0o600], ofItemAtPath: h.dir + "/lrs-credentials")
        try h.write("catalog.toml", """
            [[module]]
            id = "sepsis-bundle-2026"
            title = "Sepsis hour-1 bundle update"
            minutes = 10
            roles = ["RN"]
            priority = "high"
            published = "2026-01-01"
            due_days = 14
            url = "https://lms.example.org/launch/sepsis"
            [[module]]
            id = "hand-hygiene"
            title = "Hand hygiene refresher"
            minutes = 5
            roles = ["RN"]
            published = "2026-01-01"
            recur_days = 365
            """)
        let apiPort = Harness.freePort()
        try h.write("jitd.toml", """
            [paths]
            state = "state"
            inbox = "inbox"
            catalog = "catalog.toml"
            [policy]
            slot_minutes = 1
            notify_lead_minutes = 1
            [[coverage]]
            unit = "MICU"
            role = "RN"
            min = 2
            [[webhook]]
            name = "paging"
            url = "http://127.0.0.1:\(hookPort)/hook"
            secret_file = "secret"
            events = ["assignment.*"]
            allow_networks = ["127.0.0.0/8"]
            [[lrs]]
            name = "ralph"
            endpoint = "http://127.0.0.1:\(proxy.port)/xAPI"
            credentials_file = "lrs-credentials"
            home_page = "https://hospital.example.org"
            completions = "all"
            allow_networks = ["127.0.0.0/8"]
            [api]
            listen = "127.0.0.1:\(apiPort)"
            token_file = "token"
            """)
        // History first: rn2 holds hand hygiene, rn3's lapsed (a renewal).
        let now = Date()
        try h.write("inbox/completions.csv", """
            staff_id,module_id,completed_at
            rn2,hand-hygiene,\(Harness.utc(now.addingTimeInterval(-10 * 86_400)))
            rn3,hand-hygiene,\(Harness.utc(now.addingTimeInterval(-400 * 86_400)))

            """)
        let daemon = try h.start(["/usr/bin/env", "JITD_LOG_LEVEL=info", Harness.binary, "serve", "--config", h.dir + "/jitd.toml"], log: "jitd.log")
        defer { if daemon.isRunning { daemon.terminate() } }
        _ = try await h.waitFor(seconds: 60) { FileManager.default.fileExists(atPath: h.dir + "/inbox/processed/completions.csv") ? true : nil }
        let start = Harness.utc(now.addingTimeInterval(-7200)), end = Harness.utc(now.addingTimeInterval(36_000))
        try ("staff_id,role,unit,start,end\n" + (0..<4).map { "rn\($0),RN,MICU,\(start),\(end)" }.joined(separator: "\n") + "\n")
            .write(toFile: h.dir + "/inbox/roster.csv", atomically: true, encoding: .utf8)

        // Requirements go at once; a session's `scheduled` once the person was told of it.
        let db = h.dir + "/state/jitd.sqlite"
        let api = API(port: apiPort, token: Self.token)
        let notified = try await h.waitFor(seconds: 180) { () -> [[String: Any]]? in
            let list = (try? api.get("/v1/assignments?state=notified"))?["assignments"] as? [[String: Any]] ?? []
            return list.isEmpty ? nil : list
        }
        let first = try #require(notified.first?["id"] as? String)
        #expect(try api.post("/v1/assignments/\(first)/acknowledge") == 200)
        #expect(try api.post("/v1/assignments/\(first)/complete") == 200)
        // A session declined before anyone told the person: `declined`, and no `scheduled`.
        let planned = try #require((try api.get("/v1/assignments?state=planned"))?["assignments"] as? [[String: Any]])
        let untold = try #require(planned.last?["id"] as? String)
        #expect(try api.post("/v1/assignments/\(untold)/decline") == 200)
        try await settled(h, db)
        let sessionStatements = try lrs.all()
        func registration(_ assignment: String) -> String { XAPIStatementBuilder.registration(assignmentID: assignment) }
        func verbs(of assignment: String, in list: [[String: Any]]) -> Set<String> {
            Set(list.filter { (($0["context"] as? [String: Any])?["registration"] as? String) == registration(assignment) }
                .compactMap { (($0["verb"] as? [String: Any])?["display"] as? [String: String])?["en-US"] })
        }
        #expect(verbs(of: first, in: sessionStatements) == ["scheduled", "acknowledged", "completed"])
        #expect(verbs(of: untold, in: sessionStatements) == ["declined"])

        // 503 (maintenance): retried as Retry-After asks, then delivered. (The completions posted
        // from here on are hours old, so none is the one `…/complete` recorded a moment ago.)
        try h.write("lrs-fail", "")
        #expect(try api.postJSON("/v1/completions", #"{"completions": [{"staff_id": "rn1", "module_id": "sepsis-bundle-2026", "completed_at": "\#(Harness.utc(Date().addingTimeInterval(-3600)))"}]}"#) == 200)
        _ = try await h.waitFor(seconds: 60) { proxyLog(h).contains { $0["status"] as? Int == 503 && $0["method"] as? String == "POST" } ? true : nil }
        try FileManager.default.removeItem(atPath: h.dir + "/lrs-fail")
        try await settled(h, db)

        // The LRS killed: the proxy answers 503 (no backend), jitd retries, the LRS comes back
        // with what it had stored, and gets the rest.
        ralph.kill()
        let seen = proxyLog(h).count
        #expect(try api.postJSON("/v1/completions", #"{"completions": [{"staff_id": "rn0", "module_id": "hand-hygiene", "completed_at": "\#(Harness.utc(Date().addingTimeInterval(-7200)))"}]}"#) == 200)
        _ = try await h.waitFor(seconds: 60) {
            proxyLog(h).dropFirst(seen).contains { $0["reached"] as? Bool == false && $0["method"] as? String == "POST" } ? true : nil
        }
        ralph = try await Ralph.restart(ralph)
        try await settled(h, db)

        // Nothing listens at all (connection refused): the proxy killed, then back.
        Foundation.kill(proxy.process.processIdentifier, SIGKILL)
        proxy.process.waitUntilExit()
        let unanswered = "SELECT count(*) FROM delivery_attempt d JOIN outbox o ON o.id = d.message_id WHERE o.endpoint = 'ralph' AND d.status IS NULL"
        let refusedBefore = Int(try sql(db, unanswered).trimmingCharacters(in: .whitespacesAndNewlines)) ?? 0
        #expect(try api.postJSON("/v1/completions", #"{"completions": [{"staff_id": "rn2", "module_id": "sepsis-bundle-2026", "completed_at": "\#(Harness.utc(Date().addingTimeInterval(-10800)))"}]}"#) == 200)
        _ = try await h.waitFor(seconds: 60) {
            (Int((try? sql(db, unanswered))?.trimmingCharacters(in: .whitespacesAndNewlines) ?? "") ?? 0) > refusedBefore ? true : nil
        }
        proxy = try await startProxy(h, backend: ralph.port, port: proxy.port)
        try await settled(h, db)

        // Every statement again, as after a crash between the LRS's answer and jitd's record.
        let before = try lrs.all()
        _ = try sql(db, "UPDATE outbox SET state = 'pending', run_at = strftime('%s', 'now') WHERE endpoint = 'ralph' AND state = 'delivered'")
        try await settled(h, db)
        let statements = try lrs.all()
        #expect(statements.count == before.count, "the LRS dropped every duplicate by its id")

        // Nothing lost: the LRS holds exactly the statements the outbox delivered to it; what is
        // left is `scheduled` statements of sessions nobody has been told of yet (held), or never
        // will be (cancelled, expired).
        let queued = Set(try sql(db, "SELECT event_id FROM outbox WHERE endpoint = 'ralph' AND state = 'delivered'").split(separator: "\n").map(String.init))
        let stored = statements.compactMap { $0["id"] as? String }
        #expect(Set(stored) == queued && stored.count == queued.count)
        let rest = try sql(db, """
            SELECT count(*) FROM outbox WHERE endpoint = 'ralph' AND state <> 'delivered'
            AND NOT (type = 'xapi.scheduled' AND (state IN ('cancelled', 'expired') OR (state = 'pending' AND assignment_id IS NOT NULL)))
            """)
        #expect(rest.trimmingCharacters(in: .whitespacesAndNewlines) == "0")

        // Valid: Ralph's models accepted each; jitd's own rules agree on what came back.
        for s in statements {
            let value = try JSONDecoder().decode(JSONValue.self, from: JSONSerialization.data(withJSONObject: s))
            #expect(XAPIStatementRules.problems(value, sent: false) == [], "\(s)")
            let actor = s["actor"] as? [String: Any]
            #expect((actor?["account"] as? [String: Any])?["homePage"] as? String == "https://hospital.example.org")
            #expect(actor?["name"] == nil && actor?["mbox"] == nil, "ids only, never a name or an e-mail address")
        }
        var byVerb: [String: Int] = [:]
        for s in statements { byVerb[((s["verb"] as? [String: Any])?["display"] as? [String: String])?["en-US"] ?? "?", default: 0] += 1 }
        #expect(byVerb["was assigned"] == 7, "4 × sepsis, hand hygiene for rn0 and rn1, and rn3's renewal: \(byVerb)")
        #expect(byVerb["completed"] == 6, "2 from the completions file, 1 session, 3 through the API: \(byVerb)")
        #expect(byVerb["scheduled", default: 0] >= 1 && byVerb["acknowledged"] == 1 && byVerb["declined"] == 1, "\(byVerb)")
        let renewal = statements.first { s in
            (((s["context"] as? [String: Any])?["extensions"] as? [String: Any])?[XAPIVocabulary.Extension.renewal]) != nil
        }
        #expect(((renewal?["actor"] as? [String: Any])?["account"] as? [String: Any])?["name"] as? String == "rn3")

        // Queryable the xAPI way: by statement id, by registration (one session's story) and by
        // agent (one person's record). (Ralph's file-system backend compares the `verb` and
        // `activity` filters to a parsed IRI object and so never matches them: not queried here.)
        let one = try #require(stored.first)
        let byID = try #require(try lrs.get("/xAPI/statements?statementId=\(one)"))
        #expect((byID["id"] as? String ?? (byID["statements"] as? [[String: Any]])?.first?["id"] as? String) == one,
                "xAPI answers the statement itself; Ralph wraps it in a list")
        let session = (try lrs.get("/xAPI/statements?registration=\(registration(first))&limit=500"))?["statements"] as? [[String: Any]] ?? []
        #expect(verbs(of: first, in: session) == ["scheduled", "acknowledged", "completed"] && session.count == 3)
        let agent = #"{"objectType": "Agent", "account": {"homePage": "https://hospital.example.org", "name": "rn3"}}"#
            .addingPercentEncoding(withAllowedCharacters: .alphanumerics)!
        let rn3 = (try lrs.get("/xAPI/statements?agent=\(agent)&limit=500"))?["statements"] as? [[String: Any]] ?? []
        #expect(!rn3.isEmpty && rn3.count == statements.filter { (($0["actor"] as? [String: Any])?["account"] as? [String: Any])?["name"] as? String == "rn3" }.count)

        // Operators see the store like any endpoint.
        let endpoints = try Harness.run([Harness.binary, "queue", "endpoints", "--config", h.dir + "/jitd.toml"]).out
        #expect(endpoints.contains("ralph  enabled  [") && endpoints.contains("delivered \(queued.count)")
                && endpoints.contains("lrs http://127.0.0.1:\(proxy.port)/xAPI"), "\(endpoints)")
        let metrics = try Harness.run(["/usr/bin/env", "curl", "-s", "http://127.0.0.1:\(apiPort)/metrics"]).out
        #expect(metrics.split(separator: "\n").contains { $0.hasPrefix("jitd_deliveries_total{") && $0.contains(#"endpoint="ralph""#)
            && $0.contains(#"outcome="delivered""#) }, "\(metrics.prefix(3000))")
        let attempts = try sql(db, "SELECT d.status, count(*) FROM delivery_attempt d JOIN outbox o ON o.id = d.message_id WHERE o.endpoint = 'ralph' GROUP BY d.status ORDER BY d.status")
        print("LRS end to end: \(statements.count) statements in Ralph \(byVerb.sorted { $0.key < $1.key }); attempts by answer (status|count, empty = no connection):\n\(attempts)")
        #expect(attempts.contains("503|") && attempts.contains("204|") && attempts.contains("200|"))

        daemon.terminate()
        #expect(try await Harness.waitExit(daemon, seconds: 30) == 0)
    }

    /// Waits until the outbox has nothing left for the LRS to take.
    private func settled(_ h: Harness, _ db: String) async throws {
        _ = try await h.waitFor(seconds: 180) { () -> Bool? in
            let due = try? sql(db, "SELECT count(*) FROM outbox WHERE endpoint = 'ralph' AND state IN ('pending', 'leased') AND run_at <= strftime('%s', 'now') + 5")
            return due?.trimmingCharacters(in: .whitespacesAndNewlines) == "0" ? true : nil
        }
    }

    private func startProxy(_ h: Harness, backend: Int, port: Int = 0) async throws -> (process: Process, port: Int) {
        try? FileManager.default.removeItem(atPath: h.dir + "/proxy.port")
        let p = try h.start(["/usr/bin/env", "python3", Harness.repo.appendingPathComponent("scripts/lrs-proxy.py").path,
                             "--port", String(port), "--port-file", h.dir + "/proxy.port", "--backend", "http://127.0.0.1:\(backend)",
                             "--fail-file", h.dir + "/lrs-fail", "--log", h.dir + "/proxy.jsonl"], log: "proxy.log")
        return (p, try await h.waitFor(seconds: 30) { Int(h.read("proxy.port")) })
    }

    private func proxyLog(_ h: Harness) -> [[String: Any]] { h.deliveries("proxy.jsonl") }
}

/// Ralph, the LRS: installed by `scripts/setup` in a virtual environment.
struct Ralph {
    let process: Process
    let port: Int
    let harness: Harness
    let dir: String

    /// `$JITD_RALPH`, the one `scripts/setup` installs, or `ralph` on the PATH.
    static var executable: String? {
        let env = ProcessInfo.processInfo.environment
        let candidates = [env["JITD_RALPH"], env["HOME"].map { $0 + "/.local/share/jitd/ralph-venv/bin/ralph" }]
            + (env["PATH"] ?? "").split(separator: ":").map { "\($0)/ralph" }
        return candidates.compactMap { $0 }.first { FileManager.default.isExecutableFile(atPath: $0) }
    }

    static let missing: Comment = "Ralph (the xAPI LRS) is not installed: run scripts/setup, which installs 'ralph-malph[cli,lrs]' in ~/.local/share/jitd/ralph-venv, or set JITD_RALPH"

    /// Creates the LRS's credentials and starts it on a free port; returns once it answers.
    static func start(_ h: Harness, password: String) async throws -> Ralph {
        let dir = h.dir + "/ralph"
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        let auth = try Harness.run(["/usr/bin/env", "-C", dir, "RALPH_APP_DIR=\(dir)", "RALPH_RUNSERVER_BACKEND=fs", executable!, "auth", "-u", "jitd", "-p", password,
                                    "-s", "all", "-A", "jitd", "https://hospital.example.org", "-w"])
        guard auth.status == 0 else { throw HarnessError.spawn("ralph auth: \(auth.err)", auth.status) }
        return try await run(h, dir: dir, port: Harness.freePort())
    }

    /// Starts it again on the same port and files (after ``kill()``).
    static func restart(_ r: Ralph) async throws -> Ralph { try await run(r.harness, dir: r.dir, port: r.port) }

    private static func run(_ h: Harness, dir: String, port: Int) async throws -> Ralph {
        // One process (SIGKILL stops the LRS, not a reloader), appending statements: scripts/ralph-lrs.py says why.
        let python = URL(fileURLWithPath: executable!).deletingLastPathComponent().appendingPathComponent("python").path
        let p = try h.start(["/usr/bin/env", "-C", dir, "RALPH_APP_DIR=\(dir)", "RALPH_RUNSERVER_BACKEND=fs", python,
                             Harness.repo.appendingPathComponent("scripts/ralph-lrs.py").path, String(port)],
                            log: "ralph-\(port)-\(UUID().uuidString.prefix(4)).log")
        _ = try await h.waitFor(seconds: 60) { () -> Bool? in
            (try? Harness.run(["/usr/bin/env", "curl", "-s", "-o", "/dev/null", "-w", "%{http_code}", "http://127.0.0.1:\(port)/__heartbeat__"]))?
                .out == "200" ? true : nil
        }
        return Ralph(process: p, port: port, harness: h, dir: dir)
    }

    func kill() {
        Foundation.kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
    }

    /// SIGKILL: the test runner starts children with SIGTERM blocked, and this must end it.
    func stop() { if process.isRunning { Foundation.kill(process.processIdentifier, SIGKILL) } }
}

/// `GET /xAPI/statements` with Basic auth and the version header.
struct LRSClient {
    let port: Int
    let password: String

    func get(_ path: String) throws -> [String: Any]? {
        let r = try Harness.run(["/usr/bin/env", "curl", "-s", "-u", "jitd:\(password)", "-H", "X-Experience-API-Version: 1.0.3",
                                 "http://127.0.0.1:\(port)\(path)"])
        return try? JSONSerialization.jsonObject(with: Data(r.out.utf8)) as? [String: Any]
    }

    /// Every statement, following `more` links.
    func all() throws -> [[String: Any]] {
        var out: [[String: Any]] = []
        var path: String? = "/xAPI/statements?limit=200"
        while let p = path, let page = try get(p) {
            out += page["statements"] as? [[String: Any]] ?? []
            path = (page["more"] as? String).flatMap { $0.isEmpty ? nil : $0 }
        }
        return out
    }
}

/// The daemon's API with its token.
struct API {
    let port: Int
    let token: String

    func get(_ path: String) throws -> [String: Any]? {
        let r = try Harness.run(["/usr/bin/env", "curl", "-s", "-H", "Authorization: Bearer \(token)", "http://127.0.0.1:\(port)\(path)"])
        return try? JSONSerialization.jsonObject(with: Data(r.out.utf8)) as? [String: Any]
    }

    func post(_ path: String) throws -> Int { try postJSON(path, nil) }

    func postJSON(_ path: String, _ body: String?) throws -> Int {
        var args = ["/usr/bin/env", "curl", "-s", "-o", "/dev/null", "-w", "%{http_code}", "-X", "POST", "-H", "Authorization: Bearer \(token)"]
        if let body { args += ["-H", "Content-Type: application/json", "-d", body] }
        return Int(try Harness.run(args + ["http://127.0.0.1:\(port)\(path)"]).out) ?? 0
    }
}
