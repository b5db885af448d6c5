import Crypto

/// Long-term credential keys and USERHASH. RFC 8489 §9.2.2, §14.4; RFC 5389 §15.4.
public enum LongTermCredentials {
    /// The MD5 long-term key: MD5(username ":" realm ":" SASLprep(password)). RFC 8489 §9.2.2 (MD5, as RFC 5389
    /// §15.4 defines it and as WebRTC clients compute it).
    ///
    /// If SASLprep rejects the password (prohibited characters), the password is used as given.
    ///
    /// - Returns: the 16-byte key for ``STUNMessage/isMessageIntegrityValid(key:)`` and
    ///   ``STUNMessageWriter/appendMessageIntegrity(key:)``.
    public static func key(username: String, realm: String, password: String) -> [UInt8] {
        let password = SASLprep.prepare(password) ?? password
        return Array(Insecure.MD5.hash(data: Array("\(username):\(realm):\(password)".utf8)))
    }

    /// The SHA-256 long-term key: SHA-256(username ":" OpaqueString(realm) ":" OpaqueString(password)).
    /// RFC 8489 §9.2.2, §18.5.1.2.
    ///
    /// Where OpaqueString rejects the realm or password, it is used as given.
    ///
    /// - Returns: the 32-byte key for ``STUNMessage/isMessageIntegritySHA256Valid(key:)`` and
    ///   ``STUNMessageWriter/appendMessageIntegritySHA256(key:)``.
    public static func sha256Key(username: String, realm: String, password: String) -> [UInt8] {
        let realm = OpaqueString.prepare(realm) ?? realm
        let password = OpaqueString.prepare(password) ?? password
        return Array(SHA256.hash(data: Array("\(username):\(realm):\(password)".utf8)))
    }

    /// The key for `algorithm` (PASSWORD-ALGORITHM, RFC 8489 §14.12), or `nil` for an algorithm this codec does
    /// not know.
    public static func key(
        username: String,
        realm: String,
        password: String,
        algorithm: STUNPasswordAlgorithm
    ) -> [UInt8]? {
        switch algorithm {
        case .md5:
            return Self.key(username: username, realm: realm, password: password)
        case .sha256:
            return Self.sha256Key(username: username, realm: realm, password: password)
        default:
            return nil
        }
    }

    /// USERHASH: SHA-256(OpaqueString(username) ":" OpaqueString(realm)). RFC 8489 §14.4.
    ///
    /// Where OpaqueString rejects the username or realm, it is used as given.
    public static func userhash(username: String, realm: String) -> [UInt8] {
        let username = OpaqueString.prepare(username) ?? username
        let realm = OpaqueString.prepare(realm) ?? realm
        return Array(SHA256.hash(data: Array("\(username):\(realm)".utf8)))
    }
}
