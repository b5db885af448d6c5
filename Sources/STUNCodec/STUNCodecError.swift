/// An error thrown by the STUN/TURN codec when bytes do not form a valid message, attribute or frame.
///
/// Built as a struct around a private code (the swift-nio / ServiceLifecycle idiom) so that new cases can be added
/// without breaking callers. Equality and hashing use the code only: `.invalidAttributeValue(.username)` equals
/// `.invalidAttributeValue(.realm)`; read ``attributeType`` for the context. No string is built when the error is
/// thrown; ``description`` is computed on demand.
public struct STUNCodecError: Error, Hashable, Sendable, CustomStringConvertible {
    private enum Code: Hashable, Sendable {
        case truncatedHeader
        case notSTUN
        case badMagicCookie
        case unalignedLength
        case lengthMismatch
        case attributeOverrun
        case invalidAttributeValue
        case unsupportedAddressFamily
        case invalidChannelNumber
        case truncatedChannelData
    }

    private var code: Code

    /// The attribute whose value was rejected, for ``invalidAttributeValue(_:)`` and
    /// ``unsupportedAddressFamily(_:)``.
    public private(set) var attributeType: STUNAttributeType?

    private init(_ code: Code, attributeType: STUNAttributeType? = nil) {
        self.code = code
        self.attributeType = attributeType
    }

    /// RFC 8489 §5: fewer than the 20 bytes of a STUN header (or 4 of a length prefix) are available.
    public static let truncatedHeader = STUNCodecError(.truncatedHeader)

    /// RFC 8489 §5: the two most significant bits of the message are not zero, so it is not STUN.
    public static let notSTUN = STUNCodecError(.notSTUN)

    /// RFC 8489 §5: the magic cookie is not 0x2112A442.
    public static let badMagicCookie = STUNCodecError(.badMagicCookie)

    /// RFC 8489 §5: the message length is not a multiple of 4.
    public static let unalignedLength = STUNCodecError(.unalignedLength)

    /// RFC 8489 §5: the message length does not match the bytes that follow the header.
    public static let lengthMismatch = STUNCodecError(.lengthMismatch)

    /// RFC 8489 §14: an attribute header or value runs past the end of the message.
    public static let attributeOverrun = STUNCodecError(.attributeOverrun)

    /// RFC 8489 §14 / RFC 8656 §18: an attribute value has the wrong length or content.
    public static func invalidAttributeValue(_ type: STUNAttributeType) -> STUNCodecError {
        STUNCodecError(.invalidAttributeValue, attributeType: type)
    }

    /// An address family other than IPv4 (0x01) or IPv6 (0x02) in an address attribute or in
    /// REQUESTED-ADDRESS-FAMILY / ADDITIONAL-ADDRESS-FAMILY (RFC 8656 §7.2 answers the latter with 440).
    public static func unsupportedAddressFamily(_ type: STUNAttributeType) -> STUNCodecError {
        STUNCodecError(.unsupportedAddressFamily, attributeType: type)
    }

    /// RFC 8656 §12: a ChannelData channel number outside 0x4000–0x4FFF.
    public static let invalidChannelNumber = STUNCodecError(.invalidChannelNumber)

    /// RFC 8656 §12.5: a ChannelData header is incomplete or its length runs past the available bytes.
    public static let truncatedChannelData = STUNCodecError(.truncatedChannelData)

    /// Compares the error codes only, not the context.
    public static func == (lhs: STUNCodecError, rhs: STUNCodecError) -> Bool {
        lhs.code == rhs.code
    }

    /// Hashes the error code only, not the context.
    public func hash(into hasher: inout Hasher) {
        hasher.combine(self.code)
    }

    /// A human-readable form, for logs.
    public var description: String {
        switch self.code {
        case .truncatedHeader:
            return "STUNCodecError: truncated header"
        case .notSTUN:
            return "STUNCodecError: not a STUN message (top two bits set)"
        case .badMagicCookie:
            return "STUNCodecError: bad magic cookie"
        case .unalignedLength:
            return "STUNCodecError: message length is not a multiple of 4"
        case .lengthMismatch:
            return "STUNCodecError: length field does not match the available bytes"
        case .attributeOverrun:
            return "STUNCodecError: attribute runs past the end of the message"
        case .invalidAttributeValue:
            return "STUNCodecError: invalid value for attribute \(self.attributeTypeDescription)"
        case .unsupportedAddressFamily:
            return "STUNCodecError: unsupported address family in attribute \(self.attributeTypeDescription)"
        case .invalidChannelNumber:
            return "STUNCodecError: channel number outside 0x4000-0x4FFF"
        case .truncatedChannelData:
            return "STUNCodecError: truncated ChannelData message"
        }
    }

    private var attributeTypeDescription: String {
        self.attributeType.map { $0.description } ?? "?"
    }
}
