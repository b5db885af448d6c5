extension ConfigurationSchema {
    /// Who may reach what over HTTP: the ICE servers API (`ice.api.*`), the operator endpoints (`admin.*`) and the
    /// hosts trusted in a request's Host header (`http.allowedHosts`). Read into ``AccessConfiguration``.
    static let accessKeys: [ConfigurationKey] = [
        ConfigurationKey(
            "http.allowedHosts",
            .stringList,
            default: .stringList([]),
            "Host names trusted in the Host header for the stun:/turn: URLs handed out, besides this server's own "
                + "addresses, localhost and ice.publicAddress; [\"*\"] trusts any."
        ),
        ConfigurationKey(
            "ice.api.enabled",
            .boolean,
            default: .boolean(false),
            "Serve GET /api/ice-servers (TURN credentials without joining a room); needs ice.api.tokens or "
                + "ice.api.allowedOrigins."
        ),
        ConfigurationKey(
            "ice.api.tokens",
            .stringList,
            default: .stringList([]),
            isSecret: true,
            "Bearer tokens accepted by GET /api/ice-servers (several for rotation)."
        ),
        ConfigurationKey(
            "ice.api.allowedOrigins",
            .stringList,
            default: .stringList([]),
            "Origin headers (\"https://app.example.org\") accepted by GET /api/ice-servers without a token."
        ),
        ConfigurationKey(
            "ice.api.requestsPerMinute",
            .integer(0...1_000_000),
            default: .integer(60),
            "Requests to GET /api/ice-servers one client address (IPv6: its /64) may make per minute (429 beyond); "
                + "0 is unlimited."
        ),
        ConfigurationKey(
            "admin.port",
            .integer(0...65535),
            default: .integer(0),
            "TCP port of a separate HTTP server for /status, /api/status and /metrics, then served there only; "
                + "0 is off (they are served on the main ports, to loopback clients and admin tokens)."
        ),
        ConfigurationKey(
            "admin.host",
            .string(allowEmpty: false),
            default: .string("127.0.0.1"),
            "Address the admin.port server binds; the default keeps it on loopback."
        ),
        ConfigurationKey(
            "admin.tokens",
            .stringList,
            default: .stringList([]),
            isSecret: true,
            "Bearer tokens that open /status, /api/status and /metrics on the main ports from any address."
        ),
        ConfigurationKey(
            "admin.allowLoopback",
            .boolean,
            default: .boolean(true),
            "Serve the operator endpoints on the main ports to loopback clients without a token; turn it off "
                + "behind a reverse proxy on the same host."
        ),
    ]
}
