import NIOCore

/// RFC 8656 §18.9 DONT-FRAGMENT: asks the server to set the DF bit on relayed packets (no value).
public struct DontFragment: STUNAttributeDecodable, STUNAttributeEncodable, Hashable, Sendable {
    /// The attribute type this codec reads and writes.
    public static var attributeType: STUNAttributeType { .dontFragment }

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
