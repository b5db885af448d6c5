import NIOCore

/// RFC 8445 §7.1.3 ICE-CONTROLLING: the sender is the controlling agent; carries its tiebreaker.
public struct ICEControlling: STUNAttributeDecodable, STUNAttributeEncodable, Hashable, Sendable {
    /// The attribute type this codec reads and writes.
    public static var attributeType: STUNAttributeType { .iceControlling }

    /// The 64-bit tiebreaker.
    public var tieBreaker: UInt64

    /// Creates the attribute.
    public init(tieBreaker: UInt64) {
        self.tieBreaker = tieBreaker
    }

    /// Rejects any length other than 8.
    public init(decoding value: ByteBuffer, transactionID: STUNTransactionID) throws(STUNCodecError) {
        guard value.readableBytes == MemoryLayout<UInt64>.size,
            let decoded = value.getInteger(at: value.readerIndex, as: UInt64.self)
        else {
            throw .invalidAttributeValue(Self.attributeType)
        }
        self.tieBreaker = decoded
    }

    /// Writes the value bytes; ``STUNMessageWriter`` adds the TLV header and the padding.
    public func encode(into buffer: inout ByteBuffer, transactionID: STUNTransactionID) {
        buffer.writeInteger(self.tieBreaker)
    }
}
