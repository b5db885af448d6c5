import SocketIOCodec

/// Settings of the signaling plane: the Engine.IO endpoint (transports, heartbeats, limits, CORS) and the Socket.IO
/// layer above it.
///
/// Every duration is in milliseconds, as the Engine.IO handshake announces them (`pingInterval`, `pingTimeout`), so
/// the conformance suites' 300 ms / 200 ms settings are exact. The defaults are the reference server's (engine.io 6,
/// socket.io 4), except ``allowEIO3`` (on: the seeds' legacy clients speak Engine.IO v3) and ``cors`` (any origin,
/// as both seed servers allowed).
///
/// Configuration keys (see `ConfigurationSchema+Signaling.swift` in the app): `signaling.path`,
/// `signaling.pingIntervalMilliseconds`, `signaling.pingTimeoutMilliseconds`, `signaling.upgradeTimeoutMilliseconds`,
/// `signaling.maxHttpBufferSize`, `signaling.connectTimeoutMilliseconds`, `signaling.allowEIO3`,
/// `signaling.allowUpgrades`, `signaling.transports`, `signaling.cors.origins`, `signaling.cors.credentials`,
/// `signaling.maxAttachments`, `signaling.outboundBufferLimit`, `signaling.outboundBufferBytes`,
/// `signaling.sendTimeoutMilliseconds`, `signaling.maxSessions`, `signaling.maxSessionsPerAddress`,
/// `signaling.eio3.pingIntervalMilliseconds`, `signaling.eio3.pingTimeoutMilliseconds`,
/// `signaling.eio3.maxHttpBufferSize`.
public struct SignalingServerConfiguration: Sendable, Hashable {
    /// The transports an Engine.IO endpoint serves (Engine.IO v4 §"Transports").
    public enum Transport: String, Sendable, Hashable, CaseIterable {
        case polling
        case websocket
    }

    /// The HTTP path of the endpoint, `/socket.io/` by default. Matched with or without the trailing slash.
    public var path: String
    /// Milliseconds between heartbeats of Engine.IO v4 sessions (`pingInterval` in the handshake). Default 25000.
    public var pingIntervalMilliseconds: Int
    /// Milliseconds to wait for a v4 heartbeat answer (`pingTimeout` in the handshake). Default 20000.
    public var pingTimeoutMilliseconds: Int
    /// Milliseconds a WebSocket probing an upgrade may take to send `5`; then it is closed. Default 10000.
    public var upgradeTimeoutMilliseconds: Int
    /// The largest polling POST body and WebSocket message of a v4 session, in bytes (`maxPayload` in the
    /// handshake). Over it, a POST gets HTTP 413 and a WebSocket is closed with 1009. Default 1000000.
    public var maxHttpBufferSize: Int
    /// Milliseconds a Socket.IO v5 client may take to connect to a namespace before its connection is closed.
    /// Default 45000.
    public var connectTimeoutMilliseconds: Int
    /// Whether Engine.IO v3 clients (`EIO=3` or no `EIO`) are served. Off: they get HTTP 400 code 5. Default on.
    public var allowEIO3: Bool
    /// Whether polling sessions may upgrade to WebSocket (`upgrades` in the handshake). Default on.
    public var allowUpgrades: Bool
    /// The enabled transports; a request for another gets HTTP 400 code 0. Default both.
    public var transports: Set<Transport>
    /// Cross-origin resource sharing of the polling transport (docs/engineio-socketio.md#cors).
    public var cors: CORSConfiguration
    /// The most binary attachments one Socket.IO packet may announce; more closes the connection. Default 10.
    public var maxAttachments: Int
    /// The most Engine.IO packets queued for one client that it has not taken yet (polling or waiting for the
    /// upgrade). A client over it is too slow: it is disconnected, with a log line. Default 1000.
    public var outboundBufferLimit: Int
    /// The most bytes queued for one client: packet data not yet polled, or bytes written to its WebSocket and not
    /// yet sent. Over half of it a WebSocket is not read from; a message over it disconnects the client as too slow.
    /// Default 4194304 (four of the largest messages).
    public var outboundBufferBytes: Int
    /// Milliseconds a WebSocket may stay unwritable (the client reads nothing) before it is dropped. Default 30000.
    public var sendTimeoutMilliseconds: Int
    /// Milliseconds a polling session closed by the server waits for a GET to deliver the close packet. Default 30000.
    public var closeTimeoutMilliseconds: Int
    /// The most open sessions of the endpoint; a handshake over it gets HTTP 503 `{"code":6,...}`. 0 is unlimited.
    /// Default 20000.
    public var maxSessions: Int
    /// The most open sessions per client address (IPv6: per /64); 0 is unlimited. Default 200.
    public var maxSessionsPerAddress: Int
    /// Milliseconds between heartbeats of Engine.IO v3 sessions. Default 25000, as engine.io 3.x.
    public var eio3PingIntervalMilliseconds: Int
    /// Milliseconds to wait for an Engine.IO v3 heartbeat. Default 5000, as engine.io 3.x (socket.io 2).
    public var eio3PingTimeoutMilliseconds: Int
    /// The largest polling POST body and WebSocket message of an Engine.IO v3 session, in bytes. Default 10485760
    /// (10 MiB): socket.io 2 took messages up to 100 MB, and its clients send voice clips of several megabytes.
    public var eio3MaxHttpBufferSize: Int

