import NIOCore

extension TransportAddress.IP {
    /// Parses an IPv4 or IPv6 address literal (`192.0.2.1`, `2001:db8::1`); `nil` for anything else (a host name,
    /// brackets, a port). An IPv4-mapped IPv6 address stays IPv6.
    public init?(_ text: String) {
        guard let address = (try? SocketAddress(ipAddress: text, port: 0)).flatMap(TransportAddress.init) else {
            return nil
        }
        self = address.ip
    }

    /// The address the way operators write it: `192.0.2.1` or `2001:db8::1` (RFC 5952).
    public var text: String {
        TransportAddress(ip: self, port: 0).ipDescription
    }

    /// Whether this is `0.0.0.0` or `::`, the address a listener binds for every interface.
    public var isUnspecified: Bool {
        self == .v4(0) || self == .v6(0, 0)
    }
}
