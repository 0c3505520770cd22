import Foundation
import Testing
@testable import JitdCore
@testable import JitdDispatch

@Suite struct SigningTests {
    /// The Standard Webhooks specification's own test vector.
    @Test func matchesTheSpecificationVector() {
        let secret = WebhookSecret(text: "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw\n")!
        let sig = WebhookSigner.signature(id: "msg_p5jXN8AQM9LWM0D4loKWxJek", timestamp: 1_614_265_330,
                                          body: Data(#"{"test": 2432232314}"#.utf8), secrets: [secret])
        #expect(sig == "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=")
    }

    @Test func rotationSignsWithEverySecret() {
        let a = WebhookSecret(key: Data(repeating: 1, count: 32)), b = WebhookSecret(key: Data(repeating: 2, count: 32))
        let sig = WebhookSigner.signature(id: "msg_1", timestamp: 1, body: Data("{}".utf8), secrets: [a, b])
        let parts = sig.split(separator: " ")
        #expect(parts.count == 2 && parts.allSatisfy { $0.hasPrefix("v1,") } && parts[0] != parts[1])
    }

    @Test func secretsMustBeWellFormed() {
        #expect(WebhookSecret(text: "whsec_" + Data(repeating: 7, count: 24).base64EncodedString()) != nil)
        #expect(WebhookSecret(text: "whsec_" + Data(repeating: 7, count: 16).base64EncodedString()) == nil) // too short
        #expect(WebhookSecret(text: Data(repeating: 7, count: 32).base64EncodedString()) == nil) // no prefix
        #expect(WebhookSecret(text: "whsec_not base64!") == nil)
    }

    @Test func eventBodiesCarryIdsNotNamesAndAreStable() {
        let a = Assignment(id: "a_1", staffID: "E42", moduleID: "m", unit: "MICU", role: "RN",
                           interval: Interval(start: Instant(seconds: 1000), end: Instant(seconds: 1600)))
        let m = Module(id: "m", title: "T", minutes: 10, roles: ["RN"], published: Instant(seconds: 0), url: "https://lms/x")
        let e1 = WebhookEvent.assignmentScheduled(a, module: m, name: nil, at: Instant(seconds: 10))
        let e2 = WebhookEvent.assignmentScheduled(a, module: m, name: nil, at: Instant(seconds: 10))
        #expect(e1.body == e2.body && e1.id == e2.id && !e1.id.contains("."))
        let text = String(decoding: e1.body, as: UTF8.self)
        #expect(text.contains(#""staff_id":"E42""#) && !text.contains("staff_name"))
        #expect(text.hasPrefix(#"{"data":"#) && text.contains(#""type":"assignment.scheduled""#))
        let named = String(decoding: WebhookEvent.assignmentScheduled(a, module: m, name: "Dr. Lee", at: Instant(seconds: 10)).body, as: UTF8.self)
        #expect(named.contains(#""staff_name":"Dr. Lee""#))
    }

    @Test func retryScheduleAndRetryAfter() {
        let p = RetryPolicy()
        let noJitter: (Int64) -> Int64 = { $0 }
        #expect(p.delay(afterAttempt: 1, type: "roster.accepted", retryAfter: nil, random: noJitter) == 5)
        #expect(p.delay(afterAttempt: 2, type: "roster.accepted", retryAfter: nil, random: noJitter) == 300)
        #expect(p.delay(afterAttempt: 9, type: "roster.accepted", retryAfter: nil, random: noJitter) == 36_000)
        #expect(p.delay(afterAttempt: 9, type: "assignment.scheduled", retryAfter: nil, random: noJitter) <= 61)
        #expect(p.delay(afterAttempt: 1, type: "roster.accepted", retryAfter: 999_999, random: noJitter) == 36_000)
        let now = Instant(rfc3339: "2015-10-21T07:28:00Z")!
        #expect(RetryPolicy.parseRetryAfter("120", now: now) == 120)
        #expect(RetryPolicy.parseRetryAfter("Wed, 21 Oct 2015 07:30:00 GMT", now: now) == 120)
        #expect(RetryPolicy.parseRetryAfter("soon", now: now) == nil)
    }
}

/// `v1a` signatures checked by an independent Ed25519 implementation (OpenSSL, through
/// Python's `cryptography` package).
@Suite struct AsymmetricSigningTests {
    @Test func v1aVerifiesWithThePublishedPublicKey() throws {
        let seed = Data((0..<32).map { UInt8($0 * 7 % 256) })
        let secret = try #require(WebhookSecret(text: "whsk_" + seed.base64EncodedString() + "\n"))
        let hmac = WebhookSecret(key: Data(repeating: 3, count: 32))
        let body = Data(#"{"type":"roster.accepted","timestamp":"2026-11-26T00:00:00Z","data":{}}"#.utf8)
        let header = WebhookSigner.signature(id: "msg_1", timestamp: 1_800_000_000, body: body, secrets: [hmac, secret])
        let parts = header.split(separator: " ").map(String.init)
        #expect(parts.count == 2 && parts[0].hasPrefix("v1,") && parts[1].hasPrefix("v1a,"))
        let publicKey = try #require(secret.publicKey)
        #expect(publicKey.hasPrefix("whpk_") && hmac.publicKey == nil)
        let script = """
            import base64, sys
            from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
            key = Ed25519PublicKey.from_public_bytes(base64.b64decode(sys.argv[1][len("whpk_"):]))
            sig = base64.b64decode(sys.argv[2][len("v1a,"):])
            key.verify(sig, b"msg_1.1800000000." + sys.argv[3].encode())
            print("ok")
            """
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        p.arguments = ["python3", "-c", script, publicKey, parts[1], String(decoding: body, as: UTF8.self)]
        let out = Pipe()
        p.standardOutput = out
        try p.run()
        p.waitUntilExit()
        #expect(p.terminationStatus == 0)
        #expect(String(decoding: out.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self) == "ok\n")
    }

    @Test func malformedAsymmetricKeysAreRefused() {
        #expect(WebhookSecret(text: "whsk_" + Data(repeating: 1, count: 16).base64EncodedString()) == nil)
        #expect(WebhookSecret(text: "whsk_???") == nil)
    }
}
