/// XOR-PEER-ADDRESS and XOR-RELAYED-ADDRESS values for IPv4 (RFC 8489 §14.2): the port XORed with the top 16
/// bits of the magic cookie, the address with the whole cookie.
package enum XORAddress {
    /// The attribute value for `address` and `port`, both in host byte order.
    package static func encodeIPv4(address: UInt32, port: UInt16) -> [UInt8] {
        let xorPort = port ^ UInt16(STUNConstant.magicCookie >> 16)
        let xorAddress = address ^ STUNConstant.magicCookie
        return [
            0, 0x01, UInt8(xorPort >> 8), UInt8(truncatingIfNeeded: xorPort),
            UInt8(xorAddress >> 24), UInt8(truncatingIfNeeded: xorAddress >> 16),
            UInt8(truncatingIfNeeded: xorAddress >> 8), UInt8(truncatingIfNeeded: xorAddress),
        ]
    }

    /// The IPv4 address and port (host byte order) of an attribute value, or `nil` if it is not IPv4.
    package static func decodeIPv4(_ value: [UInt8]) -> (address: UInt32, port: UInt16)? {
        guard value.count == 8, value[1] == 0x01 else {
            return nil
        }
        let port = (UInt16(value[2]) << 8 | UInt16(value[3])) ^ UInt16(STUNConstant.magicCookie >> 16)
        let address =
            (UInt32(value[4]) << 24 | UInt32(value[5]) << 16 | UInt32(value[6]) << 8 | UInt32(value[7]))
            ^ STUNConstant.magicCookie
        return (address, port)
    }

    /// `a.b.c.d:port` for an address and port in host byte order.
    package static func describe(address: UInt32, port: UInt16) -> String {
        let octets = [24, 16, 8, 0].map { String(UInt8(truncatingIfNeeded: address >> UInt32($0))) }
        return octets.joined(separator: ".") + ":\(port)"
    }
}
