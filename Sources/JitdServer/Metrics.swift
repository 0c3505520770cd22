import Foundation
import Hummingbird
import JitdCore
import JitdStore
import CoreMetrics
import Metrics
import Prometheus

/// The names of jitd's metrics, with the help text `/metrics` shows for each.
///
/// Everything is recorded through swift-metrics; `JitdMetricsFactory` turns it into Prometheus
/// families with these help texts and bucket bounds.
public enum JitdMetric {
    public static let httpRequests = "jitd_http_requests_total"
    public static let httpDuration = "jitd_http_request_duration_seconds"
    public static let inboxFiles = "jitd_inbox_files_total"
    public static let shifts = "jitd_roster_entries"
    public static let staff = "jitd_staff_known"
    public static let needsOpen = "jitd_needs_open"
    public static let needsUnmet = "jitd_needs_unmet"
    public static let assignments = "jitd_assignments"
    public static let plannerDuration = "jitd_planner_run_duration_seconds"
    public static let accessRatio = "jitd_plan_access_ratio"
    public static let queueMessages = "jitd_queue_messages"
    public static let queueDepth = "jitd_queue_depth"
    public static let queueOldestDueAge = "jitd_queue_oldest_due_age_seconds"
    public static let deliveries = "jitd_deliveries_total"
    public static let deliveryDuration = "jitd_delivery_duration_seconds"
    /// Recorded by the dispatcher (`DispatchMetric` in JitdDispatch).
    public static let circuitOpen = "jitd_endpoint_circuit_open"
    public static let endpointDisabled = "jitd_endpoint_disabled"
    public static let orphaned = "jitd_queue_orphaned_total"
    public static let staleUnits = "jitd_roster_stale_units"
    public static let overdue = "jitd_training_overdue"

    static let help: [String: String] = [
        httpRequests: "HTTP requests answered, by route template, method and status code.",
        httpDuration: "Time to answer an HTTP request, by route template and method.",
        inboxFiles: "Inbox files handled since the database was created, by kind and outcome (accepted, rejected, duplicate).",
        shifts: "Roster entries known to the store, by kind (shift or busy).",
        staff: "Distinct staff members ever seen on a roster.",
        needsOpen: "Needs (staff, module pairs that are due) found by the last planner run.",
        needsUnmet: "Needs the last planner run could not place in the horizon.",
        assignments: "Assignments in the store, by state.",
        plannerDuration: "Wall time of one planner run (planning only, not saving).",
        accessRatio: "Training minutes per shift hour of one group of shifts over another's in the last plan (ratio night_to_day or weekend_to_weekday; 1 is even).",
        queueMessages: "Webhook messages in the outbox, by state.",
        queueDepth: "Webhook messages waiting to be sent (pending), by endpoint.",
        queueOldestDueAge: "Seconds the oldest due pending message of an endpoint has waited past its due time (0 when none is late).",
        deliveries: "Webhook delivery attempts since start-up, by endpoint and outcome (delivered, retry, dead).",
        deliveryDuration: "Time of one webhook delivery attempt, by endpoint and outcome.",
        orphaned: "Queued messages moved to dead because their endpoint was removed from the config, since start-up.",
        circuitOpen: "1 while an endpoint's circuit breaker is open (it kept failing; probed again later), else 0.",
        staleUnits: "Units with coverage rules and no shift in the next horizon_hours: planning for them has stopped until a roster arrives.",
        overdue: "People past a module's due date (or the lapse of its recertification) who have not completed it since.",
        endpointDisabled: "1 while an endpoint is disabled (the receiver answered 410 Gone, or an operator); `jitd queue enable NAME` ends it.",
    ]

    static let durationBuckets: [String: [Duration]] = [
        httpDuration: [.microseconds(250), .microseconds(500), .milliseconds(1), .milliseconds(2), .milliseconds(5), .milliseconds(10),
                       .milliseconds(25), .milliseconds(50), .milliseconds(100), .milliseconds(250), .milliseconds(500), .seconds(1), .seconds(5)],
        plannerDuration: [.milliseconds(10), .milliseconds(50), .milliseconds(100), .milliseconds(250), .milliseconds(500), .seconds(1),
                          .milliseconds(2500), .seconds(5), .seconds(10), .seconds(30), .seconds(60), .seconds(120)],
        deliveryDuration: [.milliseconds(5), .milliseconds(10), .milliseconds(25), .milliseconds(50), .milliseconds(100), .milliseconds(250),
                           .milliseconds(500), .seconds(1), .milliseconds(2500), .seconds(5), .seconds(10), .seconds(30)],
    ]
}

