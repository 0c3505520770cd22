import Foundation
import JitdCore
import Testing
@testable import JitdDispatch

@Suite struct CircuitBreakerTests {
    @Test func opensAfterTheThresholdAndProbesAfterTheCooldown() {
        var b = CircuitBreaker(threshold: 3, baseCooldown: 5, maxCooldown: 60)
        let full = b.window(at: 0, concurrency: 8)
        let opened = [b.recordFailure(at: 0), b.recordFailure(at: 1), b.recordFailure(at: 2)]
        #expect(full == 8 && opened == [false, false, true])
        let during = b.window(at: 6.9, concurrency: 8)
        let probe = b.window(at: 7, concurrency: 8)
        #expect(during == 0 && probe == 1, "closed during the cooldown, then one probe")
        let reopened = b.recordFailure(at: 7)
        #expect(reopened && b.reopensIn(at: 7) == 10, "a failed probe opens it again, for twice as long")
        let probe2 = b.window(at: 17, concurrency: 8)
        let closed = b.recordSuccess()
        let after = b.window(at: 17, concurrency: 8)
        let again = b.recordSuccess()
        #expect(probe2 == 1 && closed && after == 8 && !again, "a good probe closes it and starts recovery once")
    }

    @Test func aSuccessResetsTheCountAndRetryAfterLengthensTheCooldown() {
        var b = CircuitBreaker(threshold: 2, baseCooldown: 5, maxCooldown: 60)
        _ = b.recordFailure(at: 0)
        _ = b.recordSuccess()
        let first = b.recordFailure(at: 1)
        let second = b.recordFailure(at: 2, retryAfter: 30)
        #expect(!first && second, "the count starts again after a success")
        #expect(b.reopensIn(at: 2) == 30)
        var c = CircuitBreaker(threshold: 1, baseCooldown: 5, maxCooldown: 60)
        _ = c.recordFailure(at: 0, retryAfter: 99_999)
        #expect(c.reopensIn(at: 0) == 60, "Retry-After is capped by the longest cooldown")
    }
}

@Suite struct RecoveryLimiterTests {
    @Test func unlimitedOutsideRecovery() {
        var l = RecoveryLimiter(startRate: 10)
        let n = l.take(1000, at: 0)
        #expect(n == 1000)
    }

    @Test func pacesAtTheStartRateAndDoubles() {
        var l = RecoveryLimiter(startRate: 10, doublingSeconds: 5, ceiling: 1000)
        l.begin(at: 100)
        var sent = 0
        var t = 100.0
        while t < 101 { sent += l.take(100, at: t); t += 0.001 }
        #expect((9...12).contains(sent), "about 10 in the first second, got \(sent)")
        sent = 0
        t = 105
        _ = l.take(100, at: t) // the bucket holds at most one second's worth
        while t < 106 { sent += l.take(100, at: t); t += 0.001 }
        #expect((18...26).contains(sent), "about 20/s after one doubling, got \(sent)")
        let all = l.take(5000, at: 200)
        #expect(all == 5000 && !l.isRecovering, "past the ceiling recovery ends")
    }
}

@Suite struct NetworkGuardTests {
    @Test(arguments: ["http://127.0.0.1/x", "http://[::1]/x", "http://[::ffff:127.0.0.1]/x", "http://169.254.169.254/latest",
                      "http://10.1.2.3/x", "http://172.16.0.1/x", "http://192.168.1.1/x", "http://100.64.0.1/x",
                      "http://[fe80::1]/x", "http://[fd00::1]/x", "http://[::ffff:169.254.169.254]/x", "http://localhost:9/x"])
    func refusesInternalAddresses(url: String) {
        guard case .failure(.refused(let why)) = NetworkGuard.target(url: url, allowed: []) else {
            Issue.record("\(url) was not refused")
            return
        }
        #expect(why.contains("allow_networks"))
    }

    @Test func allowNetworksAdmitsTheRangeAndItsMappedForm() throws {
        let loop = [CIDR("127.0.0.0/8")!, CIDR("::1/128")!]
        #expect(try NetworkGuard.target(url: "http://127.0.0.1:8080/x", allowed: loop).get() == .init(host: "127.0.0.1", addresses: []))
        #expect((try? NetworkGuard.target(url: "http://[::ffff:127.0.0.1]/x", allowed: loop).get()) != nil)
        #expect((try? NetworkGuard.target(url: "http://10.0.0.1/x", allowed: loop).get()) == nil)
    }

    @Test func aNameIsPinnedToACheckedAddress() throws {
        let t = try NetworkGuard.target(url: "http://localhost:9/x", allowed: [CIDR("127.0.0.0/8")!, CIDR("::1/128")!]).get()
        #expect(t.host == "localhost" && (t.pinned == "127.0.0.1" || t.pinned == "0:0:0:0:0:0:0:1"))
    }

    @Test func everyResolvedAddressIsCheckedAndKeptInOrder() throws {
        let v6: [UInt8] = [0x26, 0x06, 0x28, 0x00, 0x02, 0x20, 0x00, 0x01, 0, 0, 0, 0, 0, 0, 0, 0x01]
        let many: NetworkGuard.Resolver = { _ in [v6, [93, 184, 216, 34], [93, 184, 216, 35], [93, 184, 216, 34]] }
        let t = try NetworkGuard.target(url: "https://hooks.example.org/x", allowed: [], resolve: many).get()
        #expect(t.addresses == ["93.184.216.34", "93.184.216.35", "2606:2800:220:1:0:0:0:1"], "IPv4 first, each once")
        let sneaky: NetworkGuard.Resolver = { _ in [[93, 184, 216, 34], [10, 0, 0, 5]] }
        guard case .failure(.refused) = NetworkGuard.target(url: "https://hooks.example.org/x", allowed: [], resolve: sneaky) else {
            Issue.record("an internal address among public ones was not refused")
            return
        }
    }

    @Test func publicAddressesPass() {
        #expect((try? NetworkGuard.target(url: "https://93.184.216.34/hook", allowed: []).get()) != nil)
        #expect((try? NetworkGuard.target(url: "https://[2606:2800:220:1::1]/hook", allowed: []).get()) != nil)
    }
}
