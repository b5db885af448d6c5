import STUNCodec

/// The addresses of RFC 5780 NAT behaviour discovery, from `stun.alternateAddress` and `stun.alternatePort`,
/// checked against the other `stun.*` keys.
public struct NATDiscoveryAddresses: Hashable, Sendable {
    /// The primary IP: the first address of `stun.addresses` of the alternate's family that is not a wildcard.
    public var primaryAddress: TransportAddress.IP
    /// `stun.port`.
    public var port: Int
    /// `stun.alternateAddress`; nil when empty.
    public var alternateAddress: TransportAddress.IP?
    /// `stun.alternatePort`; nil when 0.
    public var alternatePort: Int?

    public init(
        primaryAddress: TransportAddress.IP,
        port: Int,
        alternateAddress: TransportAddress.IP?,
        alternatePort: Int?
    ) {
        self.primaryAddress = primaryAddress
        self.port = port
        self.alternateAddress = alternateAddress
        self.alternatePort = alternatePort
    }

    /// Nil when neither key is set; otherwise the addresses, or an error naming the key at fault.
    static func resolve(
        _ values: ConfigurationValues,
        addresses: [TransportAddress.IP],
        port: Int,
        udp: Bool
    ) throws(ConfigurationError) -> NATDiscoveryAddresses? {
        let alternate = try values.string("stun.alternateAddress")
        let alternatePort = try values.integer("stun.alternatePort")
        guard !alternate.isEmpty || alternatePort != 0 else {
            return nil
        }
        let key = alternate.isEmpty ? "stun.alternatePort" : "stun.alternateAddress"
        guard udp else {
            throw values.error(key, "needs stun.udp on (RFC 5780 discovery is over UDP)")
        }
        guard port != 0 else {
            throw values.error(key, "needs a fixed stun.port, not 0")
        }
        guard alternatePort != port else {
            throw values.error("stun.alternatePort", "must differ from stun.port")
        }
        var alternateIP: TransportAddress.IP?
        if !alternate.isEmpty {
            guard let parsed = TransportAddress.IP(alternate), !parsed.isUnspecified else {
                throw values.error(key, "must be one IP address of this host, not a wildcard")
            }
            alternateIP = parsed
        }
        let primary = addresses.first { ip in
            !ip.isUnspecified && (alternateIP.map { Self.sameFamily($0, ip) } ?? true) && ip != alternateIP
        }
        guard let primary else {
            throw values.error(
                key,
                "needs a primary: an address in stun.addresses, not a wildcard"
                    + (alternate.isEmpty ? "" : ", of the same family and other than the alternate")
            )
        }
        return NATDiscoveryAddresses(
            primaryAddress: primary,
            port: port,
            alternateAddress: alternateIP,
            alternatePort: alternatePort == 0 ? nil : alternatePort
        )
    }

    private static func sameFamily(_ first: TransportAddress.IP, _ second: TransportAddress.IP) -> Bool {
        TransportAddress(ip: first, port: 0).family == TransportAddress(ip: second, port: 0).family
    }
}
