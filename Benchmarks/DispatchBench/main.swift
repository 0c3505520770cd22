// Dispatcher benchmark (not a test): sustained deliveries per second through the durable
// outbox next to a plain AsyncHTTPClient loop with no persistence, both to the same receiver on
// loopback, and the delay from a message's due time to its arrival at a steady 1,000 messages/s.
//
//   swift run -c release jitd-bench-dispatch [--messages N] [--concurrency C] [--rate R] [--seconds S]
import AsyncHTTPClient
import Foundation
import GRDB
import JitdCore
import JitdDispatch
import JitdStore
import Logging
import NIOCore

struct Options {
    var messages = 20_000
    var concurrency = 32
    var rate = 1_000
    var seconds = 10

    init(_ args: [String]) {
        var it = args.dropFirst().makeIterator()
        while let a = it.next() {
            let v = it.next().flatMap(Int.init) ?? 0
            switch a {
            case "--messages": messages = v
            case "--concurrency": concurrency = v
            case "--rate": rate = v
            case "--seconds": seconds = v
            default: fatalError("unknown option \(a)")
            }
        }
    }
}

func ticks() -> Double { Double(DispatchTime.now().uptimeNanoseconds) / 1e9 }

func temporaryStore() throws -> (Store, String) {
    let dir = NSTemporaryDirectory() + "jitd-bench-dispatch-" + UUID().uuidString
    try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
    return (try Store(path: dir + "/jitd.sqlite"), dir)
}

func events(_ n: Int, tag: String, at now: Instant) -> [WebhookEvent] {
    (0..<n).map { i in
        WebhookEvent(id: "msg_\(tag)_\(i)", type: "roster.accepted", timestamp: now, unit: "MICU",
                     data: ["file": .string("roster-\(i).csv"), "shifts": .int(120), "units": .array([.string("MICU")])])
    }
}

let options = Options(CommandLine.arguments)
let secret = WebhookSecret(key: Data((0..<32).map { UInt8($0) }))
let logger: Logger = {
    var l = Logger(label: "bench")
    l.logLevel = .error
    return l
}()
let now: @Sendable () -> Instant = { Instant(seconds: Int64(Date().timeIntervalSince1970)) }

/// The lower bound: POST the same signed bodies with AsyncHTTPClient, `concurrency` at a time, nothing stored.
func plainLoop(_ receiver: BenchReceiver, _ n: Int) async throws -> Double {
    receiver.reset()
    let client = HTTPClient(eventLoopGroupProvider: .singleton, configuration: .init(
        redirectConfiguration: .disallow, timeout: .init(connect: .seconds(5), read: .seconds(10)),
        connectionPool: .init(idleTimeout: .seconds(60), concurrentHTTP1ConnectionsPerHostSoftLimit: options.concurrency)))
    let list = events(n, tag: "plain", at: now())
    let start = ticks()
    try await withThrowingTaskGroup(of: Void.self) { group in
        var next = 0
        func add() {
            let e = list[next]
            next += 1
            group.addTask {
                var r = HTTPClientRequest(url: receiver.url)
                r.method = .POST
                for (k, v) in WebhookSigner.headers(id: e.id, timestamp: now().seconds, body: e.body, secrets: [secret]) {
                    r.headers.add(name: k, value: v)
                }
                r.body = .bytes(ByteBuffer(bytes: e.body))
                let response = try await client.execute(r, timeout: .seconds(10))
                _ = try await response.body.collect(upTo: 65_536)
            }
        }
        for _ in 0..<min(options.concurrency, n) { add() }
        while try await group.next() != nil { if next < n { add() } }
    }
    let elapsed = ticks() - start
    try await client.shutdown()
    return Double(n) / elapsed
}

func startDispatcher(_ store: Store, _ receiver: BenchReceiver, wake: ChangeSignal) -> Task<Void, Never> {
    let endpoint = DispatchEndpoint(name: "bench", url: receiver.url, secrets: [secret], allowNetworks: [CIDR("127.0.0.0/8")!],
                                    concurrency: options.concurrency)
    let d = Dispatcher(store: store, endpoints: [endpoint], wake: wake, logger: logger, clock: DispatchClock(now: now))
    return Task { try? await d.run() }
}

