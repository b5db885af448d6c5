import STUNCodec

/// The host put in the `stun:` / `turn:` URLs handed to a client (on join and at `GET /api/ice-servers`).
///
/// `ice.publicAddress` when set, else the public IPv4 (or IPv6) of `turn.relay.externalAddresses`. Otherwise the
/// host of the request's Host header, but only when it is one of this server's own names: a client must not be able to make the server hand out URLs pointing elsewhere (a forged
/// Host would otherwise be reflected into credentials other code trusts). Trusted are `localhost`, the loopback
/// addresses, the configured listening addresses that are not wildcards, the host's interface addresses and
/// `http.allowedHosts` (`"*"` trusts any). Any other Host gets `fallback`, the server's listening address.
struct HostAllowList: Sendable {
    let publicAddress: String?
    let allowsAny: Bool
    /// Lowercased names without a trailing dot.
    let names: Set<String>
    let addresses: Set<ClientAddress>
    let fallback: String

    init(publicAddress: String?, trusted: [String], fallback: String) {
        self.publicAddress = publicAddress
        self.allowsAny = trusted.contains("*")
        var names: Set<String> = []
        var addresses: Set<ClientAddress> = []
        for entry in trusted + ["localhost", "127.0.0.1", "::1"] + (publicAddress.map { [$0] } ?? []) {
            if let address = ClientAddress(entry) {
                addresses.insert(address)
            } else {
                names.insert(Self.normalized(entry))
            }
        }
        self.names = names
        self.addresses = addresses
        self.fallback = fallback
    }

    /// Trusts `*` alone: the Host of every request is used (tests of the URL format).
    static let anyHost = HostAllowList(publicAddress: nil, trusted: ["*"], fallback: "localhost")

    /// The server's own: `http.allowedHosts`, the non-wildcard listening addresses, the interface addresses.
    /// The fallback is the first STUN listening address that is not a wildcard, else `http.host` when it is not
    /// one, else the first interface address that is not loopback (IPv4 first), else 127.0.0.1.
    init(
        configuration: SwitchboardConfiguration,
        interfaceAddresses: [String]
    ) {
        let httpHost = configuration.http.host
        let listening =
            configuration.stun.addresses.filter { !$0.isUnspecified }.map(\.text)
            + (TransportAddress.IP(httpHost)?.isUnspecified == true ? [] : [httpHost])
        let interfaces = interfaceAddresses.filter { ClientAddress($0).map { !$0.isLoopback } ?? false }
        let isIPv4 = { (text: String) -> Bool in
            if case .v4 = TransportAddress.IP(text) { true } else { false }
        }
        let ipv4First = interfaces.filter(isIPv4) + interfaces.filter { !isIPv4($0) }
        self.init(
            publicAddress: configuration.ice.publicAddress ?? configuration.turn.externalHost,
            trusted: configuration.access.allowedHosts + listening + interfaceAddresses,
            fallback: listening.first ?? ipv4First.first ?? "127.0.0.1"
        )
    }

    /// The host for a request that named `authority` (`host`, `host:port`, `[v6]:port`) in its Host header.
    func host(forAuthority authority: String?) -> String {
        if let publicAddress = self.publicAddress {
            return publicAddress
        }
        guard let host = authority.flatMap(Self.hostname(ofAuthority:)), Self.isPlausibleHost(host) else {
            return self.fallback
        }
        if self.allowsAny {
            return host
        }
        if let address = ClientAddress(host) {
            return self.addresses.contains(address) ? host : self.fallback
        }
        return self.names.contains(Self.normalized(host)) ? host : self.fallback
    }

    /// The host part of an HTTP authority: `example.org:3000` → `example.org`, `[::1]:3000` → `::1`.
    static func hostname(ofAuthority authority: String) -> String? {
        guard !authority.isEmpty else {
            return nil
        }
        if authority.hasPrefix("["), let close = authority.firstIndex(of: "]") {
            return String(authority[authority.index(after: authority.startIndex)..<close])
        }
        if let colon = authority.lastIndex(of: ":"), authority.firstIndex(of: ":") == colon {
            return String(authority[..<colon])
        }
        return authority
    }

    /// Letters, digits, '.', '-', '_' and ':' (IPv6) only: nothing that could end or extend a URL.
    static func isPlausibleHost(_ host: String) -> Bool {
        !host.isEmpty && host.count <= 253
            && host.unicodeScalars.allSatisfy {
                $0.isASCII && ($0.properties.isAlphabetic || "0123456789.-_:".unicodeScalars.contains($0))
            }
    }

    private static func normalized(_ name: String) -> String {
        var lowered = name.lowercased()
        while lowered.hasSuffix(".") {
            lowered.removeLast()
        }
        return lowered
    }
}
