import NIOCore

/// RFC 8656 §18.2 LIFETIME: the remaining (or requested) allocation lifetime in seconds.
public struct Lifetime: STUNAttributeDecodable, STUNAttributeEncodable, Hashable, Sendable {
    /// The attribute type this codec reads and writes.
    public static var attributeType: STUNAttributeType { .lifetime }

    /// The lifetime in seconds.
    public var seconds: UInt32

    /// Creates the attribute.
    public init(seconds: UInt32) {
        self.seconds = seconds
    }

    /// Rejects any length other than 4.
    public init(decoding value: ByteBuffer, transactionID: STUNTransactionID) throws(STUNCodecError) {
        guard value.readableBytes == MemoryLayout<UInt32>.size,
            let decoded = value.getInteger(at: value.readerIndex, as: UInt32.self)
        else {
            throw .invalidAttributeValue(Self.attributeType)
        }
        self.seconds = decoded
    }

    /// Writes the value bytes; ``STUNMessageWriter`` adds the TLV header and the padding.
    public func encode(into buffer: inout ByteBuffer, transactionID: STUNTransactionID) {
        buffer.writeInteger(self.seconds)
    }
}
