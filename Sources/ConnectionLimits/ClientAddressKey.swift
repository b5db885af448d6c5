import NIOCore

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Whom a connection counts against in a per-address cap: an IPv4 address, or the /64 prefix of an IPv6 address
/// (what one subscriber is usually handed, RFC 6177 §3, so a host cannot multiply its share by picking addresses).
/// An IPv4-mapped IPv6 address (`::ffff:192.0.2.1`, a dual-stack socket) counts as its IPv4 address.
public struct ClientAddressKey: Hashable, Sendable, CustomStringConvertible {
    /// The significant bytes: 4 for IPv4, the first 8 for IPv6.
    let bytes: [UInt8]

    /// The key of `address`; nil for an address without an IP (a Unix socket).
    public init?(_ address: SocketAddress?) {
        switch address {
        case .v4(let v4):
            // sin_addr follows the family and the port in every sockaddr_in layout.
            self.init(bytes: withUnsafeBytes(of: v4.address) { Array($0[4..<8]) })
        case .v6(let v6):
            // sin6_addr follows the family, the port and the flow label.
            let raw = withUnsafeBytes(of: v6.address) { Array($0[8..<24]) }
            self.init(ipv6: raw)
        default:
            return nil
        }
    }

    /// The key of a 16-byte IPv6 address.
    init(ipv6 raw: [UInt8]) {
        precondition(raw.count == 16, "an IPv6 address has 16 bytes")
        let mappedPrefix: [UInt8] = [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xFF, 0xFF]
        self.init(bytes: Array(raw[0..<12]) == mappedPrefix ? Array(raw[12..<16]) : Array(raw[0..<8]))
    }

    private init(bytes: [UInt8]) {
        self.bytes = bytes
    }

    /// `192.0.2.1` or `2001:db8:0:1::/64`.
    public var description: String {
        if self.bytes.count == 4 {
            return self.bytes.map(String.init).joined(separator: ".")
        }
        let groups = stride(from: 0, to: 8, by: 2).map {
            String(UInt16(self.bytes[$0]) << 8 | UInt16(self.bytes[$0 + 1]), radix: 16)
        }
        return groups.joined(separator: ":") + "::/64"
    }
}
