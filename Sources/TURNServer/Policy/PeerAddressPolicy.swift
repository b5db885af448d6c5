import STUNCodec

/// Which peers an allocation may reach: deny by default everything that is not a public unicast address.
/// RFC 8656 §9 (a server can refuse a CreatePermission or ChannelBind for a peer with 403) and §21 (a TURN server
/// must not become an open relay into networks it can reach and its clients cannot, such as its own loopback or
/// private networks).
///
/// `check(_:isLiveRelayAddress:)` decides, in this order:
///
/// 1. The peer's address is canonicalised (``canonicalize(_:)``): IPv4-mapped IPv6 (`::ffff:a.b.c.d`) and the NAT64
///    well-known prefix (`64:ff9b::a.b.c.d`, RFC 6052) become the IPv4 address they reach, so `::ffff:127.0.0.1`
///    is loopback and `::ffff:0.0.0.0` unspecified (coturn's GHSA-w4hf-cr3w-6h79, CVE-2020-26262).
/// 2. A peer whose IP:port is one of the server's listening sockets is always denied (`server_address`), even if
///    allow-listed or a relay address: relaying into our own listener would let a client talk to the server from a
///    relay address (nested allocations, request loops). The unspecified address on a listening port, and a
///    loopback or server IP on the port of a wildcard (`0.0.0.0`, `::`) listening socket, count as listening
///    sockets too, since datagrams sent there reach the listener.
/// 3. A live relay address of this server is allowed, even on loopback or a private network: two members of a room
///    relayed by the same server must reach each other (coturn and pion allow this hairpin as well).
/// 4. The deny list wins (`deny_list`), then the allow list (which overrides everything below).
/// 5. Another port of one of the server's own IPs is denied (`server_address`).
/// 6. The built-in denials below; anything else is allowed.
///
/// A list entry matches when it contains the peer's IP as given or in canonical form.
///
/// Permissions are per IP (RFC 8656 §9), but rules 2 and 3 depend on the port. So a permission for one of the
/// server's own IPs (``isServerIP(_:)``) is a hairpin permission: the relay checks every datagram sent to or
/// received from that IP against this policy again, with the actual port, so that a permission obtained for
/// another allocation's relay address never opens the server's other ports.
///
/// Built-in denials:
///
/// | Reason | IPv4 | IPv6 |
/// |---|---|---|
/// | `unspecified` | 0.0.0.0/8 | ::/128 |
/// | `loopback` | 127.0.0.0/8 | ::1/128 |
/// | `link_local` | 169.254.0.0/16 | fe80::/10 |
/// | `unique_local` | | fc00::/7 |
/// | `private` | 10.0.0.0/8, 172.16.0.0/12, 192.168.0.0/16 | |
/// | `cgnat` | 100.64.0.0/10 | |
/// | `multicast` | 224.0.0.0/4 | ff00::/8 |
/// | `documentation` | 192.0.2.0/24, 198.51.100.0/24, 203.0.113.0/24 | 2001:db8::/32, 3fff::/20 |
/// | `reserved` | 240.0.0.0/4, 192.0.0.0/24, 198.18.0.0/15, 192.88.99.0/24 | see below |
///
/// IPv4 `reserved`: 240.0.0.0/4 (future use, with the broadcast 255.255.255.255), 192.0.0.0/24 (IETF protocol
/// assignments), 198.18.0.0/15 (benchmarking), 192.88.99.0/24 (the deprecated 6to4 relay anycast).
///
/// IPv6 `reserved`: the rest of ::/8 (IPv4-compatible ::/96, SIIT ::ffff:0:0:0/96, local-use NAT64 64:ff9b:1::/48:
/// forms that embed an IPv4 address but are not canonicalised, so they cannot smuggle one past the IPv4 rules),
/// 100::/64 (discard-only), 2001::/32 (Teredo), 2001:2::/48 (benchmarking), 2001:10::/28 and 2001:20::/28 (ORCHID),
/// 2002::/16 (6to4, deprecated by RFC 7526; it embeds an IPv4 address too), fec0::/10 (site-local, deprecated by
/// RFC 3879), and everything outside the global unicast block 2000::/3 not listed above.
///
/// RFC 1918 and CGNAT ranges are denied too, unlike coturn's default: a relay on a cloud host would otherwise reach
/// its VPC. Loopback tests put `127.0.0.0/8` in the allow list, the equivalent of coturn's `allow-loopback-peers`.
public struct PeerAddressPolicy: Sendable {
    /// The decision for one peer.
    public enum Verdict: Equatable, Sendable {
        case allowed
        case denied(reason: DenyReason)
    }

