/// Why an Engine.IO session closed (engine.io `socket.ts` close reasons).
public enum EngineIOCloseReason: String, Sendable, Hashable, CustomStringConvertible {
    /// The server closed the session (`forced close`).
    case serverClose = "forced close"
    /// The client closed it: a `1` packet over polling, or a WebSocket close (`transport close`).
    case transportClose = "transport close"
    /// No heartbeat in time (`ping timeout`): Engine.IO v4 §"Heartbeat".
    case pingTimeout = "ping timeout"
    /// The client sent something that does not decode (`parse error`).
    case parseError = "parse error"
    /// The client broke the transport rules: overlapping polls, a binary POST in v4, a heartbeat in the wrong
    /// direction (`transport error`).
    case transportError = "transport error"
    /// The client did not take its packets fast enough; its outbound buffer passed the configured limit.
    case outboundBufferFull = "outbound buffer full"

    public var description: String {
        self.rawValue
    }
}