    /// Creates a configuration; every parameter defaults to the documented default.
    public init(
        path: String = "/socket.io/",
        pingIntervalMilliseconds: Int = 25_000,
        pingTimeoutMilliseconds: Int = 20_000,
        upgradeTimeoutMilliseconds: Int = 10_000,
        maxHttpBufferSize: Int = 1_000_000,
        connectTimeoutMilliseconds: Int = 45_000,
        allowEIO3: Bool = true,
        allowUpgrades: Bool = true,
        transports: Set<Transport> = [.polling, .websocket],
        cors: CORSConfiguration = CORSConfiguration(),
        maxAttachments: Int = 10,
        outboundBufferLimit: Int = 1000,
        outboundBufferBytes: Int = 4 << 20,
        sendTimeoutMilliseconds: Int = 30_000,
        closeTimeoutMilliseconds: Int = 30_000,
        maxSessions: Int = 20_000,
        maxSessionsPerAddress: Int = 200,
        eio3PingIntervalMilliseconds: Int = 25_000,
        eio3PingTimeoutMilliseconds: Int = 5_000,
        eio3MaxHttpBufferSize: Int = 10 << 20
    ) {
        self.path = path
        self.pingIntervalMilliseconds = pingIntervalMilliseconds
        self.pingTimeoutMilliseconds = pingTimeoutMilliseconds
        self.upgradeTimeoutMilliseconds = upgradeTimeoutMilliseconds
        self.maxHttpBufferSize = maxHttpBufferSize
        self.connectTimeoutMilliseconds = connectTimeoutMilliseconds
        self.allowEIO3 = allowEIO3
        self.allowUpgrades = allowUpgrades
        self.transports = transports
        self.cors = cors
        self.maxAttachments = maxAttachments
        self.outboundBufferLimit = outboundBufferLimit
        self.outboundBufferBytes = outboundBufferBytes
        self.sendTimeoutMilliseconds = sendTimeoutMilliseconds
        self.closeTimeoutMilliseconds = closeTimeoutMilliseconds
        self.maxSessions = maxSessions
        self.maxSessionsPerAddress = maxSessionsPerAddress
        self.eio3PingIntervalMilliseconds = eio3PingIntervalMilliseconds
        self.eio3PingTimeoutMilliseconds = eio3PingTimeoutMilliseconds
        self.eio3MaxHttpBufferSize = eio3MaxHttpBufferSize
    }

    /// What differs between the protocol revisions: each serves its own reference server's heartbeat and limit.
    public struct Revision: Sendable, Hashable {
        public var pingIntervalMilliseconds: Int
        public var pingTimeoutMilliseconds: Int
        public var maxHttpBufferSize: Int
        /// The session's byte budget: ``SignalingServerConfiguration/outboundBufferBytes``; for v3, at least twice
        /// ``SignalingServerConfiguration/eio3MaxHttpBufferSize``, so that a voice clip as large as a client may
        /// send can be relayed to its peers (still a fixed bound per session).
        public var outboundBufferBytes: Int
    }

    /// The heartbeat and limits of sessions of one protocol revision.
    public func revision(_ version: EngineIOProtocolVersion) -> Revision {
        switch version {
        case .v3:
            Revision(
                pingIntervalMilliseconds: self.eio3PingIntervalMilliseconds,
                pingTimeoutMilliseconds: self.eio3PingTimeoutMilliseconds,
                maxHttpBufferSize: self.eio3MaxHttpBufferSize,
                outboundBufferBytes: max(self.outboundBufferBytes, 2 * self.eio3MaxHttpBufferSize)
            )
        case .v4:
            Revision(
                pingIntervalMilliseconds: self.pingIntervalMilliseconds,
                pingTimeoutMilliseconds: self.pingTimeoutMilliseconds,
                maxHttpBufferSize: self.maxHttpBufferSize,
                outboundBufferBytes: self.outboundBufferBytes
            )
        }
    }

    /// The path as router components, without leading or trailing slashes (`socket.io`).
    var routePath: String {
        "/" + self.path.split(separator: "/", omittingEmptySubsequences: true).joined(separator: "/")
    }
}
