import CoreMetrics

/// The counters of the WebSocket connections served in the pipeline (``WebSocketConnection``), with fixed labels:
///
/// - `switchboard_websocket_slow_clients_total{reason="outbound_buffer_full"}`: a message would have taken the
///   bytes waiting for a client's socket over its budget (the message is dropped and the owner closes with 1008);
/// - `switchboard_websocket_slow_clients_total{reason="send_timeout"}`: a connection stayed unwritable (the
///   client read nothing) for the send timeout and was dropped;
/// - `switchboard_websocket_pongs_dropped_total`: pings left unanswered because a later ping arrived while the
///   connection was unwritable (only the latest is answered).
public final class WebSocketMetrics: Sendable {
    let outboundBufferFull = Counter(
        label: "switchboard_websocket_slow_clients_total",
        dimensions: [("reason", "outbound_buffer_full")]
    )
    let sendTimeouts = Counter(
        label: "switchboard_websocket_slow_clients_total",
        dimensions: [("reason", "send_timeout")]
    )
    let pongsDropped = Counter(label: "switchboard_websocket_pongs_dropped_total")

    init() {}
}