    /// Why a peer was denied (the raw values are log and metric labels).
    public enum DenyReason: String, Sendable, CaseIterable {
        case loopback
        case unspecified
        case linkLocal = "link_local"
        case uniqueLocal = "unique_local"
        case privateNetwork = "private"
        case sharedAddressSpace = "cgnat"
        case multicast
        case reserved
        case documentation
        case serverAddress = "server_address"
        case denyList = "deny_list"
    }

    private let allow: [IPAddressRange]
    private let deny: [IPAddressRange]
    /// Concrete (non-wildcard) listening sockets, canonical.
    private let listeningSockets: Set<TransportAddress>
    /// Ports of every listening socket.
    private let listeningPorts: Set<UInt16>
    /// Ports of wildcard listening sockets (`0.0.0.0`, `::`).
    private let wildcardPorts: Set<UInt16>
    /// IPs of the concrete listening sockets, canonical.
    private let serverIPs: Set<TransportAddress.IP>

    /// Creates a policy.
    ///
    /// - Parameters:
    ///   - allow: explicit allow list: wins over the built-in denials and the server-IP rule, not over `deny`.
    ///   - deny: explicit deny list: wins over everything except the relay-address and listening-socket rules.
    ///   - serverAddresses: the server's listening sockets. Pass every concrete address they are reachable at
    ///     (wildcard binds expanded to the interface addresses, plus any announced external address): a peer with one
    ///     of these IPs is denied unless allow-listed, and a peer at one of these IP:ports always.
    ///   - otherServerIPs: the host's other own IPs (every interface address, relay addresses, announced external
    ///     addresses): denied like the IPs of `serverAddresses` and checked per datagram (``isServerIP(_:)``).
    public init(
        allow: [IPAddressRange],
        deny: [IPAddressRange],
        serverAddresses: [TransportAddress],
        otherServerIPs: [TransportAddress.IP] = []
    ) {
        self.allow = allow
        self.deny = deny
        var listeningSockets = Set<TransportAddress>()
        var listeningPorts = Set<UInt16>()
        var wildcardPorts = Set<UInt16>()
        var serverIPs = Set<TransportAddress.IP>()
        for address in serverAddresses.map(Self.canonicalize) {
            listeningPorts.insert(address.port)
            if Self.isUnspecified(address.ip) {
                wildcardPorts.insert(address.port)
            } else {
                listeningSockets.insert(address)
                serverIPs.insert(address.ip)
            }
        }
        for ip in otherServerIPs {
            serverIPs.insert(Self.canonicalize(TransportAddress(ip: ip, port: 0)).ip)
        }
        self.listeningSockets = listeningSockets
        self.listeningPorts = listeningPorts
        self.wildcardPorts = wildcardPorts
        self.serverIPs = serverIPs
    }

    /// Decides whether an allocation may send to `peer` (see the type's documentation for the order of the rules).
    ///
    /// - Parameters:
    ///   - peer: the XOR-PEER-ADDRESS of a CreatePermission, ChannelBind or Send. Only the IP matters, except for
    ///     the listening-socket and relay-address rules, which look at IP and port.
    ///   - isLiveRelayAddress: whether this exact IP:port is a live relay address of this server (look it up with
    ///     the canonical form, ``canonicalize(_:)``).
    public func check(_ peer: TransportAddress, isLiveRelayAddress: Bool) -> Verdict {
        let canonical = Self.canonicalize(peer)
        if self.isListeningSocket(canonical) {
            return .denied(reason: .serverAddress)
        }
        if isLiveRelayAddress {
            return .allowed
        }
        if Self.matches(self.deny, peer.ip, canonical.ip) {
            return .denied(reason: .denyList)
        }
        if Self.matches(self.allow, peer.ip, canonical.ip) {
            return .allowed
        }
        if self.serverIPs.contains(canonical.ip) {
            return .denied(reason: .serverAddress)
        }
        if let reason = Self.builtInDenial(for: canonical.ip) {
            return .denied(reason: reason)
        }
        return .allowed
    }

    /// `address` with IPv4-mapped IPv6 (`::ffff:a.b.c.d`, RFC 4291 §2.5.5.2) and NAT64 well-known-prefix
    /// (`64:ff9b::a.b.c.d`, RFC 6052 §2.1) addresses turned into the IPv4 address they reach; other addresses
    /// unchanged.
    public static func canonicalize(_ address: TransportAddress) -> TransportAddress {
        guard case .v6(let high, let low) = address.ip, (high == 0 && low >> 32 == 0xFFFF) || Self.isNAT64(high, low)
        else {
            return address
        }
        return TransportAddress(ip: .v4(UInt32(truncatingIfNeeded: low)), port: address.port)
    }

