import NIOCore

/// RFC 6062 §6.2.1 CONNECTION-ID: the 32-bit name the server gives a peer's TCP connection in a Connect success
/// response or a ConnectionAttempt indication, which the client echoes in ConnectionBind.
public struct ConnectionID: STUNAttributeDecodable, STUNAttributeEncodable, Hashable, Sendable {
    /// The attribute type this codec reads and writes.
    public static var attributeType: STUNAttributeType { .connectionID }

    /// The identifier; opaque to the client.
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
