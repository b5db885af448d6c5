/// The 14-bit STUN message type: a method and a class, with the class bits interleaved into the method bits.
/// RFC 8489 §5.
///
/// ```
///  0                 1
///  2  3  4 5 6 7 8 9 0 1 2 3 4 5
/// +--+--+-+-+-+-+-+-+-+-+-+-+-+-+
/// |M |M |M|M|M|C|M|M|M|C|M|M|M|M|
/// |11|10|9|8|7|1|6|5|4|0|3|2|1|0|
/// +--+--+-+-+-+-+-+-+-+-+-+-+-+-+
/// ```
public struct STUNMessageType: Hashable, Sendable, CustomStringConvertible {
    /// The method.
    public var method: STUNMethod
    /// The class.
    public var messageClass: STUNClass

    /// Creates a message type from a method and a class.
    @inlinable
    public init(method: STUNMethod, messageClass: STUNClass) {
        self.method = method
        self.messageClass = messageClass
    }

    /// Decodes the first 16 bits of a STUN header; `nil` if either of the top two bits is set.
    @inlinable
    public init?(rawValue: UInt16) {
        guard rawValue & 0xC000 == 0 else {
            return nil
        }
        let method = (rawValue & 0x000F) | ((rawValue & 0x00E0) >> 1) | ((rawValue & 0x3E00) >> 2)
        let classBits = ((rawValue & 0x0100) >> 7) | ((rawValue & 0x0010) >> 4)
        self.method = STUNMethod(rawValue: method)
        self.messageClass = STUNClass(bits: classBits)
    }

    /// The 16-bit wire value (top two bits zero).
    @inlinable
    public var rawValue: UInt16 {
        let method = self.method.rawValue & 0x0FFF
        let classBits = self.messageClass.bits
        return (method & 0x000F) | ((method & 0x0070) << 1) | ((method & 0x0F80) << 2)
            | ((classBits & 0b01) << 4) | ((classBits & 0b10) << 7)
    }

    /// The success response type for a request of the same method.
    public var successResponse: STUNMessageType {
        STUNMessageType(method: self.method, messageClass: .successResponse)
    }

    /// The error response type for a request of the same method.
    public var errorResponse: STUNMessageType {
        STUNMessageType(method: self.method, messageClass: .errorResponse)
    }

    /// A human-readable form, for logs.
    public var description: String {
        switch self.messageClass {
        case .request: return "\(self.method) request"
        case .indication: return "\(self.method) indication"
        case .successResponse: return "\(self.method) success response"
        case .errorResponse: return "\(self.method) error response"
        }
    }

    /// RFC 8489 §18.2 Binding request.
    public static let bindingRequest = STUNMessageType(method: .binding, messageClass: .request)
    /// RFC 8489 §18.2 Binding success response.
    public static let bindingSuccessResponse = STUNMessageType(method: .binding, messageClass: .successResponse)
    /// RFC 8489 §18.2 Binding error response.
    public static let bindingErrorResponse = STUNMessageType(method: .binding, messageClass: .errorResponse)
    /// RFC 8489 §18.2 Binding indication (keepalive).
    public static let bindingIndication = STUNMessageType(method: .binding, messageClass: .indication)
}
