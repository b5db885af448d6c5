import NIOCore

/// RFC 8656 §18.8 REQUESTED-TRANSPORT: the transport protocol of the relayed address (an IANA protocol number),
/// followed by 24 RFFU bits.
public struct RequestedTransport: STUNAttributeDecodable, STUNAttributeEncodable, Hashable, Sendable {
    /// The attribute type this codec reads and writes.
    public static var attributeType: STUNAttributeType { .requestedTransport }

    /// UDP (17), the only transport RFC 8656 allocates.
    public static let udp = RequestedTransport(protocolNumber: 17)
    /// TCP (6), for RFC 6062 TCP allocations.
    public static let tcp = RequestedTransport(protocolNumber: 6)

    /// The IANA protocol number.
    public var protocolNumber: UInt8

    /// Creates the attribute.
    public init(protocolNumber: UInt8) {
        self.protocolNumber = protocolNumber
    }

    /// Rejects any length other than 4; ignores the RFFU bits.
    public init(decoding value: ByteBuffer, transactionID: STUNTransactionID) throws(STUNCodecError) {
        guard value.readableBytes == 4, let number = value.getInteger(at: value.readerIndex, as: UInt8.self) else {
            throw .invalidAttributeValue(Self.attributeType)
        }
        self.protocolNumber = number
    }

    /// Writes the value bytes; ``STUNMessageWriter`` adds the TLV header and the padding.
    public func encode(into buffer: inout ByteBuffer, transactionID: STUNTransactionID) {
        buffer.writeMultipleIntegers(self.protocolNumber, UInt8(0), UInt16(0))
    }
}
