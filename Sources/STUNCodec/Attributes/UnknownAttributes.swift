import NIOCore

/// RFC 8489 §14.13 UNKNOWN-ATTRIBUTES: the comprehension-required attribute types a 420 response did not
/// understand, as a list of 16-bit values.
public struct UnknownAttributes: STUNAttributeDecodable, STUNAttributeEncodable, Hashable, Sendable {
    /// The attribute type this codec reads and writes.
    public static var attributeType: STUNAttributeType { .unknownAttributes }

    /// The attribute types.
    public var types: [STUNAttributeType]

    /// Creates the attribute.
    public init(types: [STUNAttributeType]) {
        self.types = types
    }

    /// Rejects an odd length.
    public init(decoding value: ByteBuffer, transactionID: STUNTransactionID) throws(STUNCodecError) {
        guard value.readableBytes % 2 == 0 else {
            throw .invalidAttributeValue(Self.attributeType)
        }
        var value = value
        var types = [STUNAttributeType]()
        types.reserveCapacity(value.readableBytes / 2)
        while let rawValue = value.readInteger(as: UInt16.self) {
            types.append(STUNAttributeType(rawValue: rawValue))
        }
        self.types = types
    }

    /// Writes the value bytes; ``STUNMessageWriter`` adds the TLV header and the padding.
    public func encode(into buffer: inout ByteBuffer, transactionID: STUNTransactionID) {
        for type in self.types {
            buffer.writeInteger(type.rawValue)
        }
    }
}
