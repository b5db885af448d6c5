import ConnectionLimits
import NIOCore

/// The limits of the HTTP servers' connections: the head and idle timeouts of each connection (see
/// ``HTTPConnectionDeadlines``) and the caps on open connections, in total and per client address, shared by the
/// HTTP and HTTPS listeners.
public struct HTTPConnectionLimits: Sendable {
    /// A request head must be complete within this (`http.requestHeadTimeoutSeconds`).
    public var headTimeout: TimeAmount
    /// A connection idle between requests, or stalled in a request body, this long is closed
    /// (`http.idleTimeoutSeconds`).
    public var idleTimeout: TimeAmount
    /// The open connections and their caps (`http.maxConnections`, `http.maxConnectionsPerAddress`).
    public var ledger: SharedConnectionLedger
    /// Where refusals and closes are counted.
    public var metrics: HTTPConnectionMetrics

    /// - Parameters: see the properties; the defaults are the configuration's defaults without caps.
    public init(
        headTimeout: TimeAmount = .seconds(10),
        idleTimeout: TimeAmount = .seconds(60),
        ledger: SharedConnectionLedger = SharedConnectionLedger(totalLimit: 0, perAddressLimit: 0),
        metrics: HTTPConnectionMetrics = HTTPConnectionMetrics()
    ) {
        self.headTimeout = headTimeout
        self.idleTimeout = idleTimeout
        self.ledger = ledger
        self.metrics = metrics
    }
}
