extension ConfigurationSchema {
    /// What a section of keys is about, where that is more than its keys say, by the section's dotted path: the
    /// comment written above the section in the generated `turn-config/switchboard.yaml` (``ConfigurationDocument``).
    static let sectionSummaries: [String: String] = [
        "admin": "The operator endpoints /status, /api/status (room and member names) and /metrics.",
        "turn.peers":
            "Peers are denied by default when they are loopback, unspecified, link-local, unique-local, private "
            + "(RFC 1918), CGNAT (100.64/10), multicast, reserved, documentation or this server's own addresses.",
        "signaling":
            "Engine.IO / Socket.IO endpoint: HTTP long-polling and WebSocket on one path, Engine.IO v4 (Socket.IO v5) "
            + "and v3 (Socket.IO v4) clients told apart by the EIO query parameter. Durations are in milliseconds.",
        "signaling.eio3":
            "Engine.IO v3 (Socket.IO v4) sessions, the revision of socket.io 2.x and of dialects B and D, get the "
            + "values of engine.io 3.x rather than the v4 ones above.",
    ]
}
