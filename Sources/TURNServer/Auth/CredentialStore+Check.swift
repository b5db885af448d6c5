import STUNCodec

extension CredentialStore {
    /// What the server would say to a username and password (`switchboard credentials --check`).
    public enum CheckResult: Equatable, Sendable {
        /// A configured static user (`turn.users`) with its password.
        case staticUser
        /// A TURN REST username signed by `turn.secrets[secretIndex]`, valid until `expiry` (Unix seconds).
        case rest(expiry: Int64, secretIndex: Int)
        /// A correctly signed TURN REST username whose expiry has passed: Allocate gets 401.
        case expired(expiry: Int64, secretIndex: Int)
        /// A static user with another password.
        case wrongPassword
        /// A TURN REST username whose password is the HMAC of none of the secrets.
        case badSignature(secrets: Int)
        /// A REST-shaped username while no secret is configured.
        case noSecrets
        /// Neither a static user nor a REST username (`<expiry>` or `<expiry>:<user>`).
        case unknownUser

        /// Whether an Allocate with these credentials would be accepted.
        public var isAccepted: Bool {
            switch self {
            case .staticUser, .rest: return true
            default: return false
            }
        }
    }

    /// Checks `password` for `username` at Unix time `now` the way Allocate does: the same candidate keys
    /// (``candidateKeys(username:algorithm:)``), compared in constant time, then the REST expiry.
    public func check(username: String, password: String, now: Int64) -> CheckResult {
        let key = LongTermCredentials.key(username: username, realm: self.realm, password: password)
        let candidates = self.candidateKeys(username: username, algorithm: .md5)
        guard let expiry = self.restExpiry(username: username) else {
            if !candidates.isEmpty {
                return ConstantTime.equals(candidates[0], key) ? .staticUser : .wrongPassword
            }
            return TimeLimitedCredentials.expiry(ofUsername: username) == nil ? .unknownUser : .noSecrets
        }
        var matched: Int?
        for (index, candidate) in candidates.enumerated() where ConstantTime.equals(candidate, key) && matched == nil {
            matched = index
        }
        guard let secretIndex = matched else {
            return .badSignature(secrets: candidates.count)
        }
        return expiry < now
            ? .expired(expiry: expiry, secretIndex: secretIndex) : .rest(expiry: expiry, secretIndex: secretIndex)
    }
}
