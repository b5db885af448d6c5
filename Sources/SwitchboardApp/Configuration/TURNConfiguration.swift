import STUNCodec
import TURNServer

/// The `turn.*` keys: credentials, lifetimes, the relay's ports and addresses, quotas, peer lists and bandwidth.
public struct TURNConfiguration: Sendable {
    /// `turn.enabled`
    public var enabled: Bool
    /// `turn.realm`
    public var realm: String
    /// `turn.secrets`; empty means "generate one at start" (``restSecrets(generated:)``).
    public var secrets: [String]
    /// `turn.users`, username to password.
    public var users: [String: String]
    /// `turn.strictExpiry`
    public var strictExpiry: Bool
    /// `turn.nonceLifetimeSeconds`
    public var nonceLifetimeSeconds: Int
    /// `turn.defaultLifetimeSeconds`, `turn.maxLifetimeSeconds`, `turn.permissionLifetimeSeconds`,
    /// `turn.channelLifetimeSeconds`
    public var defaultLifetimeSeconds: Int
    public var maxLifetimeSeconds: Int
    public var permissionLifetimeSeconds: Int
    public var channelLifetimeSeconds: Int
    /// `turn.relay.portMin` ... `turn.relay.portMax`
    public var relayPorts: ClosedRange<Int>
    /// `turn.relay.addresses`
    public var relayAddresses: [TransportAddress.IP]
    /// `turn.relay.externalAddresses`, with `ice.publicAddress` among the announced IPs when it is one.
    public var externalAddresses: ExternalAddressMap
    /// The public IP (IPv4 first) of `turn.relay.externalAddresses`, for the ICE servers handed out.
    public var externalHost: String?
    /// `turn.quota.perUser`, `turn.quota.total`, `turn.quota.perClientAddress`; 0 is unlimited.
    public var userQuota: Int
    public var totalQuota: Int
    public var clientAddressQuota: Int
    /// `turn.peers.allow`, `turn.peers.deny`
    public var peerAllowList: [IPAddressRange]
    public var peerDenyList: [IPAddressRange]
    /// `turn.bandwidthLimitBytesPerSecond`; 0 is no cap.
    public var bandwidthLimit: Int
    /// `turn.acceptRFC5766ChannelNumbers`
    public var acceptRFC5766ChannelNumbers: Bool
    /// `turn.tcpRelay`: RFC 6062 TCP allocations
    public var tcpRelay: Bool

    /// - Parameters:
    ///   - listeningAddresses: `stun.addresses`, where relays bind when `turn.relay.addresses` is empty.
    ///   - announced: `ice.publicAddress`, a name or an IP.
    init(
        _ values: ConfigurationValues,
        listeningAddresses: [TransportAddress.IP],
        announced: String?
    ) throws(ConfigurationError) {
        self.enabled = try values.boolean("turn.enabled")
        self.realm = try values.string("turn.realm")
        self.secrets = try values.list("turn.secrets")
        self.strictExpiry = try values.boolean("turn.strictExpiry")
        self.nonceLifetimeSeconds = try values.integer("turn.nonceLifetimeSeconds")
        self.defaultLifetimeSeconds = try values.integer("turn.defaultLifetimeSeconds")
        self.maxLifetimeSeconds = try values.integer("turn.maxLifetimeSeconds")
        self.permissionLifetimeSeconds = try values.integer("turn.permissionLifetimeSeconds")
        self.channelLifetimeSeconds = try values.integer("turn.channelLifetimeSeconds")
        self.relayAddresses = try values.addresses("turn.relay.addresses")
        let external = try Self.externalAddresses(
            try values.list("turn.relay.externalAddresses"),
            announced: announced,
            relayAddresses: self.relayAddresses,
            listeningAddresses: listeningAddresses,
            origin: values.origin("turn.relay.externalAddresses")
        )
        self.externalAddresses = external.map
        self.externalHost = external.host
        self.userQuota = try values.integer("turn.quota.perUser")
        self.totalQuota = try values.integer("turn.quota.total")
        self.clientAddressQuota = try values.integer("turn.quota.perClientAddress")
        self.peerAllowList = try values.ranges("turn.peers.allow")
        self.peerDenyList = try values.ranges("turn.peers.deny")
        self.bandwidthLimit = try values.integer("turn.bandwidthLimitBytesPerSecond")
        self.acceptRFC5766ChannelNumbers = try values.boolean("turn.acceptRFC5766ChannelNumbers")
        self.tcpRelay = try values.boolean("turn.tcpRelay")
        let portMin = try values.integer("turn.relay.portMin")
        let portMax = try values.integer("turn.relay.portMax")
        guard portMin <= portMax else {
            throw values.error("turn.relay.portMin", "\(portMin) is above turn.relay.portMax (\(portMax))")
        }
        self.relayPorts = portMin...portMax
        guard self.defaultLifetimeSeconds <= self.maxLifetimeSeconds else {
            throw values.error("turn.defaultLifetimeSeconds", "is above turn.maxLifetimeSeconds")
        }
        self.users = try Self.users(values)
    }

    /// The TURN REST secrets in force: `turn.secrets`, or the one generated at start when it is empty.
    public func restSecrets(generated: String) -> [String] {
        self.secrets.isEmpty ? [generated] : self.secrets
    }

    /// `turn.users` as username to password; each entry is `username:password`.
    private static func users(_ values: ConfigurationValues) throws(ConfigurationError) -> [String: String] {
        var users: [String: String] = [:]
        for entry in try values.list("turn.users") {
            guard let colon = entry.firstIndex(of: ":"), colon != entry.startIndex else {
                // The entry holds a password: name neither.
                throw values.error("turn.users", "each entry must be \"username:password\"")
            }
            users[String(entry[..<colon])] = String(entry[entry.index(after: colon)...])
        }
        return users
    }
}
