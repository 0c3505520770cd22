import Foundation
import Hummingbird
import HummingbirdTesting
import Testing
@testable import JitdCore
@testable import JitdServer
@testable import JitdStore

@Suite struct MetricsTests {
    /// The value of the sample whose line starts with `prefix` (name and labels), if any.
    static func value(_ text: String, _ prefix: String) -> Double? {
        for line in text.split(separator: "\n") where line.hasPrefix(prefix + " ") {
            return Double(line.dropFirst(prefix.count + 1))
        }
        return nil
    }

    @Test func metricsCoverTheStoreTheQueueDeliveriesAndHTTP() async throws {
        let f = try Fixture()
        try f.seedAssignments()
        try f.setState("a_2", .completed)
        let shift = Shift(staffID: "s", role: "RN", unit: "MICU", interval: Interval(start: t0, end: t0.adding(minutes: 720)))
        _ = try f.store.applyRoster(file: "m.csv", sha256: "mm", entries: [shift], zones: { _ in .utc }, now: t0) { _ in [] }
        try f.store.recordRejected(file: "x.csv", sha256: "xx", kind: .roster, errors: ["x"], now: t0, events: [])
        let collector = try StoreMetricsCollector(store: f.store, now: { t0.adding(seconds: 3060) })
        // Counted from now on: two failures that will be retried and one dead, at endpoint metrics-ep.
        try DeliveryAndInboxTests.deliver(f, ["r1.csv", "r2.csv"], endpoint: "metrics-ep", status: 500, outcome: .retry(at: t0.adding(seconds: 600)))
        try DeliveryAndInboxTests.deliver(f, ["r3.csv"], endpoint: "metrics-ep", status: 410, outcome: .dead)
        let exposition = MetricsExposition(registry: TestMetrics.registry, beforeScrape: { collector.collect() })
        try await f.live(metrics: exposition) { client in
            try await client.execute(uri: "/v1/assignments", method: .get, headers: ro) { #expect($0.status == .ok) }
            try await client.execute(uri: "/v1/assignments/nope", method: .get, headers: ro) { #expect($0.status == .notFound) }
            try await client.execute(uri: "/v1/assignments/nope", method: .get) { #expect($0.status == .unauthorized) }
            try await client.execute(uri: "/no/such/thing", method: .get, headers: ro) { #expect($0.status == .notFound) }
            try await client.execute(uri: "/metrics", method: .get) { r in
                #expect(r.status == .ok)
                #expect(r.headers[.contentType] == "text/plain; version=0.0.4; charset=utf-8")
                let text = r.text
                #expect(text.contains("# HELP jitd_assignments Assignments in the store, by state."))
                #expect(text.contains("# TYPE jitd_http_requests_total counter"))
                #expect(text.contains("# TYPE jitd_delivery_duration_seconds histogram"))
                #expect(Self.value(text, #"jitd_assignments{state="planned"}"#) == 2)
                #expect(Self.value(text, #"jitd_assignments{state="completed"}"#) == 1)
                #expect(Self.value(text, #"jitd_assignments{state="declined"}"#) == 0)
                #expect(Self.value(text, #"jitd_roster_entries{kind="shift"}"#) == 1)
                #expect(Self.value(text, "jitd_staff_known") == 1)
                #expect(Self.value(text, #"jitd_inbox_files_total{kind="roster",outcome="accepted"}"#) == 1)
                #expect(Self.value(text, #"jitd_inbox_files_total{kind="roster",outcome="rejected"}"#) == 1)
                // Three assignment.scheduled messages wait for paging, the first due at 12:50, 60 s before "now".
                #expect(Self.value(text, #"jitd_queue_depth{endpoint="paging"}"#) == 3)
                #expect(Self.value(text, #"jitd_queue_oldest_due_age_seconds{endpoint="paging"}"#) == 60)
                #expect(Self.value(text, #"jitd_queue_depth{endpoint="metrics-ep"}"#) == 2)
                #expect(Self.value(text, #"jitd_queue_oldest_due_age_seconds{endpoint="metrics-ep"}"#) == 2460)
                #expect(Self.value(text, #"jitd_queue_messages{state="dead"}"#) == 1)
                #expect(Self.value(text, #"jitd_deliveries_total{endpoint="metrics-ep",outcome="retry"}"#) == 2)
                #expect(Self.value(text, #"jitd_deliveries_total{endpoint="metrics-ep",outcome="dead"}"#) == 1)
                #expect(Self.value(text, #"jitd_delivery_duration_seconds_count{endpoint="metrics-ep",outcome="retry"}"#) == 2)
                #expect(Self.value(text, #"jitd_delivery_duration_seconds_bucket{endpoint="metrics-ep",outcome="retry",le="0.05"}"#) == 2)
                #expect(Self.value(text, #"jitd_delivery_duration_seconds_bucket{endpoint="metrics-ep",outcome="retry",le="0.025"}"#) == 0)
                #expect((Self.value(text, #"jitd_http_requests_total{route="/v1/assignments",method="GET",status="200"}"#) ?? 0) >= 1)
                #expect((Self.value(text, #"jitd_http_requests_total{route="/v1/assignments/{id}",method="GET",status="404"}"#) ?? 0) >= 1)
                #expect((Self.value(text, #"jitd_http_requests_total{route="/v1/assignments/{id}",method="GET",status="401"}"#) ?? 0) >= 1)
                #expect((Self.value(text, #"jitd_http_requests_total{route="unmatched",method="GET",status="404"}"#) ?? 0) >= 1)
                #expect(!text.contains("/no/such/thing"), "raw paths never become label values")
                Self.promtool(text)
            }
        }
        // Attempts are counted once: a second scrape adds nothing.
        collector.collect()
        let again = TestMetrics.registry.emitToString()
        #expect(Self.value(again, #"jitd_deliveries_total{endpoint="metrics-ep",outcome="retry"}"#) == 2)
    }

    /// `promtool check metrics` when it is installed (scripts/check-api always runs it).
    static func promtool(_ text: String) {
        let path = "/usr/bin/promtool"
        guard FileManager.default.isExecutableFile(atPath: path) else { return }
        let p = Process()
        p.executableURL = URL(fileURLWithPath: path)
        p.arguments = ["check", "metrics"]
        let input = Pipe(), output = Pipe()
        p.standardInput = input
        p.standardOutput = output
        p.standardError = output
        do { try p.run() } catch { Issue.record("cannot run promtool: \(error)"); return }
        input.fileHandleForWriting.write(Data(text.utf8))
        try? input.fileHandleForWriting.close()
        let said = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        p.waitUntilExit()
        #expect(p.terminationStatus == 0, "promtool check metrics: \(said)")
    }
}
