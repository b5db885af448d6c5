import NIOCore

/// RFC 8445 §7.1.2 USE-CANDIDATE: the controlling agent nominates the pair (no value).
public struct UseCandidate: STUNAttributeDecodable, STUNAttributeEncodable, Hashable, Sendable {
    /// The attribute type this codec reads and writes.
    public static var attributeType: STUNAttributeType { .useCandidate }

    /// Creates the attribute.
    public init() {}

    /// Rejects a non-empty value.
    public init(decoding value: ByteBuffer, transactionID: STUNTransactionID) throws(STUNCodecError) {
        guard value.readableBytes == 0 else {
            throw .invalidAttributeValue(Self.attributeType)
        }
    }

    /// Writes the value bytes; ``STUNMessageWriter`` adds the TLV header and the padding.
    public func encode(into buffer: inout ByteBuffer, transactionID: STUNTransactionID) {}
}
