import ConnectionLimits
import CoreMetrics

/// The HTTP servers' connection counters (HTTP and HTTPS together), created once with fixed labels.
///
/// - `switchboard_http_connections`: open HTTP connections (WebSockets included).
/// - `switchboard_http_connections_refused_total{reason="total"|"per_address"}`: connections answered 503 and
///   closed at once because a connection cap was reached.
/// - `switchboard_http_connections_closed_total{reason}`: connections the server closed: `head_timeout`, `idle`,
///   `body_timeout`, `malformed` (a request head the parser rejected, answered 400).
/// - `switchboard_accept_failures_total{listener="http"}`: failed `accept` calls (EMFILE ...), each followed by
///   a pause of the listener.
public final class HTTPConnectionMetrics: Sendable {
    let connections = Meter(label: "switchboard_http_connections")
    let refused: [ConnectionLedger<ClientAddressKey>.Refusal: Counter]
    let expired: [HTTPConnectionDeadlines.Expiry: Counter]
    let malformed = Counter(label: "switchboard_http_connections_closed_total", dimensions: [("reason", "malformed")])
    let acceptFailures = Counter(label: "switchboard_accept_failures_total", dimensions: [("listener", "http")])

    /// Creates the metrics with the bootstrapped metrics backend.
    public init() {
        var refused: [ConnectionLedger<ClientAddressKey>.Refusal: Counter] = [:]
        for reason in ConnectionLedger<ClientAddressKey>.Refusal.allCases {
            refused[reason] = Counter(
                label: "switchboard_http_connections_refused_total",
                dimensions: [("reason", reason.rawValue)]
            )
        }
        self.refused = refused
        var expired: [HTTPConnectionDeadlines.Expiry: Counter] = [:]
        for expiry in HTTPConnectionDeadlines.Expiry.allCases {
            expired[expiry] = Counter(
                label: "switchboard_http_connections_closed_total",
                dimensions: [("reason", expiry.rawValue)]
            )
        }
        self.expired = expired
    }

    /// Counts a failed `accept` of an HTTP listener.
    public func acceptFailed() {
        self.acceptFailures.increment()
    }

    func opened() {
        self.connections.increment()
    }

    func closed() {
        self.connections.decrement()
    }

    func refused(_ reason: ConnectionLedger<ClientAddressKey>.Refusal) {
        self.refused[reason]?.increment()
    }

    func expired(_ expiry: HTTPConnectionDeadlines.Expiry) {
        self.expired[expiry]?.increment()
    }

    func malformedHead() {
        self.malformed.increment()
    }
}
