import NIOCore

/// RFC 8656 §18.7 EVEN-PORT: asks for an even relayed port and, with the R bit, to reserve the next higher one.
///
/// One byte: the R bit (0x80) and 7 RFFU bits; the attribute is then padded to 4 bytes.
public struct EvenPort: STUNAttributeDecodable, STUNAttributeEncodable, Hashable, Sendable {
    /// The attribute type this codec reads and writes.
    public static var attributeType: STUNAttributeType { .evenPort }

    /// The R bit: reserve the next higher port too.
    public var reserveNextHigherPort: Bool

    /// Creates the attribute.
    public init(reserveNextHigherPort: Bool) {
        self.reserveNextHigherPort = reserveNextHigherPort
    }

    /// Rejects any length other than 1; ignores the RFFU bits.
    public init(decoding value: ByteBuffer, transactionID: STUNTransactionID) throws(STUNCodecError) {
        guard value.readableBytes == 1, let flags = value.getInteger(at: value.readerIndex, as: UInt8.self) else {
            throw .invalidAttributeValue(Self.attributeType)
        }
        self.reserveNextHigherPort = flags & 0x80 != 0
    }

    /// Writes the value bytes; ``STUNMessageWriter`` adds the TLV header and the padding.
    public func encode(into buffer: inout ByteBuffer, transactionID: STUNTransactionID) {
        buffer.writeInteger(self.reserveNextHigherPort ? 0x80 : 0 as UInt8)
    }
}
