import NIOCore

/// RFC 8489 §14.3 USERNAME: the user name and, for long-term credentials, the key to the password.
///
/// UTF-8. Decoding accepts up to 513 bytes, a little more than senders may write (fewer than 509 bytes per
/// RFC 8489 §14.3, fewer than 513 per RFC 5389 §15.3).
public struct Username: STUNAttributeDecodable, STUNAttributeEncodable, Hashable, Sendable {
    /// The attribute type this codec reads and writes.
    public static var attributeType: STUNAttributeType { .username }

    /// The text.
    public var value: String

    /// Creates the attribute. The caller keeps the value within the RFC limit (513 bytes); decoding rejects more.
    public init(_ value: String) {
        self.value = value
    }

    /// Decodes the value bytes (no TLV header, no padding).
    public init(decoding value: ByteBuffer, transactionID: STUNTransactionID) throws(STUNCodecError) {
        self.value = try STUNStringCoding.decode(
            value,
            type: Self.attributeType,
            maximumLength: STUNStringCoding.maximumUsernameLength
        )
    }

    /// Writes the value bytes; ``STUNMessageWriter`` adds the TLV header and the padding.
    public func encode(into buffer: inout ByteBuffer, transactionID: STUNTransactionID) {
        buffer.writeString(self.value)
    }
}
