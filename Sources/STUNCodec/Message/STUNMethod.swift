/// A STUN method: a 12-bit number from the IANA "STUN Methods" registry. RFC 8489 §5, §18.2; RFC 8656 §17.
///
/// An open registry, so a `RawRepresentable` struct with the known methods as static members.
public struct STUNMethod: RawRepresentable, Hashable, Sendable, CustomStringConvertible {
    /// The 12-bit method number.
    public var rawValue: UInt16

    /// Creates a method from its number.
    ///
    /// - Precondition: `rawValue` fits in 12 bits.
    @inlinable
    public init(rawValue: UInt16) {
        precondition(rawValue <= 0x0FFF, "a STUN method is 12 bits")
        self.rawValue = rawValue
    }

    /// RFC 8489 §18.2 Binding (0x001).
    public static let binding = STUNMethod(rawValue: 0x001)
    /// RFC 8656 §17 Allocate (0x003).
    public static let allocate = STUNMethod(rawValue: 0x003)
    /// RFC 8656 §17 Refresh (0x004).
    public static let refresh = STUNMethod(rawValue: 0x004)
    /// RFC 8656 §17 Send (0x006), an indication only.
    public static let send = STUNMethod(rawValue: 0x006)
    /// RFC 8656 §17 Data (0x007), an indication only.
    public static let data = STUNMethod(rawValue: 0x007)
    /// RFC 8656 §17 CreatePermission (0x008).
    public static let createPermission = STUNMethod(rawValue: 0x008)
    /// RFC 8656 §17 ChannelBind (0x009).
    public static let channelBind = STUNMethod(rawValue: 0x009)
    /// RFC 6062 §6.1 Connect (0x00A): the client asks the server to open a TCP connection to a peer.
    public static let connect = STUNMethod(rawValue: 0x00A)
    /// RFC 6062 §6.1 ConnectionBind (0x00B): a new client connection becomes the data connection of a peer.
    public static let connectionBind = STUNMethod(rawValue: 0x00B)
    /// RFC 6062 §6.1 ConnectionAttempt (0x00C), an indication only: a peer connected to the relayed address.
    public static let connectionAttempt = STUNMethod(rawValue: 0x00C)

    /// A human-readable form, for logs.
    public var description: String {
        switch self {
        case .binding: return "Binding"
        case .allocate: return "Allocate"
        case .refresh: return "Refresh"
        case .send: return "Send"
        case .data: return "Data"
        case .createPermission: return "CreatePermission"
        case .channelBind: return "ChannelBind"
        case .connect: return "Connect"
        case .connectionBind: return "ConnectionBind"
        case .connectionAttempt: return "ConnectionAttempt"
        default: return "Method(0x\(String(self.rawValue, radix: 16, uppercase: true)))"
        }
    }
}
