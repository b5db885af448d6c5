import NIOCore

/// RFC 8445 §7.1.1 PRIORITY: the priority of the peer-reflexive candidate an ICE check would create.
public struct Priority: STUNAttributeDecodable, STUNAttributeEncodable, Hashable, Sendable {
    /// The attribute type this codec reads and writes.
    public static var attributeType: STUNAttributeType { .priority }

    /// The 32-bit candidate priority.
    public var value: UInt32

    /// Creates the attribute.
    public init(_ value: UInt32) {
        self.value = value
    }

    /// Rejects any length other than 4.
    public init(decoding value: ByteBuffer, transactionID: STUNTransactionID) throws(STUNCodecError) {
        guard value.readableBytes == MemoryLayout<UInt32>.size,
            let decoded = value.getInteger(at: value.readerIndex, as: UInt32.self)
        else {
            throw .invalidAttributeValue(Self.attributeType)
        }
        self.value = decoded
    }

    /// Writes the value bytes; ``STUNMessageWriter`` adds the TLV header and the padding.
    public func encode(into buffer: inout ByteBuffer, transactionID: STUNTransactionID) {
        buffer.writeInteger(self.value)
    }
}
