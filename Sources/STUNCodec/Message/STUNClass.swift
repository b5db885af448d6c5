/// The class of a STUN message, carried in bits C1 and C0 of the message type. RFC 8489 §5.
public enum STUNClass: Hashable, Sendable {
    /// 0b00: a request, answered by a success or error response.
    case request
    /// 0b01: an indication, never answered.
    case indication
    /// 0b10: a success response.
    case successResponse
    /// 0b11: an error response, carrying ERROR-CODE.
    case errorResponse

    /// The two class bits, C1 C0.
    @inlinable
    internal var bits: UInt16 {
        switch self {
        case .request: return 0b00
        case .indication: return 0b01
        case .successResponse: return 0b10
        case .errorResponse: return 0b11
        }
    }

    @inlinable
    internal init(bits: UInt16) {
        switch bits & 0b11 {
        case 0b00: self = .request
        case 0b01: self = .indication
        case 0b10: self = .successResponse
        default: self = .errorResponse
        }
    }
}
