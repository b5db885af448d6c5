import NIOCore

/// RFC 8489 §14.8 ERROR-CODE: the error code and reason phrase of an error response.
///
/// ```
///  0                   1                   2                   3
///  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
/// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
/// |           Reserved, should be 0         |Class|     Number    |
/// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
/// |      Reason Phrase (variable)                                ..
/// ```
public struct ErrorCodeAttribute: STUNAttributeDecodable, STUNAttributeEncodable, Hashable, Sendable {
    /// The attribute type this codec reads and writes.
    public static var attributeType: STUNAttributeType { .errorCode }

    /// The error code.
    public var code: STUNErrorCode
    /// The UTF-8 reason phrase (fewer than 128 characters).
    public var reasonPhrase: String

    /// Creates the attribute.
    public init(code: STUNErrorCode, reasonPhrase: String) {
        self.code = code
        self.reasonPhrase = reasonPhrase
    }

    /// Creates the attribute with the code's ``STUNErrorCode/defaultReasonPhrase``.
    public init(code: STUNErrorCode) {
        self.init(code: code, reasonPhrase: code.defaultReasonPhrase)
    }

    /// Rejects a class outside 3–6 or a number of 100 or more. The reserved bits are ignored.
    public init(decoding value: ByteBuffer, transactionID: STUNTransactionID) throws(STUNCodecError) {
        self.code = try Self.decodeCode(value, type: Self.attributeType)
        self.reasonPhrase = try STUNStringCoding.decode(
            value.getSlice(at: value.readerIndex + 4, length: value.readableBytes - 4)!,
            type: Self.attributeType,
            maximumLength: STUNStringCoding.maximumTextLength
        )
    }

    /// Writes the value bytes; ``STUNMessageWriter`` adds the TLV header and the padding.
    public func encode(into buffer: inout ByteBuffer, transactionID: STUNTransactionID) {
        buffer.writeMultipleIntegers(UInt16(0), self.code.errorClass, self.code.number)
        buffer.writeString(self.reasonPhrase)
    }

    /// Reads the class (low 3 bits of byte 2) and number (byte 3) of an ERROR-CODE-style value.
    static func decodeCode(_ value: ByteBuffer, type: STUNAttributeType) throws(STUNCodecError) -> STUNErrorCode {
        guard value.readableBytes >= 4,
            let (classByte, number) = value.getMultipleIntegers(at: value.readerIndex + 2, as: (UInt8, UInt8).self)
        else {
            throw .invalidAttributeValue(type)
        }
        let errorClass = classByte & 0x07
        guard (3...6).contains(errorClass), number < 100 else {
            throw .invalidAttributeValue(type)
        }
        return STUNErrorCode(rawValue: UInt16(errorClass) * 100 + UInt16(number))
    }
}
