import STUNCodec

/// Issues and checks the stateless NONCE values of the long-term credential mechanism. RFC 8489 §9.2, §9.2.4, §18.1.
///
/// A nonce is the 13-character "nonce cookie" (RFC 8489 §9.2: `obMatJos2` followed by the base64 of the 24-bit STUN
/// Security Feature set) and 64 lowercase hex digits encoding 32 bytes:
///
/// | bytes | content |
/// |---|---|
/// | 0–7 | issue time, Unix seconds, big-endian |
/// | 8–15 | random salt |
/// | 16–31 | HMAC-SHA256 truncated to 16 bytes, keyed with the issuer's key, over the cookie, issue time and salt |
///
/// 77 ASCII characters in all, well within NONCE's limit of 128 characters (RFC 8489 §14.10). Nothing is stored: the
/// issuer recognises its own nonces by their MAC (compared in constant time), and their age by the time inside, as
/// coturn's and pion's stateless nonces do. Nonces of another key (an earlier process) are ``NonceValidity/invalid``;
/// the authenticator answers them like stale ones, with 438 and a fresh nonce, so clients recover after a restart.
///
/// The salt makes every nonce distinct: RFC 8489 §9.2.4 forbids choosing the same NONCE for two requests unless they
/// come from the same source address and port.
///
/// Time is wall-clock Unix seconds passed in by the caller, so it can be injected in tests and compared with the
/// expiry of TURN REST usernames.
public struct NonceIssuer: Sendable {
    /// The STUN Security Feature set a nonce cookie announces. RFC 8489 §9.2, §18.1.
    ///
    /// Bits are numbered as RFC 8489 erratum 6290 corrects them: bit 0 is the least significant bit of the third
    /// byte. libjuice reads them that way, and so does RFC 8489 Appendix B.1, whose `obMatJos2AAAC` (bit 1, username
    /// anonymity) goes with a request carrying USERHASH. Clients that read the bits in the order of the original
    /// text see unassigned bits and fall back to RFC 5389 behaviour (USERNAME, MD5), which still works.
    public struct SecurityFeatures: OptionSet, Hashable, Sendable {
        /// The 24-bit set in the low bits.
        public var rawValue: UInt32

        /// Creates a feature set from its bits; bits above the 24th are ignored when encoding.
        public init(rawValue: UInt32) {
            self.rawValue = rawValue
        }

        /// Bit 0, "Password algorithms": the server lists PASSWORD-ALGORITHMS and checks the client's echo of it and
        /// its PASSWORD-ALGORITHM choice. RFC 8489 §9.2.4, §14.11, §14.12.
        public static let passwordAlgorithms = SecurityFeatures(rawValue: 1 << 0)

        /// Bit 1, "Username anonymity": a client that sees it MUST send USERHASH instead of USERNAME.
        /// RFC 8489 §9.2.5, §14.4.
        public static let usernameAnonymity = SecurityFeatures(rawValue: 1 << 1)
    }

    /// The cookie prefix of every RFC 8489 nonce. RFC 8489 §9.2.
    public static let cookiePrefix = "obMatJos2"

    /// Length of the nonce cookie: the prefix and 4 base64 characters. RFC 8489 §9.2.
    static let cookieLength = 13

    /// Length of a nonce of this issuer, in bytes (all ASCII).
    static let nonceLength = cookieLength + 2 * bodyLength

    /// Issue time (8), salt (8), MAC (16).
    private static let bodyLength = 16 + NonceMAC.length

    /// The features this issuer announces.
    public let securityFeatures: SecurityFeatures

    /// How long a nonce stays ``NonceValidity/valid``.
    public let lifetime: Duration

    private let key: [UInt8]
    private let lifetimeSeconds: Int64
    /// `obMatJos2` and the encoded features: the first 13 characters of every nonce of this issuer.
    private let cookie: [UInt8]

    /// Creates an issuer.
    ///
    /// - Parameters:
    ///   - key: the MAC key, random per process (32 bytes from a cryptographically secure generator). Never logged.
    ///   - lifetime: how long a nonce stays valid; whole seconds count, at least one.
    ///   - securityFeatures: the features announced in the nonce cookie; by default both RFC 8489 features.
    ///     ``TURNAuthenticator`` removes username anonymity when TURN REST secrets are configured.
    public init(
        key: [UInt8],
        lifetime: Duration,
        securityFeatures: SecurityFeatures = [.passwordAlgorithms, .usernameAnonymity]
    ) {
        precondition(!key.isEmpty, "the nonce key must not be empty")
        precondition(lifetime.components.seconds >= 1, "the nonce lifetime must be at least one second")
        self.key = key
        self.lifetime = lifetime
        self.lifetimeSeconds = lifetime.components.seconds
        self.securityFeatures = securityFeatures
        self.cookie = Array(Self.cookiePrefix.utf8) + Self.encodeFeatures(securityFeatures)
    }

    /// This issuer with another feature set (same key and lifetime). Nonces of one are ``NonceValidity/invalid`` for
    /// the other, since the cookie is covered by the MAC.
    func withSecurityFeatures(_ securityFeatures: SecurityFeatures) -> NonceIssuer {
        NonceIssuer(key: self.key, lifetime: self.lifetime, securityFeatures: securityFeatures)
    }

    // MARK: - Issuing

    /// A fresh nonce issued at `now`, with a random salt.
    ///
    /// - Parameter now: the current time, Unix seconds.
    public func makeNonce(now: Int64) -> String {
        var generator = SystemRandomNumberGenerator()
        return self.makeNonce(now: now, salt: generator.next())
    }

