import NIOCore

/// RFC 8656 §18.12 ADDRESS-ERROR-CODE: why the relayed address of one family could not be allocated in a
/// dual-allocation success response.
///
/// ```
///  0                   1                   2                   3
///  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
/// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
/// |  Family       |    Reserved             |Class|     Number    |
/// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
/// |      Reason Phrase (variable)                                ..
/// ```
public struct AddressErrorCode: STUNAttributeDecodable, STUNAttributeEncodable, Hashable, Sendable {
    /// The attribute type this codec reads and writes.
    public static var attributeType: STUNAttributeType { .addressErrorCode }

    /// The address family the error is about.
    public var family: STUNAddressFamily
    /// The error code.
    public var code: STUNErrorCode
    /// The UTF-8 reason phrase.
    public var reasonPhrase: String

    /// Creates the attribute.
    public init(family: STUNAddressFamily, code: STUNErrorCode, reasonPhrase: String) {
        self.family = family
        self.code = code
        self.reasonPhrase = reasonPhrase
    }

    /// Rejects an unknown family, a class outside 3–6, a number of 100 or more, or an invalid reason phrase.
    public init(decoding value: ByteBuffer, transactionID: STUNTransactionID) throws(STUNCodecError) {
        guard let rawFamily = value.getInteger(at: value.readerIndex, as: UInt8.self) else {
            throw .invalidAttributeValue(Self.attributeType)
        }
        self.code = try ErrorCodeAttribute.decodeCode(value, type: Self.attributeType)
        guard let family = STUNAddressFamily(rawValue: rawFamily) else {
            throw .unsupportedAddressFamily(Self.attributeType)
        }
        self.family = family
        self.reasonPhrase = try STUNStringCoding.decode(
            value.getSlice(at: value.readerIndex + 4, length: value.readableBytes - 4)!,
            type: Self.attributeType,
            maximumLength: STUNStringCoding.maximumTextLength
        )
    }

    /// Writes the value bytes; ``STUNMessageWriter`` adds the TLV header and the padding.
    public func encode(into buffer: inout ByteBuffer, transactionID: STUNTransactionID) {
        buffer.writeMultipleIntegers(self.family.rawValue, UInt8(0), self.code.errorClass, self.code.number)
        buffer.writeString(self.reasonPhrase)
    }
}