    /// The built-in reason to deny `ip` (taken as given: canonicalise first), or `nil` for a public unicast address.
    public static func builtInDenial(for ip: TransportAddress.IP) -> DenyReason? {
        for (range, reason) in Self.builtInDenials where range.contains(ip) {
            return reason
        }
        if case .v6(let high, _) = ip, high >> 61 != 0b001 {
            // Outside 2000::/3, the only block IANA allocates global unicast addresses from.
            return .reserved
        }
        return nil
    }

    // MARK: - Private

    /// The built-in denials, most specific first where ranges nest (::/128 and ::1/128 inside ::/8).
    private static let builtInDenials: [(IPAddressRange, DenyReason)] = {
        let table: [(String, DenyReason)] = [
            // IPv4
            ("0.0.0.0/8", .unspecified),
            ("127.0.0.0/8", .loopback),
            ("169.254.0.0/16", .linkLocal),
            ("10.0.0.0/8", .privateNetwork),
            ("172.16.0.0/12", .privateNetwork),
            ("192.168.0.0/16", .privateNetwork),
            ("100.64.0.0/10", .sharedAddressSpace),
            ("224.0.0.0/4", .multicast),
            ("240.0.0.0/4", .reserved),
            ("192.0.0.0/24", .reserved),
            ("198.18.0.0/15", .reserved),
            ("192.88.99.0/24", .reserved),
            ("192.0.2.0/24", .documentation),
            ("198.51.100.0/24", .documentation),
            ("203.0.113.0/24", .documentation),
            // IPv6
            ("::/128", .unspecified),
            ("::1/128", .loopback),
            ("::/8", .reserved),
            ("100::/64", .reserved),
            ("2001::/32", .reserved),
            ("2001:2::/48", .reserved),
            ("2001:10::/28", .reserved),
            ("2001:20::/28", .reserved),
            ("2001:db8::/32", .documentation),
            ("2002::/16", .reserved),
            ("3fff::/20", .documentation),
            ("fe80::/10", .linkLocal),
            ("fec0::/10", .reserved),
            ("fc00::/7", .uniqueLocal),
            ("ff00::/8", .multicast),
        ]
        return table.map { text, reason in (IPAddressRange(text)!, reason) }
    }()

    private static func isNAT64(_ high: UInt64, _ low: UInt64) -> Bool {
        high == 0x0064_FF9B_0000_0000 && low >> 32 == 0
    }

    private static func isUnspecified(_ ip: TransportAddress.IP) -> Bool {
        ip == .v4(0) || ip == .v6(0, 0)
    }

    /// 0.0.0.0/8: Linux delivers datagrams sent to any of them to the host itself.
    private static func isThisHostIPv4(_ ip: TransportAddress.IP) -> Bool {
        if case .v4(let value) = ip {
            return value >> 24 == 0
        }
        return false
    }

    private static func isLoopback(_ ip: TransportAddress.IP) -> Bool {
        switch ip {
        case .v4(let value): return value >> 24 == 127
        case .v6(let high, let low): return high == 0 && low == 1
        }
    }

    private func isListeningSocket(_ peer: TransportAddress) -> Bool {
        if self.listeningSockets.contains(peer) {
            return true
        }
        if Self.isUnspecified(peer.ip) && self.listeningPorts.contains(peer.port) {
            return true
        }
        return self.wildcardPorts.contains(peer.port)
            && (Self.isLoopback(peer.ip) || self.serverIPs.contains(peer.ip))
    }

    /// Whether datagrams sent to `ip` reach this host: one of its own addresses (listening, relay, interface or
    /// announced external addresses), any loopback address or the unspecified address, in any IPv4-mapped form.
    /// Permissions for such an IP are checked per datagram (see the type's documentation).
    public func isServerIP(_ ip: TransportAddress.IP) -> Bool {
        let canonical = Self.canonicalize(TransportAddress(ip: ip, port: 0)).ip
        return Self.isLoopback(canonical) || Self.isUnspecified(canonical) || Self.isThisHostIPv4(canonical)
            || self.serverIPs.contains(canonical)
    }

    private static func matches(
        _ ranges: [IPAddressRange],
        _ ip: TransportAddress.IP,
        _ canonical: TransportAddress.IP
    ) -> Bool {
        ranges.contains { range in range.contains(ip) || range.contains(canonical) }
    }
}
