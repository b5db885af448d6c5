import Glibc
import LoadGeneratorSupport

/// A transport address as XOR-MAPPED-ADDRESS carries it, compared in network byte order.
struct MappedAddress: Equatable {
    /// The STUN address family: 0x01 IPv4, 0x02 IPv6.
    var family: UInt8
    /// The port, network byte order.
    var port: UInt16
    /// Address bytes 0..<8 (IPv4: the 4 bytes, zero extended).
    var high: UInt64
    /// Address bytes 8..<16 (IPv4: zero).
    var low: UInt64

    /// The local address of socket `fd`, or `nil` if it has none.
    init?(localAddressOf fd: Int32) {
        var storage = sockaddr_storage()
        var length = socklen_t(MemoryLayout<sockaddr_storage>.size)
        let status = withUnsafeMutablePointer(to: &storage) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) }
        }
        guard status == 0 else {
            return nil
        }
        switch Int32(storage.ss_family) {
        case AF_INET:
            let address = withUnsafeBytes(of: storage) { $0.load(as: sockaddr_in.self) }
            self.family = 0x01
            self.port = address.sin_port
            self.high = UInt64(address.sin_addr.s_addr)
            self.low = 0
        case AF_INET6:
            let address = withUnsafeBytes(of: storage) { $0.load(as: sockaddr_in6.self) }
            self.family = 0x02
            self.port = address.sin6_port
            (self.high, self.low) = withUnsafeBytes(of: address.sin6_addr) {
                (
                    $0.loadUnaligned(fromByteOffset: 0, as: UInt64.self),
                    $0.loadUnaligned(fromByteOffset: 8, as: UInt64.self)
                )
            }
        default:
            return nil
        }
    }

    /// Decodes an XOR-MAPPED-ADDRESS value (RFC 8489 §14.2) of a message whose header is `header`.
    ///
    /// XOR with the magic cookie and transaction id is done on the raw bytes: header bytes 4..<20 are the cookie
    /// followed by the id, exactly the mask the attribute uses.
    init?(xorMappedValue value: UnsafeRawBufferPointer, header: UnsafeRawBufferPointer) {
        guard value.count >= 8 else {
            return nil
        }
        self.family = value[1]
        self.port =
            value.loadUnaligned(fromByteOffset: 2, as: UInt16.self)
            ^ header.loadUnaligned(fromByteOffset: 4, as: UInt16.self)
        switch self.family {
        case 0x01 where value.count == 8:
            let address =
                value.loadUnaligned(fromByteOffset: 4, as: UInt32.self)
                ^ header.loadUnaligned(fromByteOffset: 4, as: UInt32.self)
            self.high = UInt64(address)
            self.low = 0
        case 0x02 where value.count == 20:
            self.high =
                value.loadUnaligned(fromByteOffset: 4, as: UInt64.self)
                ^ header.loadUnaligned(fromByteOffset: 4, as: UInt64.self)
            self.low =
                value.loadUnaligned(fromByteOffset: 12, as: UInt64.self)
                ^ header.loadUnaligned(fromByteOffset: 12, as: UInt64.self)
        default:
            return nil
        }
    }
}

/// Checks a datagram received in answer to a Binding request.
enum BindingResponseValidator {
    /// Binding success response message type (method 0x001, class success).
    static let bindingSuccess: UInt16 = 0x0101
    /// XOR-MAPPED-ADDRESS attribute type.
    static let xorMappedAddressType: UInt16 = 0x0020

    /// The transaction id of `packet`, if it has a STUN header at all.
    static func transactionID(of packet: UnsafeRawBufferPointer) -> TransactionID? {
        guard packet.count >= 20, packet[0] & 0xC0 == 0,
            UInt32(bigEndian: packet.loadUnaligned(fromByteOffset: 4, as: UInt32.self))
                == BindingRequestEncoder.magicCookie
        else {
            return nil
        }
        return TransactionID(from: packet, at: 8)
    }

    /// Whether `packet` is a well-formed Binding success response whose XOR-MAPPED-ADDRESS is `expected`.
    static func isValid(_ packet: UnsafeRawBufferPointer, expected: MappedAddress) -> Bool {
        guard packet.count >= 20 else {
            return false
        }
        let type = UInt16(bigEndian: packet.loadUnaligned(fromByteOffset: 0, as: UInt16.self))
        let length = Int(UInt16(bigEndian: packet.loadUnaligned(fromByteOffset: 2, as: UInt16.self)))
        guard type == Self.bindingSuccess, length % 4 == 0, length + 20 == packet.count else {
            return false
        }
        let header = UnsafeRawBufferPointer(rebasing: packet[0..<20])
        var offset = 20
        while offset + 4 <= packet.count {
            let attributeType = UInt16(bigEndian: packet.loadUnaligned(fromByteOffset: offset, as: UInt16.self))
            let attributeLength = Int(
                UInt16(bigEndian: packet.loadUnaligned(fromByteOffset: offset + 2, as: UInt16.self))
            )
            let valueStart = offset + 4
            guard valueStart + attributeLength <= packet.count else {
                return false
            }
            if attributeType == Self.xorMappedAddressType {
                let value = UnsafeRawBufferPointer(rebasing: packet[valueStart..<(valueStart + attributeLength)])
                return MappedAddress(xorMappedValue: value, header: header) == expected
            }
            offset = valueStart + ((attributeLength + 3) & ~3)
        }
        return false
    }
}
