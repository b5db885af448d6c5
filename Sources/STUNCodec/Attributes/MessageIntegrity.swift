import NIOCore

/// RFC 8489 §14.5 MESSAGE-INTEGRITY: the 20-byte HMAC-SHA1 of the message.
///
/// Decoding only exposes the received HMAC; check it with ``STUNMessage/isMessageIntegrityValid(key:)`` and write
/// it with ``STUNMessageWriter/appendMessageIntegrity(key:)``.
public struct MessageIntegrity: STUNAttributeDecodable, Hashable, Sendable {
    /// The attribute type this codec reads and writes.
    public static var attributeType: STUNAttributeType { .messageIntegrity }

    /// The 20 HMAC bytes.
    public var hmac: [UInt8]

    /// Creates the attribute value.
    public init(hmac: [UInt8]) {
        self.hmac = hmac
    }

    /// Rejects any length other than 20.
    public init(decoding value: ByteBuffer, transactionID: STUNTransactionID) throws(STUNCodecError) {
        guard value.readableBytes == STUNIntegrity.sha1Length else {
            throw .invalidAttributeValue(Self.attributeType)
        }
        self.hmac = Array(value.readableBytesView)
    }
}