/// A swift-metrics backend over a Prometheus registry that gives every family a help text
/// (promtool's lint wants one) and jitd's bucket bounds.
public struct JitdMetricsFactory: MetricsFactory {
    public let registry: PrometheusCollectorRegistry

    public init(registry: PrometheusCollectorRegistry) { self.registry = registry }

    func help(_ name: String) -> String {
        JitdMetric.help[name] ?? name.replacingOccurrences(of: "_", with: " ").replacingOccurrences(of: ".", with: " ")
    }

    /// The family's full name and help text (the whole name goes in `metricName`, with no unit suffix added).
    func descriptor(_ label: String) -> MetricNameDescriptor {
        MetricNameDescriptor(metricName: clean(label), unitName: "", helpText: help(label))
    }

    /// Prometheus names allow `[a-zA-Z0-9_:]`; other libraries' labels may use dots.
    func clean(_ name: String) -> String {
        String(name.map { $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "_" || $0 == ":") ? $0 : "_" })
    }

    public func makeCounter(label: String, dimensions: [(String, String)]) -> any CounterHandler {
        registry.makeCounter(descriptor: descriptor(label), labels: dimensions)
    }

    public func makeFloatingPointCounter(label: String, dimensions: [(String, String)]) -> any FloatingPointCounterHandler {
        registry.makeCounter(descriptor: descriptor(label), labels: dimensions)
    }

    public func makeRecorder(label: String, dimensions: [(String, String)], aggregate: Bool) -> any RecorderHandler {
        guard aggregate else { return registry.makeGauge(descriptor: descriptor(label), labels: dimensions) }
        return registry.makeValueHistogram(descriptor: descriptor(label), labels: dimensions,
                                           buckets: [0.001, 0.01, 0.1, 1, 10, 100, 1000, 10000])
    }

    public func makeMeter(label: String, dimensions: [(String, String)]) -> any MeterHandler {
        registry.makeGauge(descriptor: descriptor(label), labels: dimensions)
    }

    public func makeTimer(label: String, dimensions: [(String, String)]) -> any TimerHandler {
        let buckets = JitdMetric.durationBuckets[label]
            ?? [.milliseconds(5), .milliseconds(25), .milliseconds(100), .milliseconds(500), .seconds(1), .seconds(5), .seconds(10)]
        return registry.makeDurationHistogram(descriptor: descriptor(label), labels: dimensions, buckets: buckets)
    }

    public func destroyCounter(_ handler: any CounterHandler) {
        if let c = handler as? Prometheus.Counter { registry.unregisterCounter(c) }
    }

    public func destroyFloatingPointCounter(_ handler: any FloatingPointCounterHandler) {
        if let c = handler as? Prometheus.Counter { registry.unregisterCounter(c) }
    }

    public func destroyRecorder(_ handler: any RecorderHandler) {
        if let g = handler as? Prometheus.Gauge { registry.unregisterGauge(g) }
        if let h = handler as? Histogram<Double> { registry.unregisterValueHistogram(h) }
    }

    public func destroyMeter(_ handler: any MeterHandler) {
        if let g = handler as? Prometheus.Gauge { registry.unregisterGauge(g) }
    }

    public func destroyTimer(_ handler: any TimerHandler) {
        if let h = handler as? Histogram<Duration> { registry.unregisterDurationHistogram(h) }
    }
}

/// What `/metrics` serves: a registry, and the reading of store-derived values just before each scrape.
public struct MetricsExposition: Sendable {
    public let registry: PrometheusCollectorRegistry
    public let beforeScrape: @Sendable () -> Void

    public init(registry: PrometheusCollectorRegistry, beforeScrape: @escaping @Sendable () -> Void = {}) {
        self.registry = registry
        self.beforeScrape = beforeScrape
    }
}

/// Reads what the store knows into metrics at scrape time: roster and staff counts, assignments by
/// state, the queue, inbox files, and the delivery attempts recorded since the last scrape (so the
/// dispatcher needs no metrics code of its own, and every attempt is counted once).
public final class StoreMetricsCollector: @unchecked Sendable {
    private let store: Store
    private let now: @Sendable () -> Instant
    private let lock = NSLock()
    /// Delivery attempts up to this row are already counted.
    private var lastAttemptRow: Int64
    /// Inbox totals already added to their counters.
    private var inboxCounted: [[String]: Int] = [:]
    /// Endpoints seen with pending messages, so their gauges drop to 0 when the queue empties.
    private var endpointsSeen: Set<String> = []

    /// Counts delivery attempts from this moment on.
    public init(store: Store, now: @escaping @Sendable () -> Instant) throws {
        self.store = store
        self.now = now
        self.lastAttemptRow = try store.lastDeliveryAttemptRowID()
    }

