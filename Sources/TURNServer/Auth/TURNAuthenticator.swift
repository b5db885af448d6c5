import STUNCodec

/// The long-term credential checks a TURN server runs on every request but Binding. RFC 8489 §9.2.4; RFC 8656 §5.
///
/// Pure and cheap (a few HMACs and hashes), so it runs on the event loop. It decides; the caller writes the response:
/// a success signed with the returned key, or an unsigned error with ``appendChallenge(to:now:)`` when asked.
///
/// The checks, in the order of RFC 8489 §9.2.4:
///
/// 1. No MESSAGE-INTEGRITY nor MESSAGE-INTEGRITY-SHA256 → 401, challenge
///    (``TURNAuthenticationResult/FailureReason/missingCredentials``).
/// 2. Integrity present but USERNAME and USERHASH, REALM or NONCE missing (or malformed) → 400, no challenge.
/// 3. If the NONCE's cookie announces "Password algorithms": when the request carries PASSWORD-ALGORITHMS or
///    PASSWORD-ALGORITHM, both must be present, PASSWORD-ALGORITHMS must equal ``offeredPasswordAlgorithms`` and
///    PASSWORD-ALGORITHM must be one of them → else 400, no challenge. Neither present means MD5.
/// 4. REALM other than ours, unknown USERNAME or USERHASH (or a REST username while no secret is configured) → 401,
///    challenge (``TURNAuthenticationResult/FailureReason/unknownUser``; never 400, unlike pion).
/// 5. Integrity wrong for every candidate key → 401, challenge. MESSAGE-INTEGRITY-SHA256 is checked when present,
///    MESSAGE-INTEGRITY otherwise. A request about an existing allocation also has that allocation's own key as a
///    candidate (``PinnedCredential``), so steps 4 and 5 pass for it after a reload removed its user or secret.
/// 6. A TURN REST username past its expiry → 401, challenge, for Allocate or with `strictExpiry`; otherwise accepted,
///    so Refresh, CreatePermission and ChannelBind keep an allocation running past the credential's expiry (LiveKit's
///    and eturnal's default).
/// 7. NONCE stale, or not ours at all (another process's key, tampered with) → 438 with a fresh nonce, as coturn and
///    pion do.
///
/// As in the RFC, the nonce comes last: a client only learns that its nonce is stale once its credentials have
/// proven good, and one with a wrong password gets 401 and stops rather than retrying through a 438 first.
/// Rejections never echo USERNAME or USERHASH and never carry keys.
public struct TURNAuthenticator: Sendable {
    /// The algorithms listed in PASSWORD-ALGORITHMS, in order of preference (RFC 8489 §14.11): SHA-256, then MD5
    /// for clients that only have MD5 (RFC 8489 §18.5.1.1). RFC 8489 §9.2.5 clients pick the first they support.
    public static let offeredPasswordAlgorithms = [
        PasswordAlgorithm(algorithm: .sha256),
        PasswordAlgorithm(algorithm: .md5),
    ]

    /// Where keys come from.
    public let credentials: CredentialStore

    /// The nonce issuer, as used: without username anonymity when ``credentials`` has TURN REST secrets.
    public let nonces: NonceIssuer

    /// Whether an expired TURN REST username is rejected on every request, not only on Allocate
    /// (eturnal's `strict_expiry`).
    public let strictExpiry: Bool

    /// Creates an authenticator.
    ///
    /// RFC 8489 §9.2.5 makes a client that sees the "Username anonymity" feature send USERHASH, which can only name
    /// a static user. So when `credentials` has TURN REST secrets, the feature is removed from `nonces` (REST clients
    /// such as libjuice would otherwise fail); with static users only, it is kept as given.
    ///
    /// - Parameters:
    ///   - credentials: the users and secrets.
    ///   - nonces: the nonce issuer (its key is random per process).
    ///   - strictExpiry: reject expired REST usernames on every request, not only on Allocate.
    public init(credentials: CredentialStore, nonces: NonceIssuer, strictExpiry: Bool) {
        self.credentials = credentials
        if credentials.hasRESTSecrets && nonces.securityFeatures.contains(.usernameAnonymity) {
            self.nonces = nonces.withSecurityFeatures(nonces.securityFeatures.subtracting(.usernameAnonymity))
        } else {
            self.nonces = nonces
        }
        self.strictExpiry = strictExpiry
    }

