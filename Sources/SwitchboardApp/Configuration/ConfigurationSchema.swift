/// Every configuration key Switchboard understands. Anything else in a file, or any other `SWITCHBOARD_*`
/// environment variable, is an error.
public enum ConfigurationSchema {
    public static let logLevels = ["trace", "debug", "info", "notice", "warning", "error", "critical"]

    public static let keys: [ConfigurationKey] = Self.coreKeys + Self.signalingKeys + Self.accessKeys

    static let coreKeys: [ConfigurationKey] = [
        // MARK: - Process
        ConfigurationKey(
            "threads",
            .integer(0...256),
            default: .integer(0),
            "Event-loop threads shared by every listener; 0 means one per CPU core."
        ),
        ConfigurationKey(
            "process.pidFile",
            .string(allowEmpty: true),
            default: .string(""),
            "File the process id is written to once SIGHUP reloads the configuration (read by `switchboard reload "
                + "--pid-file`), removed at a graceful stop; empty writes none."
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
        ConfigurationKey(
            "http.requestHeadTimeoutSeconds",
            .integer(1...3600),
            default: .integer(10),
            "A request head must be complete within this many seconds (of the connection opening, or of its first "
                + "byte on a kept-alive connection); then 408 and close. HTTP and HTTPS."
        ),
        ConfigurationKey(
            "http.idleTimeoutSeconds",
            .integer(1...86400),
            default: .integer(60),
            "A connection idle this long between requests, or stalled this long in a request body, is closed. "
                + "WebSockets are governed by the Engine.IO heartbeat instead."
        ),
        ConfigurationKey(
            "http.maxConnections",
            .integer(0...10_000_000),
            default: .integer(20_000),
            "Most open HTTP and HTTPS connections together (503 and close beyond), lowered at start to half the "
                + "file descriptors the process may open; 0 is unlimited."
        ),
        ConfigurationKey(
            "http.maxConnectionsPerAddress",
            .integer(0...10_000_000),
            default: .integer(500),
            "Most open HTTP and HTTPS connections per client address, IPv6 per /64 (503 and close beyond); 0 is "
                + "unlimited."
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
            "stun.tlsPort",
            .integer(0...65535),
            default: .integer(5349),
            "TCP port of TURN over TLS (turns:, RFC 8656 §3.1), served with the tls certificate and key whenever "
                + "tls.certificateFile is set; 0 is off."
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
            "stun.alternateAddress",
            .string(allowEmpty: true),
            default: .string(""),
            "Second IP of this host for RFC 5780 NAT behaviour discovery over UDP; empty: none. Needs an address of "
                + "the same family, not a wildcard, in stun.addresses (the first such is the primary) and a fixed "
                + "stun.port."
        ),
        ConfigurationKey(
            "stun.alternatePort",
            .integer(0...65535),
            default: .integer(0),
            "Second UDP port for RFC 5780 NAT behaviour discovery, on the primary and the alternate address; 0: none."
        ),
        ConfigurationKey(
            "stun.tcpIdleTimeoutSeconds",
            .integer(1...86400),
            default: .integer(300),
            "A TCP client that completes no STUN message or ChannelData frame for this long is disconnected, "
                + "unless it holds an allocation."
        ),
        ConfigurationKey(
            "stun.tcpFramingTimeoutSeconds",
            .integer(1...300),
            default: .integer(5),
            "A STUN message or ChannelData frame whose first bytes arrived on TCP must be complete within this "
                + "many seconds; then the connection is closed."
        ),
        ConfigurationKey(
            "stun.tcpMaxConnections",
            .integer(0...10_000_000),
            default: .integer(10_000),
            "Most open STUN/TURN TCP connections over all TCP listeners (closed at once beyond), lowered at start "
                + "to a quarter of the file descriptors the process may open; 0 is unlimited."
        ),
        ConfigurationKey(
            "stun.tcpMaxConnectionsPerAddress",
            .integer(0...10_000_000),
            default: .integer(200),
            "Most open STUN/TURN TCP connections per client address, IPv6 per /64 (closed at once beyond); 0 is "
                + "unlimited."
        ),
        ConfigurationKey(
            "stun.tcpOutboundBufferBytes",
            .integer(4096...67_108_864),
            default: .integer(262_144),
            "Most bytes written to one TCP client and not yet sent. Over half of it the server stops reading from the "
                + "client and drops relayed data for it; a response that would go over it closes the connection."
        ),
        ConfigurationKey(
            "stun.tcpSendTimeoutSeconds",
            .integer(1...86400),
            default: .integer(30),
            "A TCP client that takes none of what is written to it for this long is disconnected."
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
        ConfigurationKey(
            "tls.port",
            .integer(0...65535),
            default: .integer(0),
            "Port of a second HTTP server with TLS (HTTPS and WSS, the same routes); 0 is off. WebRtcRoom clients use 8443."
        ),
        ConfigurationKey(
            "tls.certificateFile",
            .string(allowEmpty: true),
            default: .string(""),
            "PEM certificate chain of the TLS server (scripts/make-test-certificate makes a self-signed pair)."
        ),
        ConfigurationKey(
            "tls.privateKeyFile",
            .string(allowEmpty: true),
            default: .string(""),
            "PEM private key of the TLS server."
        ),
        ConfigurationKey(
            "shared.port",
            .integer(0...65535),
            default: .integer(0),
            "One TCP port for everything (for example 443), on every stun.addresses entry: each connection is served "
                + "as HTTP, HTTPS, TURN over TCP or TURN over TLS by its first bytes (and ALPN); 0 is off."
        ),
        ConfigurationKey(
            "shared.protocols",
            .stringList,
            default: .stringList(["http", "turn", "https", "turns"]),
            "What shared.port accepts, any of http, turn, https, turns; https and turns need tls.certificateFile."
        ),
        ConfigurationKey(
            "shared.sniffTimeoutSeconds",
            .integer(1...300),
            default: .integer(5),
            "A shared-port connection must show what it speaks within this many seconds (its first bytes; with TLS "
                + "the handshake and the first request or message), or it is closed."
        ),
        ConfigurationKey(
            "dialects.selection",
            .choice(["auto", "chatroom", "webrtcroom", "socketim"]),
            default: .string("auto"),
            "Seed dialect of Socket.IO connections: auto (Engine.IO v4 is chatroom; v3 is webrtcroom or socketim by "
                + "its first event) or one pinned dialect."
        ),
        ConfigurationKey(
            "dialects.pinnedPaths",
            .stringList,
            default: .stringList([]),
            "Extra Socket.IO endpoints pinned to one dialect, each \"PATH=DIALECT\" (for example "
                + "\"/webrtcroom.io/=webrtcroom\"), next to the auto-selecting one at signaling.path."
        ),
        ConfigurationKey(
            "dialects.chatroomGraceMilliseconds",
            .integer(0...3_600_000),
            default: .integer(15000),
            "How long a chatroom member who lost its connection keeps its place (15000 in the original)."
        ),
        ConfigurationKey(
            "dialects.maxMembersPerRoom",
            .integer(0...1_000_000),
            default: .integer(0),
            "Members per room; 0 is unlimited, as the original servers."
        ),
        ConfigurationKey(
            "dialects.eventsPerSecond",
            .integer(0...1_000_000),
            default: .integer(0),
            "Signaling events one socket may send per second, with a burst of max(this, 1000); 0 is unlimited, as "
                + "the originals. Beyond it chatroom answers an error, the others drop."
        ),
        ConfigurationKey(
            "dialects.rawWebSocketPath",
            .string(allowEmpty: true),
            default: .string("/ws"),
            "Path of the raw-WebSocket dialect (JSON messages, no Socket.IO) on the HTTP servers; empty is off."
        ),
        ConfigurationKey(
            "dialects.rawWebSocketPort",
            .integer(0...65535),
            default: .integer(8080),
            "Port of a listener of its own (on http.host) where the raw-WebSocket dialect upgrades any path, as the "
                + "original on 8080; 0 is off. A port that cannot be bound stops the start with an error naming this key."
        ),
        ConfigurationKey(
            "ice.publicAddress",
            .string(allowEmpty: true),
            default: .string(""),
            "Host put in the stun:/turn: URLs handed to clients; empty: the host each client used to reach HTTP."
        ),
        ConfigurationKey(
            "ice.credentialTTLSeconds",
            .integer(1...2_592_000),
            default: .integer(86400),
            "Lifetime of the TURN REST credentials handed to clients."
        ),
        ConfigurationKey(
            "turn.enabled",
            .boolean,
            default: .boolean(true),
            "Serve TURN (RFC 8656) on the STUN listeners; off answers Binding only."
        ),
        ConfigurationKey(
            "turn.users",
            .stringList,
            default: .stringList([]),
            isSecret: true,
            "Static long-term credentials, each \"username:password\"."
        ),
        ConfigurationKey(
            "turn.strictExpiry",
            .boolean,
            default: .boolean(false),
            "Refuse Refresh and ChannelBind too (not only Allocate) once a REST username has expired."
        ),
        ConfigurationKey(
            "turn.nonceLifetimeSeconds",
            .integer(10...86400),
            default: .integer(600),
            "Age after which a NONCE is stale (438 with a fresh one)."
        ),
        ConfigurationKey(
            "turn.defaultLifetimeSeconds",
            .integer(60...3600),
            default: .integer(600),
            "Allocation lifetime granted when the client asks for less or nothing."
        ),
        ConfigurationKey(
            "turn.maxLifetimeSeconds",
            .integer(60...86400),
            default: .integer(3600),
            "Longest allocation lifetime granted; longer requests are clamped."
        ),
        ConfigurationKey(
            "turn.permissionLifetimeSeconds",
            .integer(10...3600),
            default: .integer(300),
            "Permission lifetime (RFC 8656 says 300)."
        ),
        ConfigurationKey(
            "turn.channelLifetimeSeconds",
            .integer(10...3600),
            default: .integer(600),
            "Channel binding lifetime (RFC 8656 says 600)."
        ),
        ConfigurationKey(
            "turn.relay.portMin",
            .integer(1024...65535),
            default: .integer(49152),
            "Lowest relay port."
        ),
        ConfigurationKey(
            "turn.relay.portMax",
            .integer(1024...65535),
            default: .integer(65535),
            "Highest relay port."
        ),
        ConfigurationKey(
            "turn.relay.addresses",
            .ipAddressList,
            default: .stringList([]),
            "Relay IPs (one per family); empty: the server address each client reached."
        ),
        ConfigurationKey(
            "turn.relay.externalAddresses",
            .stringList,
            default: .stringList([]),
            "Behind a 1:1 NAT: each \"PUBLIC\" or \"PUBLIC/PRIVATE\", one per family; relays bind the private IP "
                + "and advertise the public one, which the ICE servers handed out use unless ice.publicAddress is set."
        ),
        ConfigurationKey(
            "turn.quota.perUser",
            .integer(0...1_000_000),
            default: .integer(10),
            "Allocations one username may hold at once (486 beyond); 0 is unlimited."
        ),
        ConfigurationKey(
            "turn.quota.total",
            .integer(0...10_000_000),
            default: .integer(10000),
            "Allocations the server holds at once (486 beyond); 0 is unlimited."
        ),
        ConfigurationKey(
            "turn.quota.perClientAddress",
            .integer(0...1_000_000),
            default: .integer(10),
            "Allocations and EVEN-PORT reservations one client IP (IPv6: one /64) may hold at once; 0 is unlimited."
        ),
        ConfigurationKey(
            "turn.peers.allow",
            .ipRangeList,
            default: .stringList([]),
            "Peer addresses or CIDR ranges allowed although denied by default (loopback, private, ...)."
        ),
        ConfigurationKey(
            "turn.peers.deny",
            .ipRangeList,
            default: .stringList([]),
            "Peer addresses or CIDR ranges always denied."
        ),
        ConfigurationKey(
            "turn.acceptRFC5766ChannelNumbers",
            .boolean,
            default: .boolean(true),
            "Accept channel numbers up to 0x7FFF (RFC 5766 clients, as coturn does); false keeps RFC 8656's 0x4000-0x4FFF."
        ),
        ConfigurationKey(
            "turn.bandwidthLimitBytesPerSecond",
            .integer(0...10_000_000_000),
            default: .integer(0),
            "Bytes per second one allocation may relay, both directions together; 0 is no cap."
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
