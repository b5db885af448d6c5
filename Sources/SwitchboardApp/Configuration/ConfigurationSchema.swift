/// Every configuration key Switchboard understands. Anything else in a file, or any other `SWITCHBOARD_*`
/// environment variable, is an error.
public enum ConfigurationSchema {
    public static let logLevels = ["trace", "debug", "info", "notice", "warning", "error", "critical"]

    public static let keys: [ConfigurationKey] = [
        // MARK: - Process
        ConfigurationKey(
            "threads",
            .integer(0...256),
            default: .integer(0),
            "Event-loop threads shared by every listener; 0 means one per CPU core."
        ),

        // MARK: - Logging
        ConfigurationKey(
            "log.level",
            .choice(Self.logLevels),
            default: .string("info"),
            "Least severe level that is logged."
        ),
        ConfigurationKey(
            "log.format",
            .choice(["text", "json"]),
            default: .string("text"),
            "Log line format on standard error: human-readable text or one JSON object per line."
        ),

        // MARK: - HTTP
        ConfigurationKey(
            "http.host",
            .string(allowEmpty: false),
            default: .string("0.0.0.0"),
            "Address the HTTP server (health, metrics, signaling) binds."
        ),
        ConfigurationKey(
            "http.port",
            .integer(0...65535),
            default: .integer(3000),
            "TCP port of the HTTP server; 0 picks a free port (logged at start)."
        ),

        // MARK: - STUN
        ConfigurationKey(
            "stun.addresses",
            .ipAddressList,
            default: .stringList(["0.0.0.0", "::"]),
            "IP addresses the STUN/TURN listeners bind; '::' is skipped with a warning where IPv6 is unavailable."
        ),
        ConfigurationKey(
            "stun.port",
            .integer(0...65535),
            default: .integer(3478),
            "UDP and TCP port of the STUN/TURN listeners; 0 picks a free port (logged at start)."
        ),
        ConfigurationKey(
            "stun.udp",
            .boolean,
            default: .boolean(true),
            "Listen on UDP."
        ),
        ConfigurationKey(
            "stun.tcp",
            .boolean,
            default: .boolean(true),
            "Listen on TCP (RFC 8489 §6.2.2 framing)."
        ),
        ConfigurationKey(
            "stun.udpSocketsPerAddress",
            .integer(0...64),
            default: .integer(0),
            "SO_REUSEPORT UDP sockets per address; 0 means one per event loop."
        ),
        ConfigurationKey(
            "stun.software",
            .string(allowEmpty: true),
            default: .string("Switchboard"),
            "SOFTWARE attribute sent in responses; empty sends none."
        ),
        ConfigurationKey(
            "stun.tcpIdleTimeoutSeconds",
            .integer(1...86400),
            default: .integer(300),
            "A TCP client that sends nothing for this long is disconnected."
        ),

        // MARK: - TURN
        ConfigurationKey(
            "turn.realm",
            .string(allowEmpty: false),
            default: .string("switchboard"),
            "REALM of the long-term credential mechanism."
        ),
        ConfigurationKey(
            "turn.secrets",
            .stringList,
            default: .stringList([]),
            isSecret: true,
            "TURN REST API shared secrets: the first signs new credentials, every one is accepted (rotation). "
                + "Empty: a random secret is generated at each start and never logged."
        ),
    ]

    /// The key with this dotted path.
    public static func key(_ path: String) -> ConfigurationKey? {
        Self.keysByPath[path]
    }

    private static let keysByPath: [String: ConfigurationKey] = Dictionary(
        uniqueKeysWithValues: Self.keys.map { ($0.path, $0) }
    )

    /// The section names that may hold keys (`stun`, `turn`, ...).
    static let sections: Set<String> = Set(
        Self.keys.compactMap { key in
            key.path.split(separator: ".").count > 1 ? String(key.path.split(separator: ".")[0]) : nil
        }
    )
}
