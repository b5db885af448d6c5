import Foundation
import STUNCodec
import SocketIOCodec

/// Builds the ICE server configuration handed to every client that joins a room and served at
/// `GET /api/ice-servers`: this very process's `stun:` and `turn:` URLs with time-limited TURN REST credentials
/// (draft-uberti-behave-turn-rest: username `<unix-expiry>:<user>`, credential
/// `base64(HMAC-SHA1(secret, username))`) that its own TURN server accepts.
///
/// ```json
/// {"iceServers":[{"urls":["stun:HOST:3478"]},
///  {"urls":["turn:HOST:3478?transport=udp","turn:HOST:3478?transport=tcp","turns:HOST:5349?transport=tcp"],
///   "username":"…","credential":"…"}],
///  "ttl":86400}
/// ```
///
/// The `turn:`/`turns:` URLs come in order of preference (UDP, TCP, then TLS: the last works through a firewall
/// that lets out only TLS-looking TCP), one credential for all of them.
public struct ICEServersProvider: Sendable {
    /// Which host goes in the URLs: `ice.publicAddress`, or the host the client used when it is trusted.
    var hosts: HostAllowList
    /// STUN/TURN port as configured (`stun.port`).
    public var port: Int
    /// The port the listeners actually bound, once they have: with `stun.port: 0` the configured one says nothing.
    public var boundPort: @Sendable () -> Int?
    /// Offer `?transport=udp` / `?transport=tcp` URLs.
    public var udp: Bool
    public var tcp: Bool
    /// Ports that serve TURN over TLS (`stun.tlsPort` when a certificate is configured), offered as `turns:` URLs
    /// (RFC 7065 §3.1) after the plain ones, in this order.
    public var tlsPorts: [Int] = []
    /// Offer `turn:` URLs at all (`turn.enabled`).
    public var turnEnabled: Bool
    /// The secret that signs credentials: the first of `turn.secrets` (or the one generated at start).
    public var secret: String
    /// Where the secret in force is read at each signing, when it can change (a reload of `turn.secrets`); nil signs
    /// with ``secret``.
    public var secretSource: (@Sendable () -> String)?
    /// Credential lifetime (`ice.credentialTTLSeconds`).
    public var ttlSeconds: Int
    /// Unix time now, injectable for tests.
    public var now: @Sendable () -> Int64

    init(
        hosts: HostAllowList,
        port: Int,
        udp: Bool,
        tcp: Bool,
        turnEnabled: Bool,
        secret: String,
        ttlSeconds: Int,
        boundPort: @escaping @Sendable () -> Int? = { nil },
        now: @escaping @Sendable () -> Int64 = { Int64(Date().timeIntervalSince1970) }
    ) {
        self.hosts = hosts
        self.port = port
        self.boundPort = boundPort
        self.udp = udp
        self.tcp = tcp
        self.turnEnabled = turnEnabled
        self.secret = secret
        self.ttlSeconds = ttlSeconds
        self.now = now
    }

    /// The configuration for a client that reached the HTTP server as `requestHost` (the Host header, port
    /// included or not), for the identity `user`: the user part of the TURN REST username, so allocations are
    /// logged with it and the per-user quota counts them under it (a signaling session id, or the API caller).
    public func iceServers(requestHost: String?, user: String) -> JSONValue {
        self.iceServers(host: self.hosts.host(forAuthority: requestHost), credentials: self.credentials(user: user))
    }

    /// Fresh TURN REST credentials for the identity `user`, valid for ``ttlSeconds``.
    public func credentials(user: String) -> (username: String, credential: String) {
        let username = TimeLimitedCredentials.username(
            expiry: self.now() + Int64(self.ttlSeconds),
            user: Self.sanitized(user)
        )
        let secret = self.secretSource?() ?? self.secret
        return (username, TimeLimitedCredentials.password(username: username, secret: Array(secret.utf8)))
    }

    /// The configuration with `host` in the URLs and the given credentials on the `turn:` ones.
    func iceServers(host: String, credentials: (username: String, credential: String)) -> JSONValue {
        let host = Self.urlHost(host)
        var servers: [JSONValue] = []
        let port = self.boundPort() ?? self.port
        if self.udp || self.tcp {
            servers.append(["urls": [.string("stun:\(host):\(port)")]])
        }
        if self.turnEnabled && (self.udp || self.tcp || !self.tlsPorts.isEmpty) {
            var urls: [JSONValue] = []
            if self.udp {
                urls.append(.string("turn:\(host):\(port)?transport=udp"))
            }
            if self.tcp {
                urls.append(.string("turn:\(host):\(port)?transport=tcp"))
            }
            for tlsPort in self.tlsPorts {
                urls.append(.string("turns:\(host):\(tlsPort)?transport=tcp"))
            }
            servers.append([
                "urls": .array(urls), "username": .string(credentials.username),
                "credential": .string(credentials.credential),
            ])
        }
        return ["iceServers": .array(servers), "ttl": .number(JSONNumber(self.ttlSeconds))]
    }

    /// IPv6 literals go in brackets in `stun:` / `turn:` URLs (RFC 7064 §3.1, RFC 7065 §3.1).
    static func urlHost(_ host: String) -> String {
        // An IPv6 literal, with or without a zone (`fe80::1%25eth0`).
        if case .v6 = TransportAddress.IP(String(host.prefix { $0 != "%" })) {
            return "[\(host)]"
        }
        return host
    }

    /// The user part of a REST username must not contain the ':' separator.
    static func sanitized(_ user: String) -> String {
        String(user.filter { $0 != ":" }.prefix(64))
    }
}
