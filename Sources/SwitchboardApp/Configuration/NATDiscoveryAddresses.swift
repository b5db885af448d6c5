import NIOCore

/// The addresses of RFC 5780 NAT behaviour discovery, from `stun.alternateAddress` and `stun.alternatePort`,
/// checked against the other `stun.*` keys.
public struct NATDiscoveryAddresses: Hashable, Sendable {
    /// The primary IP: the first address of `stun.addresses` of the alternate's family that is not a wildcard.
    public var primaryAddress: String
    /// `stun.port`.
    public var port: Int
    /// `stun.alternateAddress`; nil when empty.
    public var alternateAddress: String?
    /// `stun.alternatePort`; nil when 0.
    public var alternatePort: Int?

    /// Nil when neither key is set; otherwise the addresses, or an error naming the key at fault.
    static func resolve(
        values: [String: (value: ConfigurationValue, origin: ConfigurationOrigin)]
    ) throws(ConfigurationError) -> NATDiscoveryAddresses? {
        guard case .string(let alternate) = values["stun.alternateAddress"]?.value,
            case .integer(let alternatePort) = values["stun.alternatePort"]?.value,
            case .integer(let port) = values["stun.port"]?.value,
            case .stringList(let addresses) = values["stun.addresses"]?.value,
            case .boolean(let udp) = values["stun.udp"]?.value
        else {
            return nil
        }
        guard !alternate.isEmpty || alternatePort != 0 else {
            return nil
        }
        let key = alternate.isEmpty ? "stun.alternatePort" : "stun.alternateAddress"
        func failure(_ message: String) -> ConfigurationError {
            ConfigurationError(key: key, origin: values[key]?.origin ?? .defaultValue, message: message)
        }
        guard udp else {
            throw failure("needs stun.udp on (RFC 5780 discovery is over UDP)")
        }
        guard port != 0 else {
            throw failure("needs a fixed stun.port, not 0")
        }
        guard alternatePort != port else {
            throw ConfigurationError(
                key: "stun.alternatePort",
                origin: values["stun.alternatePort"]?.origin ?? .defaultValue,
                message: "must differ from stun.port"
            )
        }
        var family: Int32?
        if !alternate.isEmpty {
            guard let parsed = try? SocketAddress(ipAddress: alternate, port: 0), !Self.isWildcard(parsed) else {
                throw failure("must be one IP address of this host, not a wildcard")
            }
            family = parsed.protocol.rawValue
        }
        let primary = addresses.first { text in
            guard let parsed = try? SocketAddress(ipAddress: text, port: 0) else {
                return false
            }
            return !Self.isWildcard(parsed) && (family == nil || parsed.protocol.rawValue == family)
                && parsed.ipAddress != (try? SocketAddress(ipAddress: alternate, port: 0))?.ipAddress
        }
        guard let primary else {
            throw failure(
                "needs a primary: an address in stun.addresses, not a wildcard"
                    + (alternate.isEmpty ? "" : ", of the same family and other than the alternate")
            )
        }
        return NATDiscoveryAddresses(
            primaryAddress: primary,
            port: port,
            alternateAddress: alternate.isEmpty ? nil : alternate,
            alternatePort: alternatePort == 0 ? nil : alternatePort
        )
    }

    private static func isWildcard(_ address: SocketAddress) -> Bool {
        address.ipAddress == "0.0.0.0" || address.ipAddress == "::"
    }
}