/// Through the outbox: `n` due messages, claimed, signed, posted and recorded as delivered
/// (`synchronous=FULL`), timed until the last one is recorded.
func durable(_ receiver: BenchReceiver, _ n: Int) async throws -> (rate: Double, sync: Int) {
    receiver.reset()
    let (store, dir) = try temporaryStore()
    defer { try? FileManager.default.removeItem(atPath: dir) }
    try store.enqueue(events(n, tag: "durable", at: now()).map { ($0, ["bench"]) }, runAt: now())
    let wake = ChangeSignal()
    let start = ticks()
    let task = startDispatcher(store, receiver, wake: wake)
    while receiver.count < n { try await Task.sleep(nanoseconds: 1_000_000) }
    while try store.queueCounts()["delivered", default: 0] < n { try await Task.sleep(nanoseconds: 5_000_000) }
    let elapsed = ticks() - start
    task.cancel()
    await task.value
    let sync = try await store.pool.read { try Int.fetchOne($0, sql: "PRAGMA synchronous") } ?? -1
    return (Double(n) / elapsed, sync)
}

/// Messages fall due at `rate` per second (queued in 10 ms batches, each its own transaction);
/// the delay from queueing to arrival at the receiver, per message.
func latency(_ receiver: BenchReceiver) async throws -> [Double] {
    receiver.reset()
    let (store, dir) = try temporaryStore()
    defer { try? FileManager.default.removeItem(atPath: dir) }
    let wake = ChangeSignal()
    let task = startDispatcher(store, receiver, wake: wake)
    try await Task.sleep(nanoseconds: 300_000_000)
    var queued: [String: Double] = [:]
    let perBatch = max(1, options.rate / 100)
    let batches = options.seconds * 100
    let start = ticks()
    for b in 0..<batches {
        let due = start + Double(b) * 0.01
        if ticks() < due { try await Task.sleep(nanoseconds: UInt64((due - ticks()) * 1e9)) }
        let list = events(perBatch, tag: "lat\(b)", at: now())
        let t = ticks()
        try store.enqueue(list.map { ($0, ["bench"]) }, runAt: now())
        wake.notify()
        for e in list { queued[e.id] = t }
    }
    let total = batches * perBatch
    let deadline = ticks() + 30
    while receiver.count < total && ticks() < deadline { try await Task.sleep(nanoseconds: 10_000_000) }
    task.cancel()
    await task.value
    return receiver.arrivals.compactMap { id, at in queued[id].map { at - $0 } }.sorted()
}

func percentile(_ sorted: [Double], _ p: Double) -> Double { sorted[min(sorted.count - 1, Int(Double(sorted.count - 1) * p))] }

let receiver = try await BenchReceiver.start()
print("jitd-bench-dispatch: \(options.messages) messages, concurrency \(options.concurrency), receiver on \(receiver.url)")
_ = try await plainLoop(receiver, 2_000) // warm-up
let plain = try await plainLoop(receiver, options.messages)
let (through, sync) = try await durable(receiver, options.messages)
let plain2 = try await plainLoop(receiver, options.messages)
let baseline = (plain + plain2) / 2
print(String(format: "plain AsyncHTTPClient loop (no persistence): %8.0f msg/s  (runs: %.0f, %.0f)", baseline, plain, plain2))
print(String(format: "durable outbox (synchronous=%d, FULL=2):     %8.0f msg/s  = %.0f%% of the plain loop", sync, through, 100 * through / baseline))
let lat = try await latency(receiver)
print(String(format: "due -> arrival at %d msg/s for %d s: %d messages, p50 %.1f ms, p99 %.1f ms, max %.1f ms",
             options.rate, options.seconds, lat.count, 1000 * percentile(lat, 0.5), 1000 * percentile(lat, 0.99), 1000 * (lat.last ?? 0)))
