import STUNCodec

/// The public addresses this host is reached at through a 1:1 NAT (`turn.relay.externalAddresses`), and any
/// other address it is announced at (`ice.publicAddress` when it is an IP): the one place that knows them.
///
/// A relay socket binds the private address, but a peer outside the NAT can only reach the public one, so the
/// XOR-RELAYED-ADDRESS of an Allocate success response (RFC 8656 §7.3) carries the public IP with the bound
/// port: the NAT maps the port unchanged. Each entry is `PUBLIC` (every relay address of that family maps to it)
/// or `PUBLIC/PRIVATE` (only the relay address `PRIVATE` does), at most one per family.
public struct ExternalAddressMap: Sendable, Equatable {
    /// One mapping: relay addresses on `privateIP` (any of the family when `nil`) are advertised as `publicIP`.
    public struct Mapping: Sendable, Equatable {
        public let publicIP: TransportAddress.IP
        public let privateIP: TransportAddress.IP?

        public init(publicIP: TransportAddress.IP, privateIP: TransportAddress.IP? = nil) {
            self.publicIP = publicIP
            self.privateIP = privateIP
        }
    }

    /// Why an entry was refused; the message names the entry but not the key.
    public struct ParseError: Error, Equatable, Sendable {
        public let message: String
    }

    public let mappings: [Mapping]
    /// Addresses the host is announced at that map no relay address (the IP form of `ice.publicAddress`).
    public let announcedIPs: [TransportAddress.IP]

    public init(mappings: [Mapping] = [], announcedIPs: [TransportAddress.IP] = []) {
        self.mappings = mappings
        self.announcedIPs = announcedIPs
    }

    /// Parses `PUBLIC` and `PUBLIC/PRIVATE` entries (IPv4 or IPv6, both sides of one family), one per family.
    public static func parse(
        _ entries: [String],
        announcedIPs: [TransportAddress.IP] = []
    ) throws(ParseError) -> ExternalAddressMap {
        var mappings: [Mapping] = []
        for entry in entries {
            let parts = entry.split(separator: "/", omittingEmptySubsequences: false).map(String.init)
            guard parts.count <= 2, let publicIP = TransportAddress.IP(parts[0]) else {
                throw ParseError(message: "'\(entry)' is not PUBLIC or PUBLIC/PRIVATE with IP addresses")
            }
            var privateIP: TransportAddress.IP?
            if parts.count == 2 {
                guard let parsed = TransportAddress.IP(parts[1]) else {
                    throw ParseError(message: "'\(entry)': '\(parts[1])' is not an IP address")
                }
                guard Self.family(parsed) == Self.family(publicIP) else {
                    throw ParseError(message: "'\(entry)' mixes IPv4 and IPv6; map each family on its own")
                }
                privateIP = parsed
            }
            guard !Self.isUnspecified(publicIP) else {
                throw ParseError(message: "'\(entry)': the public address cannot be the unspecified address")
            }
            if let privateIP, Self.isUnspecified(privateIP) {
                throw ParseError(message: "'\(entry)': name the private address the relay binds, not a wildcard")
            }
            guard !mappings.contains(where: { Self.family($0.publicIP) == Self.family(publicIP) }) else {
                throw ParseError(message: "'\(entry)': only one entry per address family")
            }
            mappings.append(Mapping(publicIP: publicIP, privateIP: privateIP))
        }
        return ExternalAddressMap(mappings: mappings, announcedIPs: announcedIPs)
    }

    /// Every public IP of the host: mapped and announced. The peer policy counts them among the server's own.
    public var publicIPs: [TransportAddress.IP] {
        self.mappings.map(\.publicIP) + self.announcedIPs
    }

    /// The address to put in XOR-RELAYED-ADDRESS for a relay socket bound to `relay`: its public IP when a mapping
    /// covers it, the same port.
    public func advertised(_ relay: TransportAddress) -> TransportAddress {
        guard let mapping = self.mapping(forPrivate: relay.ip) else {
            return relay
        }
        return TransportAddress(ip: mapping.publicIP, port: relay.port)
    }

    /// The relay socket address a peer reaches at `advertised` (the inverse of ``advertised(_:)``), for a public
    /// IP mapped to one private address; other addresses unchanged.
    public func bound(_ advertised: TransportAddress) -> TransportAddress {
        guard let mapping = self.mappings.first(where: { $0.publicIP == advertised.ip }),
            let privateIP = mapping.privateIP
        else {
            return advertised
        }
        return TransportAddress(ip: privateIP, port: advertised.port)
    }

    /// The public IP of `family` (`.ipv4` first for the ICE servers handed out), if one is mapped.
    public func publicIP(family: STUNAddressFamily) -> TransportAddress.IP? {
        self.mappings.first { Self.family($0.publicIP) == family }?.publicIP
    }

    /// The mapping of `family` that names a private address, if any.
    public func privateIP(family: STUNAddressFamily) -> TransportAddress.IP? {
        self.mappings.first { Self.family($0.publicIP) == family }?.privateIP
    }

    /// The private addresses named in the mappings that are none of `hostIPs`: relays never bind them, so those
    /// mappings would never apply (checked at start against the interface addresses, under a wildcard listener).
    public func privateIPs(missingFrom hostIPs: [TransportAddress.IP]) -> [TransportAddress.IP] {
        self.mappings.compactMap(\.privateIP).filter { !hostIPs.contains($0) }
    }

    private func mapping(forPrivate ip: TransportAddress.IP) -> Mapping? {
        self.mappings.first { mapping in
            if let privateIP = mapping.privateIP {
                return privateIP == ip
            }
            return Self.family(mapping.publicIP) == Self.family(ip)
        }
    }

    /// The address family of `ip`.
    public static func family(_ ip: TransportAddress.IP) -> STUNAddressFamily {
        TransportAddress(ip: ip, port: 0).family
    }

    private static func isUnspecified(_ ip: TransportAddress.IP) -> Bool {
        ip == .v4(0) || ip == .v6(0, 0)
    }
}