    // MARK: - Checking a request

    /// The username and long-term key an existing allocation was created with (RFC 8656 §5): requests on that
    /// allocation may be signed with it even once the credentials in force no longer hold that user or secret.
    public struct PinnedCredential: Sendable {
        public var username: String
        /// A secret: never logged.
        public var key: [UInt8]

        public init(username: String, key: [UInt8]) {
            self.username = username
            self.key = key
        }
    }

    /// Runs the RFC 8489 §9.2.4 checks (see the type's documentation) on a request.
    ///
    /// - Parameters:
    ///   - message: the request, as decoded (integrity is checked against its received bytes).
    ///   - isAllocate: whether it is an Allocate request (expired REST usernames are always refused there).
    ///   - now: the current time, Unix seconds (nonce age and REST expiry).
    ///   - pinned: the credential of the allocation the request is about, if any: when the request's username is
    ///     the pinned one, the pinned key is one more candidate in step 5 (so a secret rotated or a user removed by
    ///     a reload does not end an allocation made before it).
    public func authenticate(
        _ message: STUNMessage,
        isAllocate: Bool,
        now: Int64,
        pinned: PinnedCredential? = nil
    ) -> TURNAuthenticationResult {
        self.authenticate(message, isAllocate: isAllocate, now: now, pinned: pinned) { nonce in
            self.nonces.validate(nonce, now: now)
        }
    }

    /// ``authenticate(_:isAllocate:now:)`` with the nonce check supplied by the caller, which the last step (7)
    /// uses. Lets tests run the RFC 8489 Appendix B.1 request, whose nonce no issuer of ours produced.
    func authenticate(
        _ message: STUNMessage,
        isAllocate: Bool,
        now: Int64,
        pinned: PinnedCredential? = nil,
        validateNonce: (String) -> NonceValidity
    ) -> TURNAuthenticationResult {
        // 1. RFC 8489 §9.2.4: no integrity attribute at all → 401 with a challenge.
        let hasIntegritySHA256 = message.contains(.messageIntegritySHA256)
        guard hasIntegritySHA256 || message.contains(.messageIntegrity) else {
            return .rejected(code: .unauthenticated, reason: .missingCredentials, challenge: true)
        }

        // 2. USERNAME or USERHASH, REALM and NONCE must be present (and decodable) → else 400.
        guard let identity = Self.identity(in: message),
            let realm = try? message.attribute(Realm.self),
            let nonce = try? message.attribute(Nonce.self)
        else {
            return Self.badRequest
        }

        // 3. Password algorithm negotiation → 400 on a mismatch.
        guard let (algorithm, negotiated) = Self.passwordAlgorithm(of: message, nonce: nonce.value) else {
            return Self.badRequest
        }

        // 4. Username (and realm) known → else 401.
        guard realm.value == self.credentials.realm else {
            return .rejected(code: .unauthenticated, reason: .unknownUser, challenge: true)
        }
        let username: String
        switch identity {
        case .username(let value):
            username = value
        case .userhash(let hash):
            guard let match = self.credentials.username(forUserhash: hash) else {
                return .rejected(code: .unauthenticated, reason: .unknownUser, challenge: true)
            }
            username = match
        }
        var keys = self.credentials.candidateKeys(username: username, algorithm: algorithm)
        if let pinned, pinned.username == username, !pinned.key.isEmpty {
            keys.append(pinned.key)
        }
        guard !keys.isEmpty else {
            return .rejected(code: .unauthenticated, reason: .unknownUser, challenge: true)
        }

        // 5. Integrity: MESSAGE-INTEGRITY-SHA256 when present, else MESSAGE-INTEGRITY (constant-time compares).
        let matchingKey = keys.first { key in
            hasIntegritySHA256
                ? message.isMessageIntegritySHA256Valid(key: key) : message.isMessageIntegrityValid(key: key)
        }
        guard let key = matchingKey else {
            return .rejected(code: .unauthenticated, reason: .badIntegrity, challenge: true)
        }

        // 6. TURN REST expiry (draft-uberti-behave-turn-rest-00 §2.2), only once the credentials proved genuine.
        if let expiry = self.credentials.restExpiry(username: username), expiry < now,
            isAllocate || self.strictExpiry
        {
            return .rejected(code: .unauthenticated, reason: .expired, challenge: true)
        }

        // 7. Nonce freshness → 438 with a fresh nonce.
        guard validateNonce(nonce.value) == .valid else {
            return .rejected(code: .staleNonce, reason: .staleNonce, challenge: true)
        }

        return .authenticated(username: username, key: key, useSHA256: negotiated)
    }

