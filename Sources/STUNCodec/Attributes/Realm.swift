import NIOCore

/// RFC 8489 §14.9 REALM: the realm of long-term credentials (fewer than 128 characters, at most 763 bytes).
public struct Realm: STUNAttributeDecodable, STUNAttributeEncodable, Hashable, Sendable {
    /// The attribute type this codec reads and writes.
    public static var attributeType: STUNAttributeType { .realm }

    /// The text.
    public var value: String

    /// Creates the attribute. The caller keeps the value within the RFC limit (763 bytes); decoding rejects more.
    public init(_ value: String) {
        self.value = value
    }

    /// Decodes the value bytes (no TLV header, no padding).
    public init(decoding value: ByteBuffer, transactionID: STUNTransactionID) throws(STUNCodecError) {
        self.value = try STUNStringCoding.decode(
            value,
            type: Self.attributeType,
            maximumLength: STUNStringCoding.maximumTextLength
        )
    }

    /// Writes the value bytes; ``STUNMessageWriter`` adds the TLV header and the padding.
    public func encode(into buffer: inout ByteBuffer, transactionID: STUNTransactionID) {
        buffer.writeString(self.value)
    }
}
