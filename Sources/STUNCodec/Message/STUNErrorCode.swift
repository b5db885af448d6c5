/// A STUN error code (300–699) from the IANA "STUN Error Codes" registry. RFC 8489 §14.8; RFC 8656 §19.
///
/// An open registry, so a `RawRepresentable` struct with the known codes as static members.
public struct STUNErrorCode: RawRepresentable, Hashable, Sendable, CustomStringConvertible {
    /// The numeric code, 300–699.
    public var rawValue: UInt16

    /// Creates an error code from its number.
    ///
    /// - Precondition: `rawValue` is in 300...699 (RFC 8489 §14.8: class 3–6, number 0–99).
    @inlinable
    public init(rawValue: UInt16) {
        precondition((300...699).contains(rawValue), "STUN error codes are 300...699")
        self.rawValue = rawValue
    }

    /// The hundreds digit, 3–6 (RFC 8489 §14.8 "Class").
    @inlinable
    public var errorClass: UInt8 {
        UInt8(self.rawValue / 100)
    }

    /// The code modulo 100 (RFC 8489 §14.8 "Number").
    @inlinable
    public var number: UInt8 {
        UInt8(self.rawValue % 100)
    }

    /// RFC 8489 §14.8 300 Try Alternate.
    public static let tryAlternate = STUNErrorCode(rawValue: 300)
    /// RFC 8489 §14.8 400 Bad Request.
    public static let badRequest = STUNErrorCode(rawValue: 400)
    /// RFC 8489 §14.8 401 Unauthenticated.
    public static let unauthenticated = STUNErrorCode(rawValue: 401)
    /// RFC 8656 §19 403 Forbidden.
    public static let forbidden = STUNErrorCode(rawValue: 403)
    /// RFC 8489 §14.8 420 Unknown Attribute.
    public static let unknownAttribute = STUNErrorCode(rawValue: 420)
    /// RFC 8656 §19 437 Allocation Mismatch.
    public static let allocationMismatch = STUNErrorCode(rawValue: 437)
    /// RFC 8489 §14.8 438 Stale Nonce.
    public static let staleNonce = STUNErrorCode(rawValue: 438)
    /// RFC 8656 §19 440 Address Family not Supported.
    public static let addressFamilyNotSupported = STUNErrorCode(rawValue: 440)
    /// RFC 8656 §19 441 Wrong Credentials.
    public static let wrongCredentials = STUNErrorCode(rawValue: 441)
    /// RFC 8656 §19 442 Unsupported Transport Protocol.
    public static let unsupportedTransportProtocol = STUNErrorCode(rawValue: 442)
    /// RFC 8656 §19 443 Peer Address Family Mismatch.
    public static let peerAddressFamilyMismatch = STUNErrorCode(rawValue: 443)
    /// RFC 6062 §6.3 446 Connection Already Exists.
    public static let connectionAlreadyExists = STUNErrorCode(rawValue: 446)
    /// RFC 6062 §6.3 447 Connection Timeout or Failure.
    public static let connectionTimeoutOrFailure = STUNErrorCode(rawValue: 447)
    /// RFC 8656 §19 486 Allocation Quota Reached.
    public static let allocationQuotaReached = STUNErrorCode(rawValue: 486)
    /// RFC 8489 §14.8 500 Server Error.
    public static let serverError = STUNErrorCode(rawValue: 500)
    /// RFC 8656 §19 508 Insufficient Capacity.
    public static let insufficientCapacity = STUNErrorCode(rawValue: 508)

    /// The reason phrase the RFCs suggest, for an ERROR-CODE built without one.
    public var defaultReasonPhrase: String {
        switch self.rawValue {
        case 300: return "Try Alternate"
        case 400: return "Bad Request"
        case 401: return "Unauthenticated"
        case 403: return "Forbidden"
        case 420: return "Unknown Attribute"
        case 437: return "Allocation Mismatch"
        case 438: return "Stale Nonce"
        case 440: return "Address Family not Supported"
        case 441: return "Wrong Credentials"
        case 442: return "Unsupported Transport Protocol"
        case 443: return "Peer Address Family Mismatch"
        case 446: return "Connection Already Exists"
        case 447: return "Connection Timeout or Failure"
        case 486: return "Allocation Quota Reached"
        case 500: return "Server Error"
        case 508: return "Insufficient Capacity"
        default: return "Error \(self.rawValue)"
        }
    }

    /// A human-readable form, for logs.
    public var description: String {
        "\(self.rawValue) \(self.defaultReasonPhrase)"
    }
}
