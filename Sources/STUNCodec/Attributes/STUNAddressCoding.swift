import NIOCore

/// The value layout shared by MAPPED-ADDRESS-style and XOR-MAPPED-ADDRESS-style attributes. RFC 8489 §14.1, §14.2.
///
/// ```
///  0                   1                   2                   3
///  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
/// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
/// |0 0 0 0 0 0 0 0|    Family     |         (X-)Port              |
/// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
/// |                 (X-)Address (32 bits or 128 bits)             |
/// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
/// ```
///
/// The XOR form (RFC 8489 §14.2) XORs the port with the top 16 bits of the magic cookie, an IPv4 address with the
/// magic cookie, and an IPv6 address with the magic cookie followed by the transaction ID.
@usableFromInline
internal enum STUNAddressCoding {
    /// Decodes an address value; XOR-decodes it when `transactionID` is given.
    static func decode(
        _ value: ByteBuffer,
        type: STUNAttributeType,
        xorWith transactionID: STUNTransactionID?
    ) throws(STUNCodecError) -> TransportAddress {
        guard
            let (_, familyByte, rawPort) = value.getMultipleIntegers(
                at: value.readerIndex,
                as: (UInt8, UInt8, UInt16).self
            )
        else {
            throw .invalidAttributeValue(type)
        }
        let port = transactionID == nil ? rawPort : rawPort ^ UInt16(truncatingIfNeeded: STUNMessage.magicCookie >> 16)
        switch STUNAddressFamily(rawValue: familyByte) {
        case .ipv4:
            guard value.readableBytes == 8, let raw = value.getInteger(at: value.readerIndex + 4, as: UInt32.self)
            else {
                throw .invalidAttributeValue(type)
            }
            let ip = transactionID == nil ? raw : raw ^ STUNMessage.magicCookie
            return TransportAddress(ip: .v4(ip), port: port)
        case .ipv6:
            guard value.readableBytes == 20,
                let (rawHigh, rawLow) = value.getMultipleIntegers(
                    at: value.readerIndex + 4,
                    as: (UInt64, UInt64).self
                )
            else {
                throw .invalidAttributeValue(type)
            }
            guard let transactionID else {
                return TransportAddress(ip: .v6(rawHigh, rawLow), port: port)
            }
            let (maskHigh, maskLow) = Self.ipv6Mask(transactionID)
            return TransportAddress(ip: .v6(rawHigh ^ maskHigh, rawLow ^ maskLow), port: port)
        case .none:
            throw .unsupportedAddressFamily(type)
        }
    }

    /// Encodes an address value; XOR-encodes it when `transactionID` is given.
    static func encode(
        _ address: TransportAddress,
        into buffer: inout ByteBuffer,
        xorWith transactionID: STUNTransactionID?
    ) {
        let port =
            transactionID == nil
            ? address.port : address.port ^ UInt16(truncatingIfNeeded: STUNMessage.magicCookie >> 16)
        switch address.ip {
        case .v4(let ip):
            let value = transactionID == nil ? ip : ip ^ STUNMessage.magicCookie
            buffer.writeMultipleIntegers(UInt8(0), STUNAddressFamily.ipv4.rawValue, port, value)
        case .v6(let high, let low):
            var (maskHigh, maskLow): (UInt64, UInt64) = (0, 0)
            if let transactionID {
                (maskHigh, maskLow) = Self.ipv6Mask(transactionID)
            }
            buffer.writeMultipleIntegers(
                UInt8(0),
                STUNAddressFamily.ipv6.rawValue,
                port,
                high ^ maskHigh,
                low ^ maskLow
            )
        }
    }

    /// The magic cookie followed by the transaction ID, as two 64-bit words.
    private static func ipv6Mask(_ transactionID: STUNTransactionID) -> (UInt64, UInt64) {
        (UInt64(STUNMessage.magicCookie) << 32 | UInt64(transactionID.high), transactionID.low)
    }
}
