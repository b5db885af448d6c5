import NIOCore

/// RFC 8489 §14.7 FINGERPRINT: CRC-32 of the message XOR 0x5354554E, always the last attribute.
///
/// Check it with ``STUNMessage/isFingerprintValid()`` and write a correct one with
/// ``STUNMessageWriter/appendFingerprint()``. Appending a `Fingerprint` value directly writes that value as is
/// (useful for tests) and closes the message like `appendFingerprint()` does.
public struct Fingerprint: STUNAttributeDecodable, STUNAttributeEncodable, Hashable, Sendable {
    /// The attribute type this codec reads and writes.
    public static var attributeType: STUNAttributeType { .fingerprint }

    /// The 32-bit value as transmitted (already XORed with 0x5354554E).
    public var value: UInt32

    /// Creates the attribute.
    public init(value: UInt32) {
        self.value = value
    }

    /// Rejects any length other than 4.
    public init(decoding value: ByteBuffer, transactionID: STUNTransactionID) throws(STUNCodecError) {
        guard value.readableBytes == 4, let fingerprint = value.getInteger(at: value.readerIndex, as: UInt32.self)
        else {
            throw .invalidAttributeValue(Self.attributeType)
        }
        self.value = fingerprint
    }

    /// Writes the value bytes; ``STUNMessageWriter`` adds the TLV header and the padding.
    public func encode(into buffer: inout ByteBuffer, transactionID: STUNTransactionID) {
        buffer.writeInteger(self.value)
    }
}