    /// A nonce issued at `now` with the given salt (deterministic, for tests).
    func makeNonce(now: Int64, salt: UInt64) -> String {
        var signed = self.cookie
        signed.reserveCapacity(Self.cookieLength + Self.bodyLength)
        Self.appendBigEndian(UInt64(bitPattern: now), to: &signed)
        Self.appendBigEndian(salt, to: &signed)
        let mac = NonceMAC.compute(key: self.key, message: signed)

        var text = self.cookie
        text.reserveCapacity(Self.nonceLength)
        Self.appendHex(signed[Self.cookieLength...], to: &text)
        Self.appendHex(mac, to: &text)
        return String(decoding: text, as: UTF8.self)
    }

    // MARK: - Checking

    /// Whether `nonce` is one of this issuer's and still fresh at `now`.
    ///
    /// ``NonceValidity/invalid`` unless the nonce has exactly this issuer's shape, cookie included, and its MAC
    /// verifies (compared in constant time). A genuine nonce is ``NonceValidity/valid`` while its age is within
    /// ``lifetime`` (in either direction, so a clock stepped back does not keep old nonces alive for longer than
    /// that), ``NonceValidity/stale`` afterwards.
    ///
    /// - Parameters:
    ///   - nonce: the NONCE attribute value of a request.
    ///   - now: the current time, Unix seconds.
    public func validate(_ nonce: String, now: Int64) -> NonceValidity {
        let text = nonce.utf8
        guard text.count == Self.nonceLength, text.starts(with: self.cookie) else {
            return .invalid
        }
        guard let body = Self.decodeHex(text.dropFirst(Self.cookieLength)) else {
            return .invalid
        }
        let signed = self.cookie + body[0..<16]
        let mac = NonceMAC.compute(key: self.key, message: signed)
        guard ConstantTime.equals(mac, body[16...]) else {
            return .invalid
        }

        var issued: Int64 = 0
        for byte in body[0..<8] {
            issued = issued << 8 | Int64(byte)
        }
        let (age, overflow) = now.subtractingReportingOverflow(issued)
        guard !overflow, age <= self.lifetimeSeconds, age >= -self.lifetimeSeconds else {
            return .stale
        }
        return .valid
    }

    /// The security features announced by a nonce's cookie, or `nil` if the nonce does not start with a well-formed
    /// nonce cookie (RFC 5389 servers and clients, or not a nonce at all). RFC 8489 §9.2.
    ///
    /// Reads any nonce, not only this issuer's: RFC 8489 §9.2.4 makes the PASSWORD-ALGORITHMS checks depend on the
    /// cookie of the NONCE the request carries.
    public static func securityFeatures(ofNonce nonce: String) -> SecurityFeatures? {
        let text = Array(nonce.utf8.prefix(Self.cookieLength))
        guard text.count == Self.cookieLength, text.starts(with: Self.cookiePrefix.utf8) else {
            return nil
        }
        var bits: UInt32 = 0
        for character in text[Self.cookiePrefix.utf8.count...] {
            guard let value = Self.base64Value(character) else {
                return nil
            }
            bits = bits << 6 | UInt32(value)
        }
        return SecurityFeatures(rawValue: bits)
    }

    // MARK: - Encoding helpers

    private static let base64Alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/".utf8)
    private static let hexDigits = Array("0123456789abcdef".utf8)

    /// The 4 base64 characters of the 24-bit feature set (3 bytes, so no padding). RFC 8489 §9.2, RFC 4648 §4.
    private static func encodeFeatures(_ features: SecurityFeatures) -> [UInt8] {
        let bits = features.rawValue & 0xFF_FFFF
        return stride(from: 18, through: 0, by: -6).map { shift in
            Self.base64Alphabet[Int((bits >> UInt32(shift)) & 0x3F)]
        }
    }

    private static func base64Value(_ character: UInt8) -> UInt8? {
        switch character {
        case UInt8(ascii: "A")...UInt8(ascii: "Z"): return character - UInt8(ascii: "A")
        case UInt8(ascii: "a")...UInt8(ascii: "z"): return character - UInt8(ascii: "a") + 26
        case UInt8(ascii: "0")...UInt8(ascii: "9"): return character - UInt8(ascii: "0") + 52
        case UInt8(ascii: "+"): return 62
        case UInt8(ascii: "/"): return 63
        default: return nil
        }
    }

    private static func appendBigEndian(_ value: UInt64, to bytes: inout [UInt8]) {
        for shift in stride(from: 56, through: 0, by: -8) {
            bytes.append(UInt8(truncatingIfNeeded: value >> UInt64(shift)))
        }
    }

    private static func appendHex(_ bytes: some Sequence<UInt8>, to text: inout [UInt8]) {
        for byte in bytes {
            text.append(Self.hexDigits[Int(byte >> 4)])
            text.append(Self.hexDigits[Int(byte & 0x0F)])
        }
    }

    /// Lowercase hex only (what ``makeNonce(now:)`` writes); `nil` on anything else.
    private static func decodeHex(_ text: some Collection<UInt8>) -> [UInt8]? {
        guard text.count % 2 == 0 else {
            return nil
        }
        var bytes = [UInt8]()
        bytes.reserveCapacity(text.count / 2)
        var high: UInt8? = nil
        for character in text {
            let nibble: UInt8
            switch character {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): nibble = character - UInt8(ascii: "0")
            case UInt8(ascii: "a")...UInt8(ascii: "f"): nibble = character - UInt8(ascii: "a") + 10
            default: return nil
            }
            if let first = high {
                bytes.append(first << 4 | nibble)
                high = nil
            } else {
                high = nibble
            }
        }
        return bytes
    }
}
