/// A password algorithm from the IANA "STUN Password Algorithms" registry. RFC 8489 §14.11, §18.5.
///
/// An open registry, so a `RawRepresentable` struct with the known algorithms as static members.
public struct STUNPasswordAlgorithm: RawRepresentable, Hashable, Sendable, CustomStringConvertible {
    /// The 16-bit algorithm number.
    public var rawValue: UInt16

    /// Creates an algorithm from its number.
    @inlinable
    public init(rawValue: UInt16) {
        self.rawValue = rawValue
    }

    /// RFC 8489 §18.5.1.1 MD5 (0x0001): key = MD5(username ":" realm ":" password).
    public static let md5 = STUNPasswordAlgorithm(rawValue: 0x0001)
    /// RFC 8489 §18.5.1.2 SHA-256 (0x0002): key = SHA-256(username ":" realm ":" password).
    public static let sha256 = STUNPasswordAlgorithm(rawValue: 0x0002)

    /// A human-readable form, for logs.
    public var description: String {
        switch self {
        case .md5: return "MD5"
        case .sha256: return "SHA-256"
        default: return "PasswordAlgorithm(\(self.rawValue))"
        }
    }
}
