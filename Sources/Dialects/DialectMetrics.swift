import CoreMetrics

/// Counters of the dialects: connections per dialect, errors sent, events dropped.
final class DialectMetrics: Sendable {
    let errors = Counter(label: "switchboard_signaling_dialect_errors_total")
    let rateLimited = Counter(label: "switchboard_signaling_dialect_rate_limited_total")
    let dropped = Counter(label: "switchboard_signaling_dialect_dropped_events_total")
    let connections: [SignalingDialectsConfiguration.Selection: Counter]

    init() {
        var connections: [SignalingDialectsConfiguration.Selection: Counter] = [:]
        for dialect in SignalingDialectsConfiguration.Selection.allCases where dialect != .auto {
            connections[dialect] = Counter(
                label: "switchboard_signaling_dialect_sessions_total",
                dimensions: [("dialect", dialect.rawValue)]
            )
        }
        self.connections = connections
    }
}
