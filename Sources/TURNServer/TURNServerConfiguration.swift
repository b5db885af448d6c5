import NIOCore
import STUNCodec

/// Settings of the STUN/TURN listeners. A plain value with defaults; the application fills it from the
/// `stun.*` and `turn.*` configuration keys.
public struct TURNServerConfiguration: Sendable {
    /// IP addresses to bind (`stun.addresses`). `::` is skipped with a warning where the host has no IPv6.
    public var addresses: [TransportAddress.IP]
    /// UDP and TCP port (`stun.port`); 0 picks a free port, the same one for every socket.
    public var port: Int
    /// Listen on UDP (`stun.udp`).
    public var udp: Bool
    /// Listen on TCP (`stun.tcp`).
    public var tcp: Bool
    /// SO_REUSEPORT UDP sockets per address (`stun.udpSocketsPerAddress`); 0 means one per event loop.
    public var udpSocketsPerAddress: Int
    /// SOFTWARE attribute of responses (`stun.software`); `nil` or empty sends none. RFC 8489 §14.14.
    public var software: String?
    /// A TCP client that completes no frame for this long is disconnected (`stun.tcpIdleTimeoutSeconds`), unless
    /// it holds an allocation.
    public var tcpIdleTimeout: TimeAmount
    /// A frame started on a TCP connection must be complete within this (`stun.tcpFramingTimeoutSeconds`).
    public var tcpFramingTimeout: TimeAmount = .seconds(5)
    /// The most open TCP connections over all TCP listeners (`stun.tcpMaxConnections`); 0 is unlimited.
    public var tcpMaxConnections = 0
    /// The most open TCP connections per client address, IPv6 per /64 (`stun.tcpMaxConnectionsPerAddress`); 0 is
    /// unlimited.
    public var tcpMaxConnectionsPerAddress = 0
    /// Bytes written to one TCP client and not yet sent before it is too slow (`stun.tcpOutboundBufferBytes`):
    /// over half of it reading from it stops and relayed data is dropped, over all of it the connection closes.
    public var tcpOutboundBufferBytes: Int
    /// A TCP client that stays unwritable this long is disconnected (`stun.tcpSendTimeoutSeconds`).
    public var tcpSendTimeout: TimeAmount
    /// TCP port of the TURN-over-TLS listeners (`stun.tlsPort`, RFC 8656 §3.1), used when the service is given a
    /// TLS context; 0 is off.
    public var tlsPort = 0
    /// Datagrams read per `recvmmsg` call.
    public var datagramVectorReadCount: Int
    /// RFC 5780 NAT behaviour discovery on UDP (`stun.alternateAddress`, `stun.alternatePort`): the primary and
    /// alternate addresses, all listened on; nil: none. The primary must be one of ``addresses`` and port fixed.
    public var natDiscovery: NATDiscoveryEndpoints?

    // MARK: - TURN (RFC 8656)

    /// Serve TURN requests (`turn.enabled`); when off, only Binding is answered.
    public var turnEnabled: Bool
    /// REALM of the long-term credential mechanism (`turn.realm`).
    public var realm: String
    /// Static long-term users, username to password (`turn.users`).
    public var staticUsers: [String: String]
    /// TURN REST API shared secrets (`turn.secrets`); the first signs new credentials.
    public var restSecrets: [String]
    /// Refuse Refresh and ChannelBind too once a REST username has expired (`turn.strictExpiry`).
    public var strictExpiry: Bool
    /// How long a NONCE stays fresh before 438 (`turn.nonceLifetimeSeconds`).
    public var nonceLifetime: Duration
    /// Allocation, permission and channel lifetimes.
    public var lifetimes: TURNLifetimes
    /// Relay ports (`turn.relay.portMin` ... `turn.relay.portMax`).
    public var relayPorts: ClosedRange<Int>
    /// Relay IPs (`turn.relay.addresses`); empty: the server address the client reached.
    public var relayAddresses: [TransportAddress.IP]
    /// Allocations per username (`turn.quota.perUser`, 0 = unlimited) and in total (`turn.quota.total`).
    public var userQuota: Int
    public var totalQuota: Int
    /// Allocations, reservations included, one client address may hold at once (`turn.quota.perClientAddress`,
    /// 0 = unlimited); IPv6 clients are counted per /64.
    public var clientAddressQuota: Int
    /// The public addresses this host is reached at through a 1:1 NAT (`turn.relay.externalAddresses`) and the
    /// announced `ice.publicAddress` when it is an IP: relay addresses are advertised with their public IP, and
    /// peers at any of them get the same per-datagram checks as the server's own addresses.
    public var externalAddresses: ExternalAddressMap
    /// Peer allow and deny lists (`turn.peers.allow`, `turn.peers.deny`), CIDR or single addresses.
    public var peerAllowList: [IPAddressRange]
    public var peerDenyList: [IPAddressRange]
    /// Bytes per second one allocation may relay, both directions together; 0 = no cap.
    public var allocationBandwidthLimit: Int
    /// Accept RFC 5766 channel numbers up to 0x7FFF (`turn.acceptRFC5766ChannelNumbers`), as coturn does; off keeps
    /// RFC 8656's 0x4000-0x4FFF.
    public var acceptRFC5766ChannelNumbers: Bool

