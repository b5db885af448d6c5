import Crypto

/// The MAC of ``NonceIssuer``: HMAC-SHA256 truncated to 16 bytes (the shortest truncation RFC 8489 §14.6 allows
/// for MESSAGE-INTEGRITY-SHA256, used here for the same reason: 128 bits cannot be guessed).
enum NonceMAC {
    /// The MAC length in bytes.
    static let length = 16

    /// HMAC-SHA256(`key`, `message`), truncated to ``length`` bytes.
    static func compute(key: [UInt8], message: [UInt8]) -> [UInt8] {
        let code = HMAC<SHA256>.authenticationCode(for: message, using: SymmetricKey(data: key))
        return Array(code.prefix(Self.length))
    }
}
