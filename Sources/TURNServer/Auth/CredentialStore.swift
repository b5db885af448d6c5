import STUNCodec

/// Where long-term keys come from: static users (username → password from the configuration file) and TURN REST
/// shared secrets. RFC 8489 §9.2.2, §14.4; draft-uberti-behave-turn-rest-00 §2.2.
///
/// - Static users: the MD5 and SHA-256 long-term keys (RFC 8489 §9.2.2, §18.5.1) and the USERHASH
///   (RFC 8489 §14.4) of each are computed once, here; passwords are not kept.
/// - TURN REST: the username is `<unix-expiry>` or `<unix-expiry>:<user>`, the password
///   `base64(HMAC-SHA1(secret, username))` (``TimeLimitedCredentials``). Several secrets are accepted at once, so a
///   secret can be rotated without failing the credentials already handed out; each gives one candidate key.
///
/// A username configured as a static user is always a static user, even if it looks like a REST username. Keys are
/// secrets: nothing here logs them or puts them in a description.
public struct CredentialStore: Sendable {
    private struct StaticUser: Sendable {
        var md5Key: [UInt8]
        var sha256Key: [UInt8]
    }

    private struct UserhashEntry: Sendable {
        var userhash: [UInt8]
        var username: String
    }

    /// The realm of every credential (REALM, RFC 8489 §14.9).
    public let realm: String

    private let staticUsers: [String: StaticUser]
    private let userhashes: [UserhashEntry]
    private let restSecrets: [[UInt8]]

    /// Creates the store and derives the static users' keys.
    ///
    /// - Parameters:
    ///   - realm: the realm (`turn.realm`).
    ///   - staticUsers: username → password (`turn.auth.users`). Usernames are used as given; RFC 8489 §14.3 has
    ///     clients send them processed with OpaqueString, which leaves ordinary names unchanged.
    ///   - restSecrets: the TURN REST shared secrets, as UTF-8 text (`turn.auth.sharedSecrets`). Empty strings are
    ///     ignored: they would let anyone compute every password.
    public init(realm: String, staticUsers: [String: String], restSecrets: [String]) {
        self.realm = realm
        var users = [String: StaticUser](minimumCapacity: staticUsers.count)
        var userhashes = [UserhashEntry]()
        userhashes.reserveCapacity(staticUsers.count)
        for (username, password) in staticUsers {
            users[username] = StaticUser(
                md5Key: LongTermCredentials.key(username: username, realm: realm, password: password),
                sha256Key: LongTermCredentials.sha256Key(username: username, realm: realm, password: password)
            )
            userhashes.append(
                UserhashEntry(
                    userhash: LongTermCredentials.userhash(username: username, realm: realm),
                    username: username
                )
            )
        }
        self.staticUsers = users
        self.userhashes = userhashes
        self.restSecrets = restSecrets.filter { !$0.isEmpty }.map { Array($0.utf8) }
    }

    /// Whether TURN REST secrets are configured. Their users cannot be found from a USERHASH, so the server must not
    /// announce username anonymity (RFC 8489 §9.2.5) while they are.
    public var hasRESTSecrets: Bool {
        !self.restSecrets.isEmpty
    }

    /// Candidate keys for a username and password algorithm (PASSWORD-ALGORITHM, RFC 8489 §14.12): MD5 gives the
    /// RFC 8489 §9.2.2 MD5 key, SHA-256 the §18.5.1.2 SHA-256 key.
    ///
    /// A static user has one key (precomputed). A REST username (decimal expiry, optionally followed by `:` and
    /// anything) has one key per secret, computed on the spot; the expiry is not checked here (see
    /// ``restExpiry(username:)``). Empty for unknown users and for algorithms other than MD5 and SHA-256.
    public func candidateKeys(username: String, algorithm: STUNPasswordAlgorithm) -> [[UInt8]] {
        guard algorithm == .md5 || algorithm == .sha256 else {
            return []
        }
        if let user = self.staticUsers[username] {
            return [algorithm == .md5 ? user.md5Key : user.sha256Key]
        }
        guard self.restExpiry(username: username) != nil else {
            return []
        }
        return self.restSecrets.compactMap { secret in
            let password = TimeLimitedCredentials.password(username: username, secret: secret)
            return LongTermCredentials.key(
                username: username,
                realm: self.realm,
                password: password,
                algorithm: algorithm
            )
        }
    }

    /// The static user whose USERHASH (RFC 8489 §14.4: SHA-256 of OpaqueString(username) ":" OpaqueString(realm))
    /// is `hash`, or `nil`.
    ///
    /// REST usernames cannot be hashed ahead of time, so only static users are found. Every entry of the precomputed
    /// table is compared, in constant time.
    public func username(forUserhash hash: some Collection<UInt8>) -> String? {
        var match: String? = nil
        for entry in self.userhashes {
            if ConstantTime.equals(entry.userhash, hash), match == nil {
                match = entry.username
            }
        }
        return match
    }

    /// The expiry (Unix seconds) of a TURN REST username: the decimal digits before the first `:`, or the whole
    /// username if it is only digits. `nil` for static users, for other usernames and when no REST secret is
    /// configured. draft-uberti-behave-turn-rest-00 §2.2.
    public func restExpiry(username: String) -> Int64? {
        guard !self.restSecrets.isEmpty, self.staticUsers[username] == nil else {
            return nil
        }
        return TimeLimitedCredentials.expiry(ofUsername: username)
    }
}
