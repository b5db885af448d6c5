import NIOCore

/// RFC 8656 §18.6 REQUESTED-ADDRESS-FAMILY: the address family of the relayed address the client wants (one
/// byte, then 24 RFFU bits).
public struct RequestedAddressFamily: STUNAttributeDecodable, STUNAttributeEncodable, Hashable, Sendable {
    /// The attribute type this codec reads and writes.
    public static var attributeType: STUNAttributeType { .requestedAddressFamily }

    /// The address family.
    public var family: STUNAddressFamily

    /// Creates the attribute.
    public init(_ family: STUNAddressFamily) {
        self.family = family
    }

    /// Rejects any length other than 4 (invalid attribute value) and a family other than 0x01 or 0x02
    /// (STUNCodecError/unsupportedAddressFamily(_:), which RFC 8656 §7.2 answers with 440); ignores the RFFU bits.
    public init(decoding value: ByteBuffer, transactionID: STUNTransactionID) throws(STUNCodecError) {
        guard value.readableBytes == 4, let rawFamily = value.getInteger(at: value.readerIndex, as: UInt8.self) else {
            throw .invalidAttributeValue(Self.attributeType)
        }
        guard let family = STUNAddressFamily(rawValue: rawFamily) else {
            throw .unsupportedAddressFamily(Self.attributeType)
        }
        self.family = family
    }

    /// Writes the value bytes; ``STUNMessageWriter`` adds the TLV header and the padding.
    public func encode(into buffer: inout ByteBuffer, transactionID: STUNTransactionID) {
        buffer.writeMultipleIntegers(self.family.rawValue, UInt8(0), UInt16(0))
    }
}
