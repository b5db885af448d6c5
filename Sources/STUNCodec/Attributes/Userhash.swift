import NIOCore

/// RFC 8489 §14.4 USERHASH: SHA-256 of the username and realm, sent instead of USERNAME for anonymity.
/// Computed by ``LongTermCredentials/userhash(username:realm:)``.
public struct Userhash: STUNAttributeDecodable, STUNAttributeEncodable, Hashable, Sendable {
    /// The attribute type this codec reads and writes.
    public static var attributeType: STUNAttributeType { .userhash }

    /// The 32 hash bytes.
    public var hash: [UInt8]

    /// Creates the attribute.
    public init(hash: [UInt8]) {
        self.hash = hash
    }

    /// Rejects any length other than 32.
    public init(decoding value: ByteBuffer, transactionID: STUNTransactionID) throws(STUNCodecError) {
        guard value.readableBytes == 32 else {
            throw .invalidAttributeValue(Self.attributeType)
        }
        self.hash = Array(value.readableBytesView)
    }

    /// Writes the value bytes; ``STUNMessageWriter`` adds the TLV header and the padding.
    public func encode(into buffer: inout ByteBuffer, transactionID: STUNTransactionID) {
        buffer.writeBytes(self.hash)
    }
}
