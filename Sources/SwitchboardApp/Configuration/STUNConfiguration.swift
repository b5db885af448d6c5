import STUNCodec

/// The `stun.*` keys: the STUN/TURN listeners (UDP, TCP, TLS), their limits and RFC 5780 discovery.
public struct STUNConfiguration: Sendable {
    /// `stun.addresses`: the IPs the listeners bind (the shared port too).
    public var addresses: [TransportAddress.IP]
    /// `stun.port`; 0 picks a free port.
    public var port: Int
    /// `stun.udp`
    public var udp: Bool
    /// `stun.tcp`
    public var tcp: Bool
    /// `stun.tlsPort`; 0 is off, and it serves only with `tls.certificateFile` set.
    public var tlsPort: Int
    /// `stun.udpSocketsPerAddress`
    public var udpSocketsPerAddress: Int
    /// `stun.software`
    public var software: String
    /// RFC 5780 discovery (`stun.alternateAddress`, `stun.alternatePort`); nil when both are unset.
    public var natDiscovery: NATDiscoveryAddresses?
    /// `stun.tcpIdleTimeoutSeconds`
    public var tcpIdleTimeoutSeconds: Int
    /// `stun.tcpFramingTimeoutSeconds`
    public var tcpFramingTimeoutSeconds: Int
    /// `stun.tcpMaxConnections`; 0 is no cap.
    public var tcpMaxConnections: Int
    /// `stun.tcpMaxConnectionsPerAddress`; 0 is no cap.
    public var tcpMaxConnectionsPerAddress: Int
    /// `stun.tcpOutboundBufferBytes`
    public var tcpOutboundBufferBytes: Int
    /// `stun.tcpSendTimeoutSeconds`
    public var tcpSendTimeoutSeconds: Int

    init(_ values: ConfigurationValues) throws(ConfigurationError) {
        self.addresses = try values.addresses("stun.addresses")
        self.port = try values.integer("stun.port")
        self.udp = try values.boolean("stun.udp")
        self.tcp = try values.boolean("stun.tcp")
        self.tlsPort = try values.integer("stun.tlsPort")
        self.udpSocketsPerAddress = try values.integer("stun.udpSocketsPerAddress")
        self.software = try values.string("stun.software")
        self.tcpIdleTimeoutSeconds = try values.integer("stun.tcpIdleTimeoutSeconds")
        self.tcpFramingTimeoutSeconds = try values.integer("stun.tcpFramingTimeoutSeconds")
        self.tcpMaxConnections = try values.integer("stun.tcpMaxConnections")
        self.tcpMaxConnectionsPerAddress = try values.integer("stun.tcpMaxConnectionsPerAddress")
        self.tcpOutboundBufferBytes = try values.integer("stun.tcpOutboundBufferBytes")
        self.tcpSendTimeoutSeconds = try values.integer("stun.tcpSendTimeoutSeconds")
        try values.checkCap(
            "stun.tcpMaxConnectionsPerAddress",
            self.tcpMaxConnectionsPerAddress,
            under: "stun.tcpMaxConnections"
        )
        if self.addresses.isEmpty && (self.udp || self.tcp) {
            throw values.error(
                "stun.addresses",
                "is empty while stun.udp or stun.tcp is on; list at least one address or turn both off"
            )
        }
        self.natDiscovery = try NATDiscoveryAddresses.resolve(
            values,
            addresses: self.addresses,
            port: self.port,
            udp: self.udp
        )
    }
}
