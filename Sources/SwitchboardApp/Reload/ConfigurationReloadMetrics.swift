import CoreMetrics

/// The outcome of configuration reloads: `switchboard_config_reloads_total{result="applied"|"rejected"}` and
/// `switchboard_config_restart_pending_keys`, the number of changed keys that wait for a restart; and the
/// certificate renewals found on disk (``CertificateFileWatch``):
/// `switchboard_tls_certificate_file_reloads_total{result="applied"|"rejected"}`.
struct ConfigurationReloadMetrics: Sendable {
    let applied = Counter(label: "switchboard_config_reloads_total", dimensions: [("result", "applied")])
    let rejected = Counter(label: "switchboard_config_reloads_total", dimensions: [("result", "rejected")])
    let restartPendingKeys = Gauge(label: "switchboard_config_restart_pending_keys")
    let certificateApplied = Counter(
        label: "switchboard_tls_certificate_file_reloads_total",
        dimensions: [("result", "applied")]
    )
    let certificateRejected = Counter(
        label: "switchboard_tls_certificate_file_reloads_total",
        dimensions: [("result", "rejected")]
    )
}
