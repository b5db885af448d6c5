import Metrics
import Prometheus

/// Sets up swift-metrics once per process with a Prometheus registry, which `/metrics` renders.
public enum MetricsBootstrap {
    /// Bootstraps the global metrics system and returns the registry to export.
    public static func bootstrap() -> PrometheusCollectorRegistry {
        let registry = PrometheusCollectorRegistry()
        let factory = PrometheusMetricsFactory(registry: registry)
        MetricsSystem.bootstrap(factory)
        return registry
    }
}