    /// Grant RFC 6062 TCP allocations (`turn.tcpRelay`, REQUESTED-TRANSPORT TCP over TCP or TLS); off answers them
    /// 442, as coturn's `no-tcp-relay` does.
    public var tcpRelay = true
    /// The most peer connections one TCP allocation may hold at once (opened, waiting for a bind, or bound).
    public var tcpRelayConnectionLimit = 64

    /// The channel numbers ChannelBind accepts.
    public var channelNumbers: ClosedRange<UInt16> {
        self.acceptRFC5766ChannelNumbers ? ChannelNumber.rfc5766Range : ChannelNumber.validRange
    }

    public init(
        addresses: [TransportAddress.IP] = [.v4(0), .v6(0, 0)],
        port: Int = 3478,
        udp: Bool = true,
        tcp: Bool = true,
        udpSocketsPerAddress: Int = 0,
        software: String? = "Switchboard",
        tcpIdleTimeout: TimeAmount = .seconds(300),
        tcpOutboundBufferBytes: Int = 256 * 1024,
        tcpSendTimeout: TimeAmount = .seconds(30),
        datagramVectorReadCount: Int = 32,
        turnEnabled: Bool = true,
        realm: String = "switchboard",
        staticUsers: [String: String] = [:],
        restSecrets: [String] = [],
        strictExpiry: Bool = false,
        nonceLifetime: Duration = .seconds(600),
        lifetimes: TURNLifetimes = TURNLifetimes(),
        relayPorts: ClosedRange<Int> = 49152...65535,
        relayAddresses: [TransportAddress.IP] = [],
        userQuota: Int = 10,
        totalQuota: Int = 10000,
        clientAddressQuota: Int = 10,
        externalAddresses: ExternalAddressMap = ExternalAddressMap(),
        peerAllowList: [IPAddressRange] = [],
        peerDenyList: [IPAddressRange] = [],
        allocationBandwidthLimit: Int = 0,
        acceptRFC5766ChannelNumbers: Bool = true
    ) {
        self.addresses = addresses
        self.port = port
        self.udp = udp
        self.tcp = tcp
        self.udpSocketsPerAddress = udpSocketsPerAddress
        self.software = software
        self.tcpIdleTimeout = tcpIdleTimeout
        self.tcpOutboundBufferBytes = tcpOutboundBufferBytes
        self.tcpSendTimeout = tcpSendTimeout
        self.datagramVectorReadCount = datagramVectorReadCount
        self.turnEnabled = turnEnabled
        self.realm = realm
        self.staticUsers = staticUsers
        self.restSecrets = restSecrets
        self.strictExpiry = strictExpiry
        self.nonceLifetime = nonceLifetime
        self.lifetimes = lifetimes
        self.relayPorts = relayPorts
        self.relayAddresses = relayAddresses
        self.userQuota = userQuota
        self.totalQuota = totalQuota
        self.clientAddressQuota = clientAddressQuota
        self.externalAddresses = externalAddresses
        self.peerAllowList = peerAllowList
        self.peerDenyList = peerDenyList
        self.allocationBandwidthLimit = allocationBandwidthLimit
        self.acceptRFC5766ChannelNumbers = acceptRFC5766ChannelNumbers
    }
}
