import NIOCore

/// RFC 5780 §7.2 CHANGE-REQUEST: asks the server to answer from another IP address and/or port.
///
/// A 32-bit value whose bit 0x4 is "change IP" and bit 0x2 is "change port".
public struct ChangeRequest: STUNAttributeDecodable, STUNAttributeEncodable, Hashable, Sendable {
    /// The attribute type this codec reads and writes.
    public static var attributeType: STUNAttributeType { .changeRequest }

    /// The "A" flag: send the response from a different IP address.
    public var changeIP: Bool
    /// The "B" flag: send the response from a different port.
    public var changePort: Bool

    /// Creates the attribute.
    public init(changeIP: Bool, changePort: Bool) {
        self.changeIP = changeIP
        self.changePort = changePort
    }

    /// Rejects any length other than 4; ignores the other bits.
    public init(decoding value: ByteBuffer, transactionID: STUNTransactionID) throws(STUNCodecError) {
        guard value.readableBytes == 4, let flags = value.getInteger(at: value.readerIndex, as: UInt32.self) else {
            throw .invalidAttributeValue(Self.attributeType)
        }
        self.changeIP = flags & 0x4 != 0
        self.changePort = flags & 0x2 != 0
    }

    /// Writes the value bytes; ``STUNMessageWriter`` adds the TLV header and the padding.
    public func encode(into buffer: inout ByteBuffer, transactionID: STUNTransactionID) {
        buffer.writeInteger((self.changeIP ? 0x4 : 0) | (self.changePort ? 0x2 : 0) as UInt32)
    }
}
