import Foundation
import Testing

/// The receivers of docs/examples (Python, and Node.js where it is installed) against the real
/// daemon: each verifies and prints the `roster.accepted` jitd signs for it, and refuses a
/// delivery whose signature is wrong.
@Suite(.serialized) struct ReceiverExampleTests {
    static let node = ["/usr/bin/node", "/usr/bin/nodejs", "/usr/local/bin/node"].first { FileManager.default.isExecutableFile(atPath: $0) }
    static let examples = Harness.repo.appendingPathComponent("docs/examples").path

    @Test(.timeLimit(.minutes(3))) func examplesVerifyRealDeliveries() async throws {
        let h = try Harness()
        var receivers: [(name: String, command: [String])] = [("python", ["/usr/bin/env", "python3", Self.examples + "/receiver.py"])]
        if let node = Self.node { receivers.append(("node", [node, Self.examples + "/receiver.js"])) }
        else { print("ReceiverExampleTests: no Node.js here; only the Python receiver is checked (scripts/setup installs nodejs)") }

        var webhooks = ""
        var running: [(name: String, process: Process, port: Int, secret: String)] = []
        // SIGKILL: the test runner blocks SIGTERM, and a child inherits the blocked mask.
        defer { for r in running where r.process.isRunning { kill(r.process.processIdentifier, SIGKILL) } }
        for r in receivers {
            let secret = Harness.secret()
            try h.write(r.name + ".secret", secret)
            let port = Harness.freePort()
            // The examples read the secret file named in the environment.
            let p = try h.start(["/usr/bin/env", "JITD_SECRET_FILE=\(h.dir)/\(r.name).secret"] + r.command + [String(port)],
                                log: r.name + ".out")
            running.append((r.name, p, port, secret))
            webhooks += """
                [[webhook]]
                name = "\(r.name)"
                url = "http://127.0.0.1:\(port)/hook"
                secret_file = "\(r.name).secret"
                events = ["roster.*"]
                allow_networks = ["127.0.0.0/8"]

                """
        }
        for r in running {
            _ = try await h.waitFor(seconds: 30) { httpStatus(port: r.port, signature: "v1,AAAA", secret: nil) }
        }
        try h.writeConfig(extra: webhooks)
        let daemon = try h.startDaemon()
        defer { if daemon.isRunning { daemon.terminate() } }

        let now = Date()
        let start = Harness.utc(now.addingTimeInterval(-3600)), end = Harness.utc(now.addingTimeInterval(7200))
        try "staff_id,role,unit,start,end\nrn1,RN,MICU,\(start),\(end)\n".write(toFile: h.dir + "/inbox/.r.csv", atomically: false, encoding: .utf8)
        try FileManager.default.moveItem(atPath: h.dir + "/inbox/.r.csv", toPath: h.dir + "/inbox/roster.csv")

        for r in running {
            let printed = try await h.waitFor(seconds: 60) { () -> [String: Any]? in
                h.read(r.name + ".out").split(separator: "\n")
                    .compactMap { try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any] }
                    .first { $0["type"] as? String == "roster.accepted" }
            }
            #expect((printed["data"] as? [String: Any])?["file"] as? String == "roster.csv", "\(r.name): \(printed)")
            #expect((printed["webhook_id"] as? String)?.hasPrefix("msg_") == true, "\(r.name): \(printed)")
            // A forged delivery: well-formed, fresh, signed with another key.
            #expect(httpStatus(port: r.port, signature: nil, secret: Harness.secret()) == 401, "\(r.name) refuses a wrong signature")
            // The right key signs it: accepted.
            #expect(httpStatus(port: r.port, signature: nil, secret: r.secret) == 204, "\(r.name) accepts a good signature")
            #expect(h.read(r.name + ".out").contains("refused: no matching signature"), "\(r.name) says why it refused")
        }
        daemon.terminate()
        #expect(try await Harness.waitExit(daemon, seconds: 30) == 0)
    }
}

/// POSTs a small event to a receiver on loopback, signed with `secret` (Standard Webhooks `v1`)
/// or carrying the literal `signature`; returns the HTTP status.
func httpStatus(port: Int, signature: String?, secret: String?) -> Int? {
    let body = #"{"type":"test.ping","timestamp":"2026-01-01T00:00:00Z","data":{}}"#
    let id = "msg_test" + String(UInt32.random(in: 0...UInt32.max))
    let timestamp = String(Int(Date().timeIntervalSince1970))
    var header = signature ?? ""
    if let secret {
        // Signed by Python's hmac, which shares no code with jitd's signer.
        let sign = "import base64,hashlib,hmac,sys; k=base64.b64decode(sys.argv[1].strip()[6:]); "
            + "print('v1,'+base64.b64encode(hmac.new(k,'.'.join(sys.argv[2:5]).encode(),hashlib.sha256).digest()).decode())"
        guard let r = try? Harness.run(["/usr/bin/env", "python3", "-c", sign, secret, id, timestamp, body]), r.status == 0 else { return nil }
        header = r.out.trimmingCharacters(in: .whitespacesAndNewlines)
    }
    let request = "POST /hook HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nConnection: close\r\n"
        + "webhook-id: \(id)\r\nwebhook-timestamp: \(timestamp)\r\nwebhook-signature: \(header)\r\n"
        + "Content-Length: \(body.utf8.count)\r\n\r\n" + body
    return loopbackHTTP(port: port, request: request, seconds: 10)?.status
}