    // MARK: - Challenge

    /// Appends REALM, a fresh NONCE and, when the nonce announces the feature, PASSWORD-ALGORITHMS
    /// (``offeredPasswordAlgorithms``) to an error response being written: the challenge of a 401 or 438.
    /// RFC 8489 §9.2.4, §14.9–§14.11.
    ///
    /// - Parameters:
    ///   - writer: the error response, after ERROR-CODE and before any FINGERPRINT.
    ///   - now: the current time, Unix seconds.
    public func appendChallenge(to writer: inout STUNMessageWriter, now: Int64) {
        writer.append(Realm(self.credentials.realm))
        writer.append(Nonce(self.nonces.makeNonce(now: now)))
        if self.nonces.securityFeatures.contains(.passwordAlgorithms) {
            writer.append(PasswordAlgorithms(Self.offeredPasswordAlgorithms))
        }
    }

    // MARK: - Private

    private static let badRequest = TURNAuthenticationResult.rejected(
        code: .badRequest,
        reason: .badRequest,
        challenge: false
    )

    private enum Identity {
        case username(String)
        case userhash([UInt8])
    }

    /// USERNAME if present, else USERHASH; `nil` if neither is present or the one used does not decode.
    private static func identity(in message: STUNMessage) -> Identity? {
        if message.contains(.username) {
            return (try? message.attribute(Username.self)).map { .username($0.value) }
        }
        if message.contains(.userhash) {
            return (try? message.attribute(Userhash.self)).map { .userhash($0.hash) }
        }
        return nil
    }

    /// The password algorithm of the request's key and whether the request negotiated it; `nil` → 400.
    /// RFC 8489 §9.2.4 (third check), §14.11, §14.12.
    ///
    /// When the NONCE's cookie announces "Password algorithms" (all nonces of ours do), the RFC rules apply. When it
    /// does not (a nonce that is not ours, rejected later with 438, or the RFC 8489 Appendix B.1 request), there was
    /// no negotiation to verify: PASSWORD-ALGORITHM selects the key if it names MD5 or SHA-256, else it is 400.
    private static func passwordAlgorithm(
        of message: STUNMessage,
        nonce: String
    ) -> (algorithm: STUNPasswordAlgorithm, negotiated: Bool)? {
        let hasList = message.contains(.passwordAlgorithms)
        let hasChoice = message.contains(.passwordAlgorithm)
        guard hasList || hasChoice else {
            // Processed as though PASSWORD-ALGORITHM were MD5.
            return (.md5, false)
        }
        let choice: PasswordAlgorithm?
        if hasChoice {
            guard let decoded = try? message.attribute(PasswordAlgorithm.self) else {
                return nil
            }
            choice = decoded
        } else {
            choice = nil
        }

        if NonceIssuer.securityFeatures(ofNonce: nonce)?.contains(.passwordAlgorithms) == true {
            guard let choice, let list = try? message.attribute(PasswordAlgorithms.self),
                list.algorithms == Self.offeredPasswordAlgorithms, list.algorithms.contains(choice)
            else {
                return nil
            }
            return (choice.algorithm, true)
        }

        guard let choice else {
            return (.md5, true)
        }
        guard choice.parameters.isEmpty, choice.algorithm == .md5 || choice.algorithm == .sha256 else {
            return nil
        }
        return (choice.algorithm, true)
    }
}
