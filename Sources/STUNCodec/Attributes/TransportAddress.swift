import NIOCore

#if canImport(Darwin)
import Darwin
#elseif canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// An IP address and port, as carried by the STUN/TURN address attributes. RFC 8489 §14.1.
///
/// A small value type and a cheap dictionary key: IPv4 is stored as its 32-bit big-endian numeric value
/// (192.0.2.1 is `0xC000_0201`), IPv6 as two `UInt64`s (the high and low 64 bits, big-endian numeric values).
public struct TransportAddress: Hashable, Sendable, CustomStringConvertible {
    /// An IPv4 or IPv6 address.
    public enum IP: Hashable, Sendable {
        /// An IPv4 address as its 32-bit numeric value (`0xC000_0201` is 192.0.2.1).
        case v4(UInt32)
        /// An IPv6 address as its high and low 64 bits (`2001:db8::1` is `(0x2001_0DB8_0000_0000, 1)`).
        case v6(UInt64, UInt64)
    }

    /// The IP address.
    public var ip: IP
    /// The port.
    public var port: UInt16

    /// Creates a transport address.
    @inlinable
    public init(ip: IP, port: UInt16) {
        self.ip = ip
        self.port = port
    }

    /// Converts a NIO socket address; `nil` for a Unix domain socket.
    ///
    /// IPv4-mapped IPv6 addresses (`::ffff:a.b.c.d`, as a dual-stack socket reports IPv4 peers) stay IPv6; use
    /// ``unmappingIPv4()`` to turn them into IPv4.
    public init?(_ socketAddress: SocketAddress) {
        let converted: TransportAddress?
        switch socketAddress {
        case .v4(let v4):
            converted = withUnsafeBytes(of: v4.address) { TransportAddress(sockaddr: $0) }
        case .v6(let v6):
            converted = withUnsafeBytes(of: v6.address) { TransportAddress(sockaddr: $0) }
        case .unixDomainSocket:
            converted = nil
        }
        guard let converted else {
            return nil
        }
        self = converted
    }

    /// Reads a `sockaddr_in` or `sockaddr_in6` (as filled in by `recvmsg`), chosen by its family field; `nil` for
    /// another family or too few bytes.
    ///
    /// The sockaddr fields are read at their POSIX offsets rather than by name: the field accessors belong to a
    /// C module of swift-nio that this target does not import. Linux and BSD agree on these offsets (BSD splits
    /// the 2-byte family into length + family).
    public init?(sockaddr raw: UnsafeRawBufferPointer) {
        guard raw.count >= 2 else {
            return nil
        }
        #if canImport(Darwin)
        let family = CInt(raw[1])
        #else
        let family = CInt(raw.loadUnaligned(as: UInt16.self))
        #endif
        let port = { UInt16(bigEndian: raw.loadUnaligned(fromByteOffset: Self.portOffset, as: UInt16.self)) }
        switch family {
        case AF_INET where raw.count >= MemoryLayout<sockaddr_in>.size:
            let ip = UInt32(bigEndian: raw.loadUnaligned(fromByteOffset: Self.ipv4AddressOffset, as: UInt32.self))
            self.init(ip: .v4(ip), port: port())
        case AF_INET6 where raw.count >= MemoryLayout<sockaddr_in6>.size:
            let high = UInt64(bigEndian: raw.loadUnaligned(fromByteOffset: Self.ipv6AddressOffset, as: UInt64.self))
            let low = UInt64(bigEndian: raw.loadUnaligned(fromByteOffset: Self.ipv6AddressOffset + 8, as: UInt64.self))
            self.init(ip: .v6(high, low), port: port())
        default:
            return nil
        }
    }

    /// The NIO socket address for this transport address (its `host` is empty; no name lookup is done).
    public func makeSocketAddress() -> SocketAddress {
        switch self.ip {
        case .v4(let ip):
            return SocketAddress(self.makeSockaddrIn(ip), host: "")
        case .v6(let high, let low):
            return SocketAddress(self.makeSockaddrIn6(high, low), host: "")
        }
    }

    /// Calls `body` with this address as a `sockaddr_in` or `sockaddr_in6` on the stack and its length, for system
    /// calls such as `sendmsg`.
    public func withSockaddr<Result>(_ body: (UnsafeRawPointer, socklen_t) -> Result) -> Result {
        switch self.ip {
        case .v4(let ip):
            let address = self.makeSockaddrIn(ip)
            return withUnsafeBytes(of: address) { body($0.baseAddress!, socklen_t($0.count)) }
        case .v6(let high, let low):
            let address = self.makeSockaddrIn6(high, low)
            return withUnsafeBytes(of: address) { body($0.baseAddress!, socklen_t($0.count)) }
        }
    }

