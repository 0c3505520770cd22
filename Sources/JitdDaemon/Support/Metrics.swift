import JitdCore
import JitdServer
import JitdStore
import CoreMetrics
import Metrics
import Prometheus

/// The daemon's metrics: one Prometheus registry behind swift-metrics, served at `/metrics`.
enum DaemonMetrics {
    /// Installs the swift-metrics backend. Call once, before any metric is made.
    static func bootstrap() -> PrometheusCollectorRegistry {
        let registry = PrometheusCollectorRegistry()
        MetricsSystem.bootstrap(JitdMetricsFactory(registry: registry))
        return registry
    }

    /// What `/metrics` serves: the registry, refreshed from the store at each scrape.
    static func exposition(_ registry: PrometheusCollectorRegistry, store: Store, now: @escaping @Sendable () -> Instant) throws -> MetricsExposition {
        let collector = try StoreMetricsCollector(store: store, now: now)
        return MetricsExposition(registry: registry, beforeScrape: { collector.collect() })
    }

    /// Records one planner run: how long planning took and the needs it saw.
    static func planned(_ plan: Plan, nanoseconds: UInt64) {
        CoreMetrics.Timer(label: JitdMetric.plannerDuration).recordNanoseconds(Int64(nanoseconds))
        CoreMetrics.Gauge(label: JitdMetric.needsOpen).record(plan.needsTotal)
        CoreMetrics.Gauge(label: JitdMetric.needsUnmet).record(plan.unmet.count)
        // Access per shift hour (1 is even); a ratio without shift time on both sides is left as it was.
        if let r = plan.fairness.nightToDay { CoreMetrics.Gauge(label: JitdMetric.accessRatio, dimensions: [("ratio", "night_to_day")]).record(r) }
        if let r = plan.fairness.weekendToWeekday { CoreMetrics.Gauge(label: JitdMetric.accessRatio, dimensions: [("ratio", "weekend_to_weekday")]).record(r) }
    }
}
