import NIOCore

/// RFC 8489 §14.6 MESSAGE-INTEGRITY-SHA256: the HMAC-SHA256 of the message, possibly truncated to 16–32 bytes
/// (a multiple of 4).
///
/// Decoding only exposes the received HMAC; check it with ``STUNMessage/isMessageIntegritySHA256Valid(key:)`` and
/// write it with ``STUNMessageWriter/appendMessageIntegritySHA256(key:)``.
public struct MessageIntegritySHA256: STUNAttributeDecodable, Hashable, Sendable {
    /// The attribute type this codec reads and writes.
    public static var attributeType: STUNAttributeType { .messageIntegritySHA256 }

    /// The 16–32 HMAC bytes.
    public var hmac: [UInt8]

    /// Creates the attribute value.
    public init(hmac: [UInt8]) {
        self.hmac = hmac
    }

    /// Rejects lengths outside 16–32 or not a multiple of 4.
    public init(decoding value: ByteBuffer, transactionID: STUNTransactionID) throws(STUNCodecError) {
        let length = value.readableBytes
        guard length >= 16, length <= STUNIntegrity.sha256Length, length % 4 == 0 else {
            throw .invalidAttributeValue(Self.attributeType)
        }
        self.hmac = Array(value.readableBytesView)
    }
}