    private func makeSockaddrIn(_ ip: UInt32) -> sockaddr_in {
        self.makeSockaddr(sockaddr_in.self, family: AF_INET) { raw in
            raw.storeBytes(of: ip.bigEndian, toByteOffset: Self.ipv4AddressOffset, as: UInt32.self)
        }
    }

    private func makeSockaddrIn6(_ high: UInt64, _ low: UInt64) -> sockaddr_in6 {
        self.makeSockaddr(sockaddr_in6.self, family: AF_INET6) { raw in
            raw.storeBytes(of: high.bigEndian, toByteOffset: Self.ipv6AddressOffset, as: UInt64.self)
            raw.storeBytes(of: low.bigEndian, toByteOffset: Self.ipv6AddressOffset + 8, as: UInt64.self)
        }
    }

    /// Offset of `sin_port` / `sin6_port`.
    private static let portOffset = 2
    /// Offset of `sin_addr`.
    private static let ipv4AddressOffset = 4
    /// Offset of `sin6_addr` (after the port and the 4-byte flow info).
    private static let ipv6AddressOffset = 8

    /// A zeroed sockaddr of type `T` with the family and port set, and the address written by `writeAddress`.
    private func makeSockaddr<T>(
        _ type: T.Type,
        family: Int32,
        writeAddress: (UnsafeMutableRawBufferPointer) -> Void
    ) -> T {
        withUnsafeTemporaryAllocation(
            byteCount: MemoryLayout<T>.size,
            alignment: MemoryLayout<T>.alignment
        ) { raw in
            raw.initializeMemory(as: UInt8.self, repeating: 0)
            #if canImport(Darwin)
            raw.storeBytes(of: UInt8(MemoryLayout<T>.size), toByteOffset: 0, as: UInt8.self)
            raw.storeBytes(of: UInt8(family), toByteOffset: 1, as: UInt8.self)
            #else
            raw.storeBytes(of: UInt16(family), toByteOffset: 0, as: UInt16.self)
            #endif
            raw.storeBytes(of: self.port.bigEndian, toByteOffset: Self.portOffset, as: UInt16.self)
            writeAddress(raw)
            return raw.load(as: T.self)
        }
    }

    /// The address family.
    @inlinable
    public var family: STUNAddressFamily {
        switch self.ip {
        case .v4: return .ipv4
        case .v6: return .ipv6
        }
    }

    /// Whether this is an IPv4-mapped IPv6 address (`::ffff:a.b.c.d`, RFC 4291 §2.5.5.2).
    @inlinable
    public var isIPv4Mapped: Bool {
        if case .v6(0, let low) = self.ip, low >> 32 == 0xFFFF {
            return true
        }
        return false
    }

    /// This address with an IPv4-mapped IPv6 address turned into plain IPv4; any other address unchanged.
    @inlinable
    public func unmappingIPv4() -> TransportAddress {
        guard self.isIPv4Mapped, case .v6(_, let low) = self.ip else {
            return self
        }
        return TransportAddress(ip: .v4(UInt32(truncatingIfNeeded: low)), port: self.port)
    }

    /// `192.0.2.1:32853` or `[2001:db8::1]:3478` (RFC 5952 text form).
    public var description: String {
        switch self.ip {
        case .v4:
            return "\(self.ipDescription):\(self.port)"
        case .v6:
            return "[\(self.ipDescription)]:\(self.port)"
        }
    }

    /// The address alone: `192.0.2.1` or `2001:db8::1` (RFC 5952: lowercase, longest zero run compressed).
    public var ipDescription: String {
        switch self.ip {
        case .v4(let ip):
            return Self.dottedQuad(ip)
        case .v6(let high, let low):
            if high == 0, low >> 32 == 0xFFFF {
                return "::ffff:" + Self.dottedQuad(UInt32(truncatingIfNeeded: low))
            }
            let groups: [UInt16] = (0..<8).map { index in
                let word = index < 4 ? high : low
                return UInt16(truncatingIfNeeded: word >> UInt64(48 - 16 * (index % 4)))
            }
            // RFC 5952 §4.2: compress the longest run (the first if tied) of two or more zero groups.
            var bestStart = -1
            var bestLength = 1
            var index = 0
            while index < 8 {
                if groups[index] == 0 {
                    var end = index
                    while end < 8 && groups[end] == 0 {
                        end += 1
                    }
                    if end - index > bestLength {
                        bestStart = index
                        bestLength = end - index
                    }
                    index = end
                } else {
                    index += 1
                }
            }
            func hex(_ range: Range<Int>) -> String {
                groups[range].map { String($0, radix: 16) }.joined(separator: ":")
            }
            if bestStart < 0 {
                return hex(0..<8)
            }
            return hex(0..<bestStart) + "::" + hex((bestStart + bestLength)..<8)
        }
    }

    private static func dottedQuad(_ ip: UInt32) -> String {
        "\(ip >> 24).\((ip >> 16) & 0xFF).\((ip >> 8) & 0xFF).\(ip & 0xFF)"
    }
}
