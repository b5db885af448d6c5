extension ConfigurationSchema {
    /// The `signaling.*` keys (Engine.IO / Socket.IO), read by ``SignalingSetup``. Durations are in milliseconds, as
    /// the Engine.IO handshake announces them.
    static let signalingKeys: [ConfigurationKey] = [
        ConfigurationKey(
            "signaling.path",
            .string(allowEmpty: false),
            default: .string("/socket.io/"),
            "HTTP path of the Engine.IO / Socket.IO endpoint."
        ),
        ConfigurationKey(
            "signaling.pingIntervalMilliseconds",
            .integer(1...3_600_000),
            default: .integer(25_000),
            "Milliseconds between the heartbeats of Engine.IO v4 sessions (the server pings), engine.io 4.x's "
                + "value. Engine.IO v3 sessions use signaling.eio3.pingIntervalMilliseconds instead."
        ),
        ConfigurationKey(
            "signaling.pingTimeoutMilliseconds",
            .integer(1...3_600_000),
            default: .integer(20_000),
            "Milliseconds to wait for an Engine.IO v4 heartbeat answer before closing the session, engine.io "
                + "4.x's value."
        ),
        ConfigurationKey(
            "signaling.upgradeTimeoutMilliseconds",
            .integer(1...3_600_000),
            default: .integer(10_000),
            "Milliseconds a WebSocket probing the polling-to-WebSocket upgrade may take before it is closed."
        ),
        ConfigurationKey(
            "signaling.maxHttpBufferSize",
            .integer(1024...100_000_000),
            default: .integer(1_000_000),
            "Largest polling POST body and WebSocket message of an Engine.IO v4 session in bytes (413, or "
                + "WebSocket close 1009, over it); also the maxPayload announced to v4 clients."
        ),
        ConfigurationKey(
            "signaling.eio3.pingIntervalMilliseconds",
            .integer(1...3_600_000),
            default: .integer(25_000),
            "Milliseconds between the client's heartbeats (engine.io 3.x: 25000)."
        ),
        ConfigurationKey(
            "signaling.eio3.pingTimeoutMilliseconds",
            .integer(1...3_600_000),
            default: .integer(5_000),
            "Milliseconds to wait for a heartbeat before closing the session (engine.io 3.x: 5000), so a peer "
                + "that lost its network leaves its room within about 30 s."
        ),
        ConfigurationKey(
            "signaling.eio3.maxHttpBufferSize",
            .integer(1024...100_000_000),
            default: .integer(10_485_760),
            "Largest polling POST body and WebSocket message in bytes: 10 MiB, room for socketIM's voice "
                + "clips (socket.io 2 took up to 100 MB). Such a session's byte budget is the larger of "
                + "signaling.outboundBufferBytes and twice this, so one clip can be relayed to a peer."
        ),
        ConfigurationKey(
            "signaling.connectTimeoutMilliseconds",
            .integer(1...3_600_000),
            default: .integer(45_000),
            "Milliseconds a Socket.IO v5 client may take to join a namespace before it is disconnected."
        ),
        ConfigurationKey(
            "signaling.closeTimeoutMilliseconds",
            .integer(1...3_600_000),
            default: .integer(30_000),
            "Milliseconds a polling session closed by the server waits for a poll to deliver the close "
                + "packet."
        ),
        ConfigurationKey(
            "signaling.allowEIO3",
            .boolean,
            default: .boolean(true),
            "Serve Engine.IO v3 / Socket.IO v4 clients (socket.io-client 2.x, Java 1.x, Swift 13.x; EIO=3 or "
                + "no EIO); false answers them 400 code 5."
        ),
        ConfigurationKey(
            "signaling.allowUpgrades",
            .boolean,
            default: .boolean(true),
            "Let polling sessions upgrade to WebSocket."
        ),
        ConfigurationKey(
            "signaling.transports.polling",
            .boolean,
            default: .boolean(true),
            "Serve HTTP long-polling."
        ),
        ConfigurationKey(
            "signaling.transports.websocket",
            .boolean,
            default: .boolean(true),
            "Serve WebSocket."
        ),
        ConfigurationKey(
            "signaling.cors.origins",
            .stringList,
            default: .stringList(["*"]),
            "Origins allowed to poll cross-origin: [] turns CORS off, [\"*\"] allows any, or a list of origins. "
                + "Engine.IO v3 requests from an allowed origin get it echoed with credentials (what "
                + "socket.io-client 2.x needs)."
        ),
        ConfigurationKey(
            "signaling.cors.credentials",
            .boolean,
            default: .boolean(false),
            "Allow credentialed requests: the origin is echoed with Access-Control-Allow-Credentials: true."
        ),
        ConfigurationKey(
            "signaling.maxAttachments",
            .integer(0...1000),
            default: .integer(10),
            "Most binary attachments one Socket.IO packet may announce; more closes that connection."
        ),
        ConfigurationKey(
            "signaling.outboundBufferLimit",
            .integer(1...1_000_000),
            default: .integer(1000),
            "Most packets queued for one client; a client over it is too slow and is disconnected, with a log "
                + "line."
        ),
        ConfigurationKey(
            "signaling.maxSessions",
            .integer(0...10_000_000),
            default: .integer(20_000),
            "Most open Engine.IO sessions per endpoint; a handshake beyond gets HTTP 503 with "
                + "{\"code\":6,\"message\":\"Too many sessions\"} (a WebSocket handshake a bare 400), and the client "
                + "retries later. Counted in switchboard_signaling_sessions_refused_total. 0 is unlimited."
        ),
        ConfigurationKey(
            "signaling.maxSessionsPerAddress",
            .integer(0...10_000_000),
            default: .integer(200),
            "Most open sessions per endpoint and client address (an IPv6 client: per /64 prefix), refused as "
                + "over signaling.maxSessions; 0 is unlimited. Behind a reverse proxy every client has the proxy's "
                + "address: raise it or set 0 there."
        ),
        ConfigurationKey(
            "signaling.outboundBufferBytes",
            .integer(4096...1_073_741_824),
            default: .integer(4_194_304),
            "Most bytes queued for one client: polling data it has not polled yet, or bytes written to its "
                + "WebSocket (any WebSocket path, /ws too) that the socket has not sent. Over half of it the server "
                + "stops reading that WebSocket and answers only the latest ping; a message that would go over it "
                + "is dropped and the client disconnected as too slow (WebSocket close 1008). Keep it a few times "
                + "maxHttpBufferSize: a client taking a burst of messages that large must not count as slow."
        ),
        ConfigurationKey(
            "signaling.sendTimeoutMilliseconds",
            .integer(100...86_400_000),
            default: .integer(30000),
            "Milliseconds a WebSocket client may take none of what is written to it before it is "
                + "disconnected."
        ),
        ConfigurationKey(
            "signaling.testApp",
            .boolean,
            default: .boolean(false),
            "Install the conformance test application (namespaces / and /custom, an Engine.IO echo at "
                + "/engine.io/) used by the interop tests. Never turn it on in production."
        ),
    ]
}
