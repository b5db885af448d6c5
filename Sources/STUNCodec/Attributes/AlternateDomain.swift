import NIOCore

/// RFC 8489 §14.16 ALTERNATE-DOMAIN: the domain name for certificate checks against ALTERNATE-SERVER (a DNS name,
/// at most 255 bytes).
public struct AlternateDomain: STUNAttributeDecodable, STUNAttributeEncodable, Hashable, Sendable {
    /// The attribute type this codec reads and writes.
    public static var attributeType: STUNAttributeType { .alternateDomain }

    /// The text.
    public var value: String

    /// Creates the attribute. The caller keeps the value within the RFC limit (255 bytes); decoding rejects more.
    public init(_ value: String) {
        self.value = value
    }

    /// Decodes the value bytes (no TLV header, no padding).
    public init(decoding value: ByteBuffer, transactionID: STUNTransactionID) throws(STUNCodecError) {
        self.value = try STUNStringCoding.decode(value, type: Self.attributeType, maximumLength: 255)
    }

    /// Writes the value bytes; ``STUNMessageWriter`` adds the TLV header and the padding.
    public func encode(into buffer: inout ByteBuffer, transactionID: STUNTransactionID) {
        buffer.writeString(self.value)
    }
}