    /// Updates every store-derived metric. Errors are swallowed: a scrape shows the last values.
    public func collect() {
        lock.withLock {
            do { try collectLocked() } catch {}
        }
    }

    private func collectLocked() throws {
        let v = try store.gaugeValues(now: now())
        CoreMetrics.Gauge(label: JitdMetric.shifts, dimensions: [("kind", "shift")]).record(v.shifts)
        CoreMetrics.Gauge(label: JitdMetric.shifts, dimensions: [("kind", "busy")]).record(v.busyBlocks)
        CoreMetrics.Gauge(label: JitdMetric.staff).record(v.staff)
        CoreMetrics.Gauge(label: JitdMetric.staleUnits).record(v.staleUnits)
        CoreMetrics.Gauge(label: JitdMetric.overdue).record(v.overdue)
        for state in AssignmentState.allCases {
            CoreMetrics.Gauge(label: JitdMetric.assignments, dimensions: [("state", state.rawValue)]).record(v.assignmentsByState[state.rawValue] ?? 0)
        }
        for state in ["pending", "leased", "delivered", "dead", "expired", "cancelled"] {
            CoreMetrics.Gauge(label: JitdMetric.queueMessages, dimensions: [("state", state)]).record(v.messagesByState[state] ?? 0)
        }
        endpointsSeen.formUnion(v.pendingByEndpoint.keys)
        for endpoint in endpointsSeen {
            CoreMetrics.Gauge(label: JitdMetric.queueDepth, dimensions: [("endpoint", endpoint)]).record(v.pendingByEndpoint[endpoint] ?? 0)
            CoreMetrics.Gauge(label: JitdMetric.queueOldestDueAge, dimensions: [("endpoint", endpoint)]).record(v.oldestDueAgeByEndpoint[endpoint] ?? 0)
        }
        for c in v.inboxFiles {
            let key = [c.kind, c.outcome]
            let delta = c.count - (inboxCounted[key] ?? 0)
            if delta > 0 {
                CoreMetrics.Counter(label: JitdMetric.inboxFiles, dimensions: [("kind", c.kind), ("outcome", c.outcome)]).increment(by: delta)
                inboxCounted[key] = c.count
            }
        }
        while true {
            let (samples, last) = try store.deliveryAttempts(after: lastAttemptRow)
            for s in samples {
                let dims = [("endpoint", s.endpoint), ("outcome", s.outcome)]
                CoreMetrics.Counter(label: JitdMetric.deliveries, dimensions: dims).increment()
                CoreMetrics.Timer(label: JitdMetric.deliveryDuration, dimensions: dims).recordMilliseconds(s.durationMs)
            }
            lastAttemptRow = last
            if samples.count < 10_000 { break }
        }
    }
}

/// Counts every request by route template (never the raw path, which would let clients mint
/// label values), method and status, and times it. Runs outside the problem middleware, so it
/// sees the status the client gets.
struct HTTPMetricsMiddleware<Context: RequestContext>: RouterMiddleware {
    private final class Cache: @unchecked Sendable {
        struct Key: Hashable { var route: String; var method: String; var status: Int }
        struct Handles { var counter: CoreMetrics.Counter; var timer: CoreMetrics.Timer }
        let lock = NSLock()
        var handles: [Key: Handles] = [:]

        func handles(_ key: Key) -> Handles {
            lock.withLock {
                if let h = handles[key] { return h }
                let h = Handles(
                    counter: CoreMetrics.Counter(label: JitdMetric.httpRequests,
                                     dimensions: [("route", key.route), ("method", key.method), ("status", String(key.status))]),
                    timer: CoreMetrics.Timer(label: JitdMetric.httpDuration, dimensions: [("route", key.route), ("method", key.method)]))
                handles[key] = h
                return h
            }
        }
    }

    private let cache = Cache()
    /// Methods counted under their own name; anything else is `other`.
    private static var knownMethods: Set<String> { ["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS", "TRACE"] }

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        let started = DispatchTime.now().uptimeNanoseconds
        let response = try await next(request, context)
        let route = context.endpointPath.flatMap { $0 == "NotFound" ? nil : $0 } ?? "unmatched"
        let method = Self.knownMethods.contains(request.method.rawValue) ? request.method.rawValue : "other"
        let h = cache.handles(.init(route: route, method: method, status: Int(response.status.code)))
        h.counter.increment()
        h.timer.recordNanoseconds(Int64(DispatchTime.now().uptimeNanoseconds - started))
        return response
    }
}
