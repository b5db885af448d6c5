import NIOCore

/// RFC 8489 §14.15 ALTERNATE-SERVER: the server to try instead, with 300 Try Alternate.
public struct AlternateServer: STUNAttributeDecodable, STUNAttributeEncodable, Hashable, Sendable {
    /// The attribute type this codec reads and writes.
    public static var attributeType: STUNAttributeType { .alternateServer }

    /// The transport address.
    public var address: TransportAddress

    /// Creates the attribute.
    public init(address: TransportAddress) {
        self.address = address
    }

    /// Decodes the value bytes (no TLV header, no padding).
    public init(decoding value: ByteBuffer, transactionID: STUNTransactionID) throws(STUNCodecError) {
        self.address = try STUNAddressCoding.decode(value, type: Self.attributeType, xorWith: nil)
    }

    /// Writes the value bytes; ``STUNMessageWriter`` adds the TLV header and the padding.
    public func encode(into buffer: inout ByteBuffer, transactionID: STUNTransactionID) {
        STUNAddressCoding.encode(self.address, into: &buffer, xorWith: nil)
    }
}
