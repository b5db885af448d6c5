import CoreMetrics

/// The cluster's counters (docs/cluster.md#metrics).
struct ClusterMetrics: Sendable {
    let published = Counter(label: "switchboard_cluster_messages_published_total")
    let received = Counter(label: "switchboard_cluster_messages_received_total")
    let malformed = Counter(label: "switchboard_cluster_messages_malformed_total")
    let dropped = Counter(label: "switchboard_cluster_messages_dropped_total")
}
