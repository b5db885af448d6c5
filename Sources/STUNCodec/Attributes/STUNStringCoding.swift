import NIOCore

/// UTF-8 text values (USERNAME, REALM, NONCE, SOFTWARE, reason phrases, ALTERNATE-DOMAIN). RFC 8489 §14.
@usableFromInline
internal enum STUNStringCoding {
    /// The longest USERNAME accepted on receipt. RFC 8489 §14.3 has senders write fewer than 509 bytes (RFC 5389
    /// §15.3: 513) but receivers able to parse up to 763, the room SASLprep/OpaqueString processing may need.
    static let maximumUsernameLength = 763

    /// RFC 8489 §14.8–§14.10, §14.14: fewer than 128 characters, "which can be as long as 763 bytes".
    static let maximumTextLength = 763

    /// Decodes `value` as UTF-8 of at most `maximumLength` bytes.
    static func decode(
        _ value: ByteBuffer,
        type: STUNAttributeType,
        maximumLength: Int
    ) throws(STUNCodecError) -> String {
        guard value.readableBytes <= maximumLength,
            let string = String(validating: value.readableBytesView, as: UTF8.self)
        else {
            throw .invalidAttributeValue(type)
        }
        return string
    }
}
