import ConnectionLimits
import CoreMetrics
import SocketIOCodec

/// The signaling counters and gauges, created once with fixed labels (swift-metrics: never per request).
///
/// - `switchboard_signaling_sessions`: open Engine.IO sessions.
/// - `switchboard_signaling_sessions_opened_total{eio="3"|"4"}`: sessions opened, by protocol revision.
/// - `switchboard_signaling_sessions_closed_total{reason}`: sessions closed, by reason (`ping timeout`, ...).
/// - `switchboard_signaling_upgrades_total`: polling sessions upgraded to WebSocket.
/// - `switchboard_signaling_slow_clients_dropped_total`: sessions closed because their outbound buffer filled.
/// - `switchboard_signaling_sessions_refused_total{reason="total"|"per_address"}`: handshakes refused over a
///   session cap.
public final class SignalingMetrics: Sendable {
    let sessions = Meter(label: "switchboard_signaling_sessions")
    let upgrades = Counter(label: "switchboard_signaling_upgrades_total")
    let slowClients = Counter(label: "switchboard_signaling_slow_clients_dropped_total")
    let opened: [EngineIOProtocolVersion: Counter]
    let closed: [EngineIOCloseReason: Counter]
    let refused: [ConnectionLedger<ClientAddressKey>.Refusal: Counter]

    /// Creates the metrics with the bootstrapped metrics backend.
    public init() {
        var opened: [EngineIOProtocolVersion: Counter] = [:]
        for version in EngineIOProtocolVersion.allCases {
            opened[version] = Counter(
                label: "switchboard_signaling_sessions_opened_total",
                dimensions: [("eio", "\(version.rawValue)")]
            )
        }
        self.opened = opened
        var closed: [EngineIOCloseReason: Counter] = [:]
        for reason in [
            EngineIOCloseReason.serverClose, .transportClose, .pingTimeout, .parseError, .transportError,
            .outboundBufferFull,
        ] {
            closed[reason] = Counter(
                label: "switchboard_signaling_sessions_closed_total",
                dimensions: [("reason", reason.rawValue)]
            )
        }
        self.closed = closed
        var refused: [ConnectionLedger<ClientAddressKey>.Refusal: Counter] = [:]
        for reason in ConnectionLedger<ClientAddressKey>.Refusal.allCases {
            refused[reason] = Counter(
                label: "switchboard_signaling_sessions_refused_total",
                dimensions: [("reason", reason.rawValue)]
            )
        }
        self.refused = refused
    }

    func sessionRefused(_ reason: ConnectionLedger<ClientAddressKey>.Refusal) {
        self.refused[reason]?.increment()
    }

    func sessionOpened(version: EngineIOProtocolVersion) {
        self.sessions.increment()
        self.opened[version]?.increment()
    }

    func sessionUpgraded() {
        self.upgrades.increment()
    }

    func sessionClosed(reason: EngineIOCloseReason) {
        self.sessions.decrement()
        self.closed[reason]?.increment()
        if reason == .outboundBufferFull {
            self.slowClients.increment()
        }
    }
}
