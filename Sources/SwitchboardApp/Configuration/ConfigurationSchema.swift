/// Every configuration key Switchboard understands. Anything else in a file, or any other `SWITCHBOARD_*`
/// environment variable, is an error.
public enum ConfigurationSchema {
    public static let logLevels = ["trace", "debug", "info", "notice", "warning", "error", "critical"]

    public static let keys: [ConfigurationKey] = Self.coreKeys + Self.signalingKeys + Self.accessKeys + Self.clusterKeys

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
            "File the process id is written to (once SIGHUP is trapped), for `switchboard reload --pid-file "
                + "FILE` and init scripts; removed at a graceful stop. \"\" writes none. SIGHUP (or `switchboard "
                + "reload`) re-reads the configuration file: TURN users, secrets, quotas, peer lists, bandwidth "
                + "cap, log level and the TLS certificate change at once; other keys are reported and wait for a "
                + "restart (docs/deploying.md, \"Reloading the configuration\")."
        ),

        // MARK: - Logging
        ConfigurationKey(
            "log.level",
            .choice(Self.logLevels),
            default: .string("info"),
            "Least severe level that is logged: trace, debug, info, notice, warning, error or critical."
        ),
        ConfigurationKey(
            "log.format",
            .choice(["text", "json"]),
            default: .string("text"),
            "Log line format on standard error: text (human-readable) or json (one object per line)."
        ),

        // MARK: - HTTP
        ConfigurationKey(
            "http.host",
            .string(allowEmpty: false),
            default: .string("0.0.0.0"),
            "Address the HTTP server (the chat page, signaling, /healthz, the operator endpoints) binds."
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
            "A request head must be complete within this many seconds of the connection opening (of its first "
                + "byte on a kept-alive connection), or the client gets 408 and the connection closes; a head the "
                + "parser rejects gets 400 and the connection closes. HTTP and HTTPS (tls.port) alike."
        ),
        ConfigurationKey(
            "http.idleTimeoutSeconds",
            .integer(1...86400),
            default: .integer(60),
            "A connection idle this long between requests (keep-alive), or stalled this long in a request "
                + "body, is closed. A WebSocket is governed by the Engine.IO heartbeat (signaling.ping*) instead. "
                + "HTTP and HTTPS alike."
        ),
        ConfigurationKey(
            "http.maxConnections",
            .integer(0...10_000_000),
            default: .integer(20_000),
            "Most open connections, HTTP and HTTPS together, WebSockets included; beyond it a new connection "
                + "gets 503 and is closed at once (counted in switchboard_http_connections_refused_total). Lowered "
                + "at start, with a warning, to half of the file descriptors the process may open less 64 (the soft "
                + "ulimit -n is first raised to the hard one). 0 is unlimited: a listener out of descriptors then "
                + "pauses accepting for 250 ms at a time."
        ),
        ConfigurationKey(
            "http.maxConnectionsPerAddress",
            .integer(0...10_000_000),
            default: .integer(500),
            "Most open connections per client address (an IPv6 client: per /64 prefix), refused as over "
                + "http.maxConnections; 0 is unlimited. Behind a reverse proxy every client has the proxy's "
                + "address: raise it or set 0 there."
        ),

        // MARK: - STUN
        ConfigurationKey(
            "stun.addresses",
            .ipAddressList,
            default: .stringList(["0.0.0.0", "::"]),
            "IP addresses the STUN/TURN listeners bind. \"::\" is skipped with a warning where the host has no "
                + "IPv6."
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
            "Listen on TCP (RFC 8489 section 6.2.2 framing)."
        ),
        ConfigurationKey(
            "stun.tlsPort",
            .integer(0...65535),
            default: .integer(5349),
            "TCP port of TURN over TLS (turns: URLs, RFC 8656 section 3.1) on the same addresses, with the "
                + "certificate and key of the tls section: served whenever tls.certificateFile is set (tls.port may "
                + "stay 0). TLS 1.2 and 1.3; the framing, timeouts, connection caps and budgets are those of TCP (a "
                + "handshake must complete within stun.tcpFramingTimeoutSeconds). 0 is off."
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
            "SOFTWARE attribute sent in responses; \"\" sends none."
        ),
        ConfigurationKey(
            "stun.alternateAddress",
            .string(allowEmpty: true),
            default: .string(""),
            "Second IP of this host for RFC 5780 NAT behaviour discovery (CHANGE-REQUEST, RESPONSE-ORIGIN, "
                + "OTHER-ADDRESS, RESPONSE-PORT, PADDING) over UDP; \"\" is none. The primary is the first address in "
                + "stun.addresses of the same family that is not a wildcard; stun.port must be fixed (not 0). See "
                + "docs/nat-testing.md."
        ),
        ConfigurationKey(
            "stun.alternatePort",
            .integer(0...65535),
            default: .integer(0),
            "Second UDP port for RFC 5780 discovery, listened on at the primary and the alternate address; 0 "
                + "is none. With only this set, the server can change ports but not addresses (a change-IP request "
                + "gets 420)."
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
            "A STUN message or ChannelData frame whose first bytes arrived on TCP must be complete within "
                + "this many seconds, or the connection is closed (so trickling a byte now and then keeps nothing "
                + "open)."
        ),
        ConfigurationKey(
            "stun.tcpMaxConnections",
            .integer(0...10_000_000),
            default: .integer(10_000),
            "Most open TCP connections over all STUN/TURN TCP listeners; beyond it a new connection is closed "
                + "at once (counted in switchboard_stun_tcp_connections_refused_total). Lowered at start, with a "
                + "warning, to a quarter of the file descriptors the process may open less 64. 0 is unlimited."
        ),
        ConfigurationKey(
            "stun.tcpMaxConnectionsPerAddress",
            .integer(0...10_000_000),
            default: .integer(200),
            "Most open STUN/TURN TCP connections per client address (an IPv6 client: per /64 prefix), closed "
                + "at once beyond; 0 is unlimited."
        ),
        ConfigurationKey(
            "stun.tcpOutboundBufferBytes",
            .integer(4096...67_108_864),
            default: .integer(262_144),
            "Most bytes written to one TCP client and not yet sent (responses and relayed data). Over half of "
                + "it the server stops reading from that client and drops data relayed to it (counted as "
                + "client_slow); a response that would go over it closes the connection (slow_reader)."
        ),
        ConfigurationKey(
            "stun.tcpSendTimeoutSeconds",
            .integer(1...86400),
            default: .integer(30),
            "A TCP client that takes none of what is written to it for this long is disconnected "
                + "(send_timeout)."
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
            "Port of a second HTTP server with TLS (HTTPS and WSS, the same routes as http.port); 0 is off. "
                + "The WebRtcRoomServer clients hard-code https://HOST:8443."
        ),
        ConfigurationKey(
            "tls.certificateFile",
            .string(allowEmpty: true),
            default: .string(""),
            "PEM certificate chain, required when tls.port is set; it also turns on TURN over TLS "
                + "(stun.tlsPort). For testing, `scripts/make-test-certificate DIR` writes a self-signed "
                + "DIR/cert.pem and DIR/key.pem."
        ),
        ConfigurationKey(
            "tls.privateKeyFile",
            .string(allowEmpty: true),
            default: .string(""),
            "PEM private key of tls.certificateFile, required with it."
        ),
        ConfigurationKey(
            "tls.watchIntervalSeconds",
            .integer(0...86400),
            default: .integer(60),
            "How often tls.certificateFile and tls.privateKeyFile are looked at: when a renewal replaces them "
                + "(and they hold still for one more look), new TLS connections get the new pair without a "
                + "reload; open connections keep theirs. 0: only a reload (SIGHUP) reads them again."
        ),
        ConfigurationKey(
            "shared.port",
            .integer(0...65535),
            default: .integer(0),
            "One TCP port for everything, for networks that let out only TCP 443: on every stun.addresses "
                + "entry, each connection is served by its first bytes. A TLS ClientHello is answered with the tls "
                + "certificate; then ALPN (stun.turn, or http/1.1) or the first decrypted bytes choose HTTPS or "
                + "TURN over TLS. A STUN message in the clear is TURN over TCP; an HTTP request line is plain HTTP. "
                + "HTTP and HTTPS get every route of http.port (pages, /socket.io/ polling and WebSocket, /ws) "
                + "under the http.* caps; TURN gets the stun.tcp* caps and budgets. The handed-out ICE servers add "
                + "turns: on this port. 0 is off."
        ),
        ConfigurationKey(
            "shared.protocols",
            .stringList,
            default: .stringList(["http", "turn", "https", "turns"]),
            "What shared.port accepts: any of http, turn, https, turns (https and turns need "
                + "tls.certificateFile)."
        ),
        ConfigurationKey(
            "shared.sniffTimeoutSeconds",
            .integer(1...300),
            default: .integer(5),
            "A shared-port connection must show what it speaks within this many seconds (its first bytes; "
                + "with TLS, the handshake and the first request or message), or it is closed. Connections being "
                + "sniffed are capped like stun.tcpMaxConnections and stun.tcpMaxConnectionsPerAddress."
        ),
        ConfigurationKey(
            "dialects.selection",
            .choice(["auto", "chatroom", "webrtcroom", "socketim"]),
            default: .string("auto"),
            "Seed dialect of Socket.IO connections. auto: Engine.IO v4 connections speak chatroom (dialect "
                + "A); Engine.IO v3 connections speak webrtcroom (B) once they send createAndJoinRoom, socketim (D) "
                + "once they send offer, answer, _ice_candidate or wav. Or pin one: chatroom, webrtcroom, socketim."
        ),
        ConfigurationKey(
            "dialects.pinnedPaths",
            .stringList,
            default: .stringList([]),
            "Extra Socket.IO endpoints pinned to one dialect, each \"PATH=DIALECT\", next to the auto-selecting "
                + "one at signaling.path; for example [\"/webrtcroom.io/=webrtcroom\"]. Each has its own rooms."
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
            "Signaling events one socket may send per second; 0 is unlimited, as the originals (the default: "
                + "a real client trickles hundreds of ICE candidates at once and must lose none; floods are bounded "
                + "by the byte budgets signaling.outboundBufferBytes and signaling.maxHttpBufferSize). When set, a "
                + "token bucket refilled at this rate with a burst of max(this, 1000) events; beyond it chatroom "
                + "answers error {type:\"rateLimited\"}, the others drop the event (counted in metrics)."
        ),
        ConfigurationKey(
            "dialects.rawWebSocketPath",
            .string(allowEmpty: true),
            default: .string("/ws"),
            "Path of the raw-WebSocket dialect (C: one JSON object per text frame, no Socket.IO) on the HTTP "
                + "servers; \"\" is off."
        ),
        ConfigurationKey(
            "dialects.rawWebSocketPort",
            .integer(0...65535),
            default: .integer(8080),
            "Port of a listener of its own (on http.host, plain WebSocket) where the raw-WebSocket dialect "
                + "upgrades any path, as the original ws server on port 8080 did: its clients hard-code "
                + "ws://HOST:8080. Clients there and at rawWebSocketPath see each other. 0 is off. If the port "
                + "cannot be bound (taken, or below 1024 without the privilege) Switchboard does not start and "
                + "names this key."
        ),
        ConfigurationKey(
            "ice.publicAddress",
            .string(allowEmpty: true),
            default: .string(""),
            "Host put in the stun:/turn: URLs handed to clients on join and at GET /api/ice-servers (a public "
                + "name or IP when Switchboard is behind NAT); \"\" means the public address of "
                + "turn.relay.externalAddresses if any, else the host each client used to reach the HTTP server "
                + "when it is one of this server's own (see http.allowedHosts), else the listening address."
        ),
        ConfigurationKey(
            "ice.credentialTTLSeconds",
            .integer(1...2_592_000),
            default: .integer(86400),
            "Lifetime of the TURN REST credentials handed to clients. Their username is "
                + "\"<expiry>:<identity>\": the signaling session id for credentials handed out on join, api-<token "
                + "index> or api-<origin host> at GET /api/ice-servers; turn.quota.perUser counts allocations per "
                + "identity."
        ),
        ConfigurationKey(
            "turn.enabled",
            .boolean,
            default: .boolean(true),
            "Serve TURN (RFC 8656) on the STUN listeners; false answers Binding only."
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
            "Relay IPs (one per address family); [] means the server address each client reached."
        ),
        ConfigurationKey(
            "turn.relay.externalAddresses",
            .stringList,
            default: .stringList([]),
            "Behind a 1:1 NAT (a cloud VM with a private address and a public one, coturn's external-ip): "
                + "each entry \"PUBLIC\" or \"PUBLIC/PRIVATE\", at most one per address family, for example "
                + "[\"198.51.100.7/10.0.0.5\"]. Relay sockets bind the private address (PUBLIC alone: every relay "
                + "address of that family) and the XOR-RELAYED-ADDRESS clients get carries the public one with the "
                + "same port; the stun:/turn: URLs handed out use the public address unless ice.publicAddress is "
                + "set, and peers at it are treated as this server. PRIVATE must be the turn.relay.addresses entry "
                + "of its family, else one of stun.addresses. [] maps nothing."
        ),
        ConfigurationKey(
            "turn.quota.perUser",
            .integer(0...1_000_000),
            default: .integer(10),
            "Allocations one user may hold at once (486 beyond); 0 is unlimited. A TURN REST username "
                + "\"<expiry>:<user>\" counts against its user part, so fresh credentials of one room or session "
                + "share a quota. A static user shared by every client (as the seeds' coturn setups do) makes this "
                + "a cap on the whole service: raise it to the number of simultaneous relayed calls you expect (two "
                + "or three allocations per browser), or set 0 and rely on perClientAddress and total, or better "
                + "hand out REST credentials."
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
            "Allocations and EVEN-PORT reservations one client IP address may hold at once (486 beyond), IPv6 "
                + "clients counted per /64; 0 is unlimited. Unlike perUser it holds when many clients share one "
                + "static user."
        ),
        ConfigurationKey(
            "turn.peers.allow",
            .ipRangeList,
            default: .stringList([]),
            "Peer addresses or CIDR ranges allowed although denied by default (tests use [\"127.0.0.1\"]); a "
                + "live relay address of this server is always allowed, its listening ports never are."
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
            "Accept ChannelBind numbers up to 0x7FFF, the RFC 5766 range that older clients (coturn's "
                + "turnutils_uclient among them) pick from, as coturn does; false keeps RFC 8656's 0x4000-0x4FFF."
        ),
        ConfigurationKey(
            "turn.tcpRelay",
            .boolean,
            default: .boolean(true),
            "Grant RFC 6062 TCP allocations (REQUESTED-TRANSPORT TCP from a client on TCP or TLS, then Connect "
                + "and ConnectionBind); false answers them 442, like coturn's no-tcp-relay."
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
