extension ConfigurationSchema {
    /// Who may reach what over HTTP: the ICE servers API (`ice.api.*`), the operator endpoints (`admin.*`) and the
    /// hosts trusted in a request's Host header (`http.allowedHosts`). Read into ``AccessConfiguration``.
    static let accessKeys: [ConfigurationKey] = [
        ConfigurationKey(
            "http.allowedHosts",
            .stringList,
            default: .stringList([]),
            "Host names trusted in a request's Host header for the stun:/turn: URLs handed out (when "
                + "ice.publicAddress is \"\"), besides those always trusted: localhost, 127.0.0.1, ::1, the listening "
                + "addresses that are not wildcards and the host's interface addresses. Any other Host gets the "
                + "server's listening address instead: the first of stun.addresses that is not a wildcard, else "
                + "http.host, else the first interface address. [\"*\"] trusts any Host (a client can then make the "
                + "server hand it URLs naming any host). Names or IPs, without port."
        ),
        ConfigurationKey(
            "ice.api.enabled",
            .boolean,
            default: .boolean(false),
            "Serve GET /api/ice-servers: TURN credentials without joining a room. false: 404, and credentials "
                + "go only to clients that joined a room through signaling. true: it needs ice.api.tokens or "
                + "ice.api.allowedOrigins."
        ),
        ConfigurationKey(
            "ice.api.tokens",
            .stringList,
            default: .stringList([]),
            isSecret: true,
            "Bearer tokens accepted by GET /api/ice-servers (\"Authorization: Bearer TOKEN\"; the credentials' "
                + "identity is api-<index in this list>), several for rotation, at least 16 characters each; a "
                + "wrong one gets 401."
        ),
        ConfigurationKey(
            "ice.api.allowedOrigins",
            .stringList,
            default: .stringList([]),
            "Origin headers accepted by GET /api/ice-servers without a token, each \"scheme://host[:port]\" "
                + "(identity api-<host>, the answer carries Access-Control-Allow-Origin); another Origin gets 403. "
                + "Browsers send Origin on cross-origin requests, so this keeps other web sites off your TURN "
                + "server; any script can send one, so it is no secret."
        ),
        ConfigurationKey(
            "ice.api.requestsPerMinute",
            .integer(0...1_000_000),
            default: .integer(60),
            "Requests to GET /api/ice-servers one client address (IPv6: its /64) may make per minute, refused "
                + "ones included; beyond it 429 (counted as "
                + "switchboard_ice_api_requests_total{outcome=\"rate_limited\"}). 0 is unlimited."
        ),
        ConfigurationKey(
            "admin.port",
            .integer(0...65535),
            default: .integer(0),
            "TCP port of a server of its own for the operator endpoints. With 0 they are served on http.port "
                + "and tls.port, to loopback clients (the TCP peer address, never X-Forwarded-For; see "
                + "admin.allowLoopback) and to requests with \"Authorization: Bearer TOKEN\" naming one of "
                + "admin.tokens; others get 403 and no data. With a port set they are served on that port only (to "
                + "whoever reaches admin.host:admin.port) and the main ports answer 404. It must differ from "
                + "http.port and tls.port."
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
            "Bearer tokens that open the operator endpoints on the main ports from any address, several for "
                + "rotation, at least 16 characters each."
        ),
        ConfigurationKey(
            "admin.allowLoopback",
            .boolean,
            default: .boolean(true),
            "Serve the operator endpoints on the main ports to loopback clients without a token. Turn it off "
                + "when a reverse proxy on the same host forwards outside requests: they all arrive from loopback."
        ),
    ]
}
