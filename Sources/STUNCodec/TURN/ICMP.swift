import NIOCore

/// RFC 8656 §18.13 ICMP: an ICMP error the server received for relayed traffic, forwarded in a Data indication.
///
/// ```
///  0                   1                   2                   3
///  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
/// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
/// |  Reserved                     |  ICMP Type  |  ICMP Code      |
/// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
/// |                          Error Data                           |
/// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
/// ```
///
/// Following the figure, the type takes the top 7 bits and the code the low 9 bits of the second 16-bit word.
public struct ICMP: STUNAttributeDecodable, STUNAttributeEncodable, Hashable, Sendable {
    /// The attribute type this codec reads and writes.
    public static var attributeType: STUNAttributeType { .icmp }

    /// The ICMP (or ICMPv6) type, 0–127.
    public var type: UInt8
    /// The ICMP (or ICMPv6) code, 0–511.
    public var code: UInt16
    /// The error data (the next-hop MTU for "packet too big" / "fragmentation needed", otherwise zero).
    public var errorData: UInt32

    /// Creates the attribute. Values wider than the fields are truncated when encoding.
    public init(type: UInt8, code: UInt16, errorData: UInt32 = 0) {
        self.type = type
        self.code = code
        self.errorData = errorData
    }

    /// Rejects any length other than 8; ignores the reserved bits.
    public init(decoding value: ByteBuffer, transactionID: STUNTransactionID) throws(STUNCodecError) {
        guard value.readableBytes == 8,
            let (_, typeAndCode, errorData) = value.getMultipleIntegers(
                at: value.readerIndex,
                as: (UInt16, UInt16, UInt32).self
            )
        else {
            throw .invalidAttributeValue(Self.attributeType)
        }
        self.type = UInt8(typeAndCode >> 9)
        self.code = typeAndCode & 0x01FF
        self.errorData = errorData
    }

    /// Writes the value bytes; ``STUNMessageWriter`` adds the TLV header and the padding.
    public func encode(into buffer: inout ByteBuffer, transactionID: STUNTransactionID) {
        let typeAndCode = (UInt16(self.type & 0x7F) << 9) | (self.code & 0x01FF)
        buffer.writeMultipleIntegers(UInt16(0), typeAndCode, self.errorData)
    }
}
