extension ConfigurationSchema {
    /// The `signaling.*` keys (Engine.IO / Socket.IO), read by ``SignalingSetup``. Durations are in milliseconds, as
    /// the Engine.IO handshake announces them.
    static let signalingKeys: [ConfigurationKey] = [
        ConfigurationKey(
            "signaling.path",
            .string(allowEmpty: false),
            default: .string("/socket.io/"),
            "HTTP path of the Engine.IO / Socket.IO endpoint (polling and WebSocket)."
        ),
        ConfigurationKey(
            "signaling.pingIntervalMilliseconds",
            .integer(1...3_600_000),
            default: .integer(25_000),
            "Milliseconds between the heartbeats of Engine.IO v4 sessions (the server pings); v3: signaling.eio3.*."
        ),
        ConfigurationKey(
            "signaling.pingTimeoutMilliseconds",
            .integer(1...3_600_000),
            default: .integer(20_000),
            "Milliseconds to wait for an Engine.IO v4 heartbeat answer before closing the session."
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
            "Largest polling POST body and WebSocket message of an Engine.IO v4 session in bytes (413 / close 1009 "
                + "over it)."
        ),
        ConfigurationKey(
            "signaling.eio3.pingIntervalMilliseconds",
            .integer(1...3_600_000),
            default: .integer(25_000),
            "Milliseconds between the heartbeats of Engine.IO v3 clients (engine.io 3.x: 25000)."
        ),
        ConfigurationKey(
            "signaling.eio3.pingTimeoutMilliseconds",
            .integer(1...3_600_000),
            default: .integer(5_000),
            "Milliseconds to wait for an Engine.IO v3 heartbeat before closing the session (engine.io 3.x: 5000)."
        ),
        ConfigurationKey(
            "signaling.eio3.maxHttpBufferSize",
            .integer(1024...100_000_000),
            default: .integer(10_485_760),
            "Largest polling POST body and WebSocket message of an Engine.IO v3 session in bytes (socketIM's voice "
                + "clips); its byte budget is at least twice this."
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
            "Milliseconds a polling session closed by the server waits for a poll to deliver the close packet."
        ),
        ConfigurationKey(
            "signaling.allowEIO3",
            .boolean,
            default: .boolean(true),
            "Serve Engine.IO v3 / Socket.IO v4 clients (EIO=3 or no EIO); off answers them 400 code 5."
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
            "Serve the HTTP long-polling transport."
        ),
        ConfigurationKey(
            "signaling.transports.websocket",
            .boolean,
            default: .boolean(true),
            "Serve the WebSocket transport."
        ),
        ConfigurationKey(
            "signaling.cors.origins",
            .stringList,
            default: .stringList(["*"]),
            "Origins allowed to use the polling transport cross-origin: empty turns CORS off, \"*\" allows any."
        ),
        ConfigurationKey(
            "signaling.cors.credentials",
            .boolean,
            default: .boolean(false),
            "Allow credentialed cross-origin requests (the origin is echoed with Access-Control-Allow-Credentials)."
        ),
        ConfigurationKey(
            "signaling.maxAttachments",
            .integer(0...1000),
            default: .integer(10),
            "Most binary attachments one Socket.IO packet may announce; more closes the connection."
        ),
        ConfigurationKey(
            "signaling.outboundBufferLimit",
            .integer(1...1_000_000),
            default: .integer(1000),
            "Most packets queued for one client; a client over it is too slow and is disconnected (logged)."
        ),
        ConfigurationKey(
            "signaling.maxSessions",
            .integer(0...10_000_000),
            default: .integer(20_000),
            "Most open Engine.IO sessions per endpoint; a handshake beyond gets HTTP 503 "
                + "{\"code\":6,\"message\":\"Too many sessions\"} (a WebSocket one a bare 400). 0 is unlimited."
        ),
        ConfigurationKey(
            "signaling.maxSessionsPerAddress",
            .integer(0...10_000_000),
            default: .integer(200),
            "Most open Engine.IO sessions per endpoint and client address, IPv6 per /64; refused as over "
                + "signaling.maxSessions. 0 is unlimited."
        ),
        ConfigurationKey(
            "signaling.outboundBufferBytes",
            .integer(4096...1_073_741_824),
            default: .integer(4_194_304),
            "Most bytes queued for one client (polling data not yet polled, WebSocket bytes not yet sent). Over half "
                + "of it a WebSocket is not read from; a message that would go over it disconnects the client as "
                + "too slow (WebSocket close 1008)."
        ),
        ConfigurationKey(
            "signaling.sendTimeoutMilliseconds",
            .integer(100...86_400_000),
            default: .integer(30000),
            "A WebSocket client that takes none of what is written to it for this long is disconnected."
        ),
        ConfigurationKey(
            "signaling.testApp",
            .boolean,
            default: .boolean(false),
            "Install the conformance test application (Socket.IO namespaces / and /custom, Engine.IO echo at "
                + "/engine.io/) for interop tests. Never in production."
        ),
    ]
}
