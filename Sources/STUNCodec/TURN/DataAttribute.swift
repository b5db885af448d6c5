import NIOCore

/// RFC 8656 §18.4 DATA: the application data of a Send or Data indication.
///
/// Named `DataAttribute` so as not to shadow Foundation's `Data`. Decoding keeps a slice of the message buffer.
public struct DataAttribute: STUNAttributeDecodable, STUNAttributeEncodable, Hashable, Sendable {
    /// The attribute type this codec reads and writes.
    public static var attributeType: STUNAttributeType { .data }

    /// The data.
    public var value: ByteBuffer

    /// Creates the attribute.
    public init(_ value: ByteBuffer) {
        self.value = value
    }

    /// Decodes the value bytes (no TLV header, no padding).
    public init(decoding value: ByteBuffer, transactionID: STUNTransactionID) throws(STUNCodecError) {
        self.value = value
    }

    /// Writes the value bytes; ``STUNMessageWriter`` adds the TLV header and the padding.
    public func encode(into buffer: inout ByteBuffer, transactionID: STUNTransactionID) {
        buffer.writeImmutableBuffer(self.value)
    }
}
