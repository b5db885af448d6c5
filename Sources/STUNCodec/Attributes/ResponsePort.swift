import NIOCore

/// RFC 5780 §7.5 RESPONSE-PORT: asks the server to send the response to this port of the request's source IP
/// instead of to the source port. Only meaningful over UDP.
///
/// The value is the 16-bit port followed by two bytes of padding (zero when sent, ignored when read).
public struct ResponsePort: STUNAttributeDecodable, STUNAttributeEncodable, Hashable, Sendable {
    /// The attribute type this codec reads and writes.
    public static var attributeType: STUNAttributeType { .responsePort }

    /// The port the response goes to.
    public var port: UInt16

    /// Creates the attribute.
    public init(port: UInt16) {
        self.port = port
    }

    /// Rejects any length other than 4.
    public init(decoding value: ByteBuffer, transactionID: STUNTransactionID) throws(STUNCodecError) {
        guard value.readableBytes == 4, let port = value.getInteger(at: value.readerIndex, as: UInt16.self) else {
            throw .invalidAttributeValue(Self.attributeType)
        }
        self.port = port
    }

    /// Writes the value bytes; ``STUNMessageWriter`` adds the TLV header and the padding.
    public func encode(into buffer: inout ByteBuffer, transactionID: STUNTransactionID) {
        buffer.writeInteger(self.port)
        buffer.writeInteger(0 as UInt16)
    }
}
