import NIOCore
import STUNCodec
import TestSupport
import Testing

@testable import TURNServer

@Suite struct TURNAuthenticatorTests {
    static let realm = "example.org"
    static let now: Int64 = 1_699_999_000
    static let restUsername = "1700000000:alice"
    static let restPassword = "Cd/49soE35ICqcJF/bCTn8Z4OyE="  // secret "north"
    static let matrixUser = "\u{30DE}\u{30C8}\u{30EA}\u{30C3}\u{30AF}\u{30B9}"

    static let offered = [PasswordAlgorithm(algorithm: .sha256), PasswordAlgorithm(algorithm: .md5)]

    static func makeAuthenticator(
        restSecrets: [String] = ["south", "north"],
        strictExpiry: Bool = false
    ) -> TURNAuthenticator {
        TURNAuthenticator(
            credentials: CredentialStore(
                realm: Self.realm,
                staticUsers: ["alice": "wonderland", Self.matrixUser: "TheMatrIX"],
                restSecrets: restSecrets
            ),
            nonces: NonceIssuer(key: [UInt8](repeating: 0x5A, count: 32), lifetime: .seconds(600)),
            strictExpiry: strictExpiry
        )
    }

    let authenticator = Self.makeAuthenticator()

    static func md5Key(_ username: String, _ password: String) -> [UInt8] {
        LongTermCredentials.key(username: username, realm: Self.realm, password: password)
    }

    static func sha256Key(_ username: String, _ password: String) -> [UInt8] {
        LongTermCredentials.sha256Key(username: username, realm: Self.realm, password: password)
    }

    var nonce: String {
        self.authenticator.nonces.makeNonce(now: Self.now)
    }

    enum Integrity {
        case none
        case sha1([UInt8])
        case sha256([UInt8])
        case both(sha1: [UInt8], sha256: [UInt8])
    }

    /// A request built as a client would, decoded back so that integrity is checked on real bytes.
    static func request(
        method: STUNMethod = .allocate,
        username: String? = nil,
        userhash: [UInt8]? = nil,
        realm: String? = Self.realm,
        nonce: String?,
        passwordAlgorithms: [PasswordAlgorithm]? = nil,
        passwordAlgorithm: PasswordAlgorithm? = nil,
        integrity: Integrity,
        fingerprint: Bool = false
    ) throws -> STUNMessage {
        var writer = STUNMessageWriter(
            type: STUNMessageType(method: method, messageClass: .request),
            transactionID: .random(),
            buffer: ByteBuffer()
        )
        writer.append(RequestedTransport(protocolNumber: 17))
        if let username {
            writer.append(Username(username))
        }
        if let userhash {
            writer.append(Userhash(hash: userhash))
        }
        if let realm {
            writer.append(Realm(realm))
        }
        if let nonce {
            writer.append(Nonce(nonce))
        }
        if let passwordAlgorithms {
            writer.append(PasswordAlgorithms(passwordAlgorithms))
        }
        if let passwordAlgorithm {
            writer.append(passwordAlgorithm)
        }
        switch integrity {
        case .none:
            break
        case .sha1(let key):
            writer.appendMessageIntegrity(key: key)
        case .sha256(let key):
            writer.appendMessageIntegritySHA256(key: key)
        case .both(let sha1, let sha256):
            writer.appendMessageIntegrity(key: sha1)
            writer.appendMessageIntegritySHA256(key: sha256)
        }
        if fingerprint {
            writer.appendFingerprint()
        }
        return try STUNMessage.decode(writer.finish())
    }

    func authenticate(
        _ message: STUNMessage,
        isAllocate: Bool = true,
        now: Int64 = Self.now
    ) -> TURNAuthenticationResult {
        self.authenticator.authenticate(message, isAllocate: isAllocate, now: now)
    }

    // MARK: - Success

    @Test func staticUserWithMD5() throws {
        let key = Self.md5Key("alice", "wonderland")
        let message = try Self.request(username: "alice", nonce: self.nonce, integrity: .sha1(key), fingerprint: true)
        #expect(self.authenticate(message) == .authenticated(username: "alice", key: key, useSHA256: false))
    }

    @Test func restUserWithEitherSecret() throws {
        let key = Self.md5Key(Self.restUsername, Self.restPassword)
        let message = try Self.request(username: Self.restUsername, nonce: self.nonce, integrity: .sha1(key))
        #expect(self.authenticate(message) == .authenticated(username: Self.restUsername, key: key, useSHA256: false))

        // The first secret of the rotation works as well.
        let south = TimeLimitedCredentials.password(username: Self.restUsername, secret: Array("south".utf8))
        let southKey = Self.md5Key(Self.restUsername, south)
        let southMessage = try Self.request(username: Self.restUsername, nonce: self.nonce, integrity: .sha1(southKey))
        #expect(
            self.authenticate(southMessage)
                == .authenticated(username: Self.restUsername, key: southKey, useSHA256: false)
        )
    }

    @Test func sha256PasswordAlgorithmAndIntegrity() throws {
        let key = Self.sha256Key("alice", "wonderland")
        let message = try Self.request(
            username: "alice",
            nonce: self.nonce,
            passwordAlgorithms: Self.offered,
            passwordAlgorithm: PasswordAlgorithm(algorithm: .sha256),
            integrity: .sha256(key),
            fingerprint: true
        )
        #expect(self.authenticate(message) == .authenticated(username: "alice", key: key, useSHA256: true))
    }

    @Test func restUserWithSHA256() throws {
        let key = Self.sha256Key(Self.restUsername, Self.restPassword)
        let message = try Self.request(
            username: Self.restUsername,
            nonce: self.nonce,
            passwordAlgorithms: Self.offered,
            passwordAlgorithm: PasswordAlgorithm(algorithm: .sha256),
            integrity: .sha256(key)
        )
        #expect(self.authenticate(message) == .authenticated(username: Self.restUsername, key: key, useSHA256: true))
    }

    /// RFC 8489 §9.2.4, last paragraph: a request that negotiated answers with MESSAGE-INTEGRITY-SHA256 even if it
    /// chose MD5 and signed with MESSAGE-INTEGRITY...
    @Test func negotiatedMD5IsAnsweredWithSHA256Integrity() throws {
        let key = Self.md5Key("alice", "wonderland")
        let message = try Self.request(
            username: "alice",
            nonce: self.nonce,
            passwordAlgorithms: Self.offered,
            passwordAlgorithm: PasswordAlgorithm(algorithm: .md5),
            integrity: .sha1(key)
        )
        #expect(self.authenticate(message) == .authenticated(username: "alice", key: key, useSHA256: true))
    }

    /// ... and one that did not negotiate gets MESSAGE-INTEGRITY even if it signed with MESSAGE-INTEGRITY-SHA256.
    @Test func legacyRequestWithSHA256IntegrityIsAnsweredWithSHA1() throws {
        let key = Self.md5Key("alice", "wonderland")
        let message = try Self.request(username: "alice", nonce: self.nonce, integrity: .sha256(key))
        #expect(self.authenticate(message) == .authenticated(username: "alice", key: key, useSHA256: false))
    }

    @Test func sha256IntegrityIsPreferredWhenBothArePresent() throws {
        let key = Self.md5Key("alice", "wonderland")
        let good = try Self.request(username: "alice", nonce: self.nonce, integrity: .both(sha1: key, sha256: key))
        #expect(self.authenticate(good) == .authenticated(username: "alice", key: key, useSHA256: false))
        let badSHA256 = try Self.request(
            username: "alice",
            nonce: self.nonce,
            integrity: .both(sha1: key, sha256: Self.md5Key("alice", "wrong"))
        )
        #expect(
            self.authenticate(badSHA256) == .rejected(code: .unauthenticated, reason: .badIntegrity, challenge: true)
        )
    }

    @Test func userhashOfStaticUser() throws {
        let key = Self.sha256Key("alice", "wonderland")
        let message = try Self.request(
            userhash: LongTermCredentials.userhash(username: "alice", realm: Self.realm),
            nonce: self.nonce,
            passwordAlgorithms: Self.offered,
            passwordAlgorithm: PasswordAlgorithm(algorithm: .sha256),
            integrity: .sha256(key)
        )
        #expect(self.authenticate(message) == .authenticated(username: "alice", key: key, useSHA256: true))
    }

    @Test func usernameIsPreferredOverUserhash() throws {
        let key = Self.md5Key("alice", "wonderland")
        let message = try Self.request(
            username: "alice",
            userhash: [UInt8](repeating: 0, count: 32),
            nonce: self.nonce,
            integrity: .sha1(key)
        )
        #expect(self.authenticate(message) == .authenticated(username: "alice", key: key, useSHA256: false))
    }

    // MARK: - RFC vectors

    /// RFC 8489 Appendix B.1: USERHASH, PASSWORD-ALGORITHM SHA-256 and MESSAGE-INTEGRITY-SHA256. Its nonce is not
    /// one of ours, so the nonce check is supplied by the test.
    @Test func rfc8489SampleRequest() throws {
        let message = try STUNMessage.decode(ByteBuffer(bytes: STUNVectors.sha256LongTermRequest))
        let result = self.authenticator.authenticate(message, isAllocate: false, now: Self.now) { nonce in
            nonce == "obMatJos2AAACf//499k954d6OL34oL9FSTvy64sA" ? .valid : .invalid
        }
        #expect(
            result
                == .authenticated(
                    username: Self.matrixUser,
                    key: Self.sha256Key(Self.matrixUser, "TheMatrIX"),
                    useSHA256: true
                )
        )
        // With the real issuer, the credentials verify and then the nonce is refused: 438.
        #expect(
            self.authenticate(message, isAllocate: false)
                == .rejected(code: .staleNonce, reason: .staleNonce, challenge: true)
        )
    }

    /// RFC 5769 §2.4: USERNAME, MD5 key with SASLprep'd password, MESSAGE-INTEGRITY, an RFC 5389 nonce.
    @Test func rfc5769SampleRequest() throws {
        let message = try STUNMessage.decode(ByteBuffer(bytes: STUNVectors.sampleLongTermRequest))
        let result = self.authenticator.authenticate(message, isAllocate: false, now: Self.now) { _ in .valid }
        #expect(
            result
                == .authenticated(
                    username: Self.matrixUser,
                    key: Self.md5Key(Self.matrixUser, "TheMatrIX"),
                    useSHA256: false
                )
        )
        #expect(
            self.authenticate(message, isAllocate: false)
                == .rejected(code: .staleNonce, reason: .staleNonce, challenge: true)
        )
    }

    // MARK: - Rejections

    @Test func noIntegrityIsChallenged() throws {
        let bare = try Self.request(realm: nil, nonce: nil, integrity: .none)
        #expect(
            self.authenticate(bare) == .rejected(code: .unauthenticated, reason: .missingCredentials, challenge: true)
        )
        let withUsername = try Self.request(username: "alice", nonce: self.nonce, integrity: .none)
        #expect(
            self.authenticate(withUsername)
                == .rejected(code: .unauthenticated, reason: .missingCredentials, challenge: true)
        )
    }

    @Test func missingAttributesAreBadRequests() throws {
        let key = Self.md5Key("alice", "wonderland")
        let badRequest = TURNAuthenticationResult.rejected(code: .badRequest, reason: .badRequest, challenge: false)
        let noUsername = try Self.request(nonce: self.nonce, integrity: .sha1(key))
        #expect(self.authenticate(noUsername) == badRequest)
        let noRealm = try Self.request(username: "alice", realm: nil, nonce: self.nonce, integrity: .sha1(key))
        #expect(self.authenticate(noRealm) == badRequest)
        let noNonce = try Self.request(username: "alice", nonce: nil, integrity: .sha1(key))
        #expect(self.authenticate(noNonce) == badRequest)
        let noneOfThem = try Self.request(realm: nil, nonce: nil, integrity: .sha256(key))
        #expect(self.authenticate(noneOfThem) == badRequest)
    }

    @Test func malformedAttributesAreBadRequests() throws {
        let key = Self.md5Key("alice", "wonderland")
        // A USERHASH of the wrong length, a USERNAME that is not UTF-8.
        for (type, value) in [
            (STUNAttributeType.userhash, [UInt8](repeating: 1, count: 31)), (.username, [0xFF, 0xFE]),
        ] {
            var writer = STUNMessageWriter(
                type: .init(method: .allocate, messageClass: .request),
                transactionID: .random(),
                buffer: ByteBuffer()
            )
            writer.appendRaw(type: type, value: ByteBuffer(bytes: value))
            writer.append(Realm(Self.realm))
            writer.append(Nonce(self.nonce))
            writer.appendMessageIntegrity(key: key)
            let message = try STUNMessage.decode(writer.finish())
            #expect(self.authenticate(message) == .rejected(code: .badRequest, reason: .badRequest, challenge: false))
        }
    }

    @Test(
        arguments: [
            // PASSWORD-ALGORITHM alone, PASSWORD-ALGORITHMS alone.
            (nil, PasswordAlgorithm(algorithm: .sha256)),
            ([PasswordAlgorithm(algorithm: .sha256), PasswordAlgorithm(algorithm: .md5)], nil),
            // A list other than the one offered: reordered, shortened, extended.
            (
                [PasswordAlgorithm(algorithm: .md5), PasswordAlgorithm(algorithm: .sha256)],
                PasswordAlgorithm(algorithm: .sha256)
            ),
            ([PasswordAlgorithm(algorithm: .sha256)], PasswordAlgorithm(algorithm: .sha256)),
            (
                [
                    PasswordAlgorithm(algorithm: .sha256), PasswordAlgorithm(algorithm: .md5),
                    PasswordAlgorithm(algorithm: STUNPasswordAlgorithm(rawValue: 3)),
                ],
                PasswordAlgorithm(algorithm: .sha256)
            ),
            // A choice not in the list.
            (
                [PasswordAlgorithm(algorithm: .sha256), PasswordAlgorithm(algorithm: .md5)],
                PasswordAlgorithm(algorithm: STUNPasswordAlgorithm(rawValue: 3))
            ),
            (
                [PasswordAlgorithm(algorithm: .sha256), PasswordAlgorithm(algorithm: .md5)],
                PasswordAlgorithm(algorithm: .sha256, parameters: [1, 2, 3, 4])
            ),
        ] as [([PasswordAlgorithm]?, PasswordAlgorithm?)]
    )
    func passwordAlgorithmMismatchIsBadRequest(list: [PasswordAlgorithm]?, choice: PasswordAlgorithm?) throws {
        let key = Self.sha256Key("alice", "wonderland")
        let message = try Self.request(
            username: "alice",
            nonce: self.nonce,
            passwordAlgorithms: list,
            passwordAlgorithm: choice,
            integrity: .sha256(key)
        )
        #expect(self.authenticate(message) == .rejected(code: .badRequest, reason: .badRequest, challenge: false))
    }

    @Test func unknownUsersAreChallenged() throws {
        let unknown = TURNAuthenticationResult.rejected(code: .unauthenticated, reason: .unknownUser, challenge: true)
        let key = Self.md5Key("carol", "secret")
        #expect(
            self.authenticate(try Self.request(username: "carol", nonce: self.nonce, integrity: .sha1(key))) == unknown
        )
        let userhash = try Self.request(
            userhash: LongTermCredentials.userhash(username: "carol", realm: Self.realm),
            nonce: self.nonce,
            integrity: .sha1(key)
        )
        #expect(self.authenticate(userhash) == unknown)
        // A REST username's USERHASH cannot be resolved.
        let restUserhash = try Self.request(
            userhash: LongTermCredentials.userhash(username: Self.restUsername, realm: Self.realm),
            nonce: self.nonce,
            integrity: .sha1(Self.md5Key(Self.restUsername, Self.restPassword))
        )
        #expect(self.authenticate(restUserhash) == unknown)
        // A REST username on a server without secrets.
        let staticOnly = Self.makeAuthenticator(restSecrets: [])
        let rest = try Self.request(
            username: Self.restUsername,
            nonce: staticOnly.nonces.makeNonce(now: Self.now),
            integrity: .sha1(Self.md5Key(Self.restUsername, Self.restPassword))
        )
        #expect(staticOnly.authenticate(rest, isAllocate: true, now: Self.now) == unknown)
    }

    @Test func wrongRealmIsChallenged() throws {
        let key = LongTermCredentials.key(username: "alice", realm: "other.org", password: "wonderland")
        let message = try Self.request(username: "alice", realm: "other.org", nonce: self.nonce, integrity: .sha1(key))
        #expect(self.authenticate(message) == .rejected(code: .unauthenticated, reason: .unknownUser, challenge: true))
    }

    @Test func wrongPasswordOrSecretIsChallenged() throws {
        let badIntegrity = TURNAuthenticationResult.rejected(
            code: .unauthenticated,
            reason: .badIntegrity,
            challenge: true
        )
        let wrongPassword = try Self.request(
            username: "alice",
            nonce: self.nonce,
            integrity: .sha1(Self.md5Key("alice", "wrong"))
        )
        #expect(self.authenticate(wrongPassword) == badIntegrity)

        let wrongSecret = TimeLimitedCredentials.password(username: Self.restUsername, secret: Array("west".utf8))
        let rest = try Self.request(
            username: Self.restUsername,
            nonce: self.nonce,
            integrity: .sha1(Self.md5Key(Self.restUsername, wrongSecret))
        )
        #expect(self.authenticate(rest) == badIntegrity)

        // Right password, wrong key derivation: SHA-256 key announced as MD5.
        let wrongAlgorithm = try Self.request(
            username: "alice",
            nonce: self.nonce,
            passwordAlgorithms: Self.offered,
            passwordAlgorithm: PasswordAlgorithm(algorithm: .md5),
            integrity: .sha256(Self.sha256Key("alice", "wonderland"))
        )
        #expect(self.authenticate(wrongAlgorithm) == badIntegrity)
    }

    @Test func expiredRESTUsername() throws {
        let key = Self.md5Key(Self.restUsername, Self.restPassword)
        let atExpiry: Int64 = 1_700_000_000
        let afterExpiry: Int64 = 1_700_000_001
        let nonce = self.authenticator.nonces.makeNonce(now: atExpiry)
        let allocate = try Self.request(username: Self.restUsername, nonce: nonce, integrity: .sha1(key))
        let refresh = try Self.request(
            method: .refresh,
            username: Self.restUsername,
            nonce: nonce,
            integrity: .sha1(key)
        )
        let expired = TURNAuthenticationResult.rejected(code: .unauthenticated, reason: .expired, challenge: true)
        let accepted = TURNAuthenticationResult.authenticated(username: Self.restUsername, key: key, useSHA256: false)

        // Valid up to and including the expiry second.
        #expect(self.authenticate(allocate, isAllocate: true, now: atExpiry) == accepted)
        #expect(self.authenticate(allocate, isAllocate: true, now: afterExpiry) == expired)
        #expect(self.authenticate(refresh, isAllocate: false, now: afterExpiry) == accepted)

        let strict = Self.makeAuthenticator(strictExpiry: true)
        #expect(strict.authenticate(refresh, isAllocate: false, now: afterExpiry) == expired)
        #expect(strict.authenticate(refresh, isAllocate: false, now: atExpiry) == accepted)

        // Expiry is only reported for genuine credentials.
        let forged = try Self.request(
            username: Self.restUsername,
            nonce: nonce,
            integrity: .sha1(Self.md5Key(Self.restUsername, "guess"))
        )
        #expect(
            self.authenticate(forged, isAllocate: true, now: afterExpiry)
                == .rejected(code: .unauthenticated, reason: .badIntegrity, challenge: true)
        )
    }

    @Test func staleOrForeignNonceGets438() throws {
        let key = Self.md5Key("alice", "wonderland")
        let stale438 = TURNAuthenticationResult.rejected(code: .staleNonce, reason: .staleNonce, challenge: true)
        let stale = try Self.request(username: "alice", nonce: self.nonce, integrity: .sha1(key))
        #expect(self.authenticate(stale, now: Self.now + 601) == stale438)

        let otherProcess = NonceIssuer(key: [UInt8](repeating: 1, count: 32), lifetime: .seconds(600))
        for nonce in [
            "garbage", otherProcess.makeNonce(now: Self.now), "obMatJos2AAAB" + String(repeating: "0", count: 64),
        ] {
            let message = try Self.request(username: "alice", nonce: nonce, integrity: .sha1(key))
            #expect(self.authenticate(message) == stale438, "\(nonce)")
        }
    }

    /// RFC 8489 §9.2.4 order: the nonce is checked last, so bad credentials get 401 even with a stale nonce.
    @Test func badCredentialsWinOverStaleNonce() throws {
        let message = try Self.request(
            username: "alice",
            nonce: "garbage",
            integrity: .sha1(Self.md5Key("alice", "wrong"))
        )
        #expect(self.authenticate(message) == .rejected(code: .unauthenticated, reason: .badIntegrity, challenge: true))
        let unknown = try Self.request(username: "carol", nonce: "garbage", integrity: .sha1(Self.md5Key("carol", "x")))
        #expect(self.authenticate(unknown) == .rejected(code: .unauthenticated, reason: .unknownUser, challenge: true))
    }

    // MARK: - Challenge

    @Test func challengeCarriesRealmNonceAndAlgorithms() throws {
        let response = try self.challengeResponse(self.authenticator)
        #expect(try response.attribute(Realm.self)?.value == Self.realm)
        #expect(try response.attribute(PasswordAlgorithms.self)?.algorithms == Self.offered)
        let nonce = try #require(try response.attribute(Nonce.self)).value
        #expect(self.authenticator.nonces.validate(nonce, now: Self.now) == .valid)
        // REST secrets configured: no username anonymity (clients would send a USERHASH we cannot resolve).
        #expect(NonceIssuer.securityFeatures(ofNonce: nonce) == .passwordAlgorithms)
        #expect(response.attributes.map(\.type) == [.errorCode, .realm, .nonce, .passwordAlgorithms])
    }

    @Test func staticOnlyServersOfferUsernameAnonymity() throws {
        let staticOnly = Self.makeAuthenticator(restSecrets: [])
        let nonce = try #require(try self.challengeResponse(staticOnly).attribute(Nonce.self)).value
        #expect(NonceIssuer.securityFeatures(ofNonce: nonce) == [.passwordAlgorithms, .usernameAnonymity])
    }

    @Test func challengeWithoutPasswordAlgorithmsFeature() throws {
        let authenticator = TURNAuthenticator(
            credentials: CredentialStore(realm: Self.realm, staticUsers: ["alice": "wonderland"], restSecrets: []),
            nonces: NonceIssuer(key: [1], lifetime: .seconds(60), securityFeatures: []),
            strictExpiry: false
        )
        let response = try self.challengeResponse(authenticator)
        #expect(response.attributes.map(\.type) == [.errorCode, .realm, .nonce])
        #expect(try response.attribute(Nonce.self)?.value.hasPrefix("obMatJos2AAAA") == true)
    }

    /// The whole exchange as an RFC 8489 client runs it (§9.2.5): 401, then a retry built from the challenge.
    @Test func clientRoundTrip() throws {
        let first = try Self.request(realm: nil, nonce: nil, integrity: .none)
        guard case .rejected(let code, _, true) = self.authenticate(first) else {
            Issue.record("expected a challenge")
            return
        }
        #expect(code == .unauthenticated)
        let challenge = try self.challengeResponse(self.authenticator)
        let realm = try #require(try challenge.attribute(Realm.self)).value
        let nonce = try #require(try challenge.attribute(Nonce.self)).value
        let algorithms = try #require(try challenge.attribute(PasswordAlgorithms.self)).algorithms
        let chosen = try #require(algorithms.first)
        let key = try #require(
            LongTermCredentials.key(
                username: "alice",
                realm: realm,
                password: "wonderland",
                algorithm: chosen.algorithm
            )
        )
        let retry = try Self.request(
            username: "alice",
            realm: realm,
            nonce: nonce,
            passwordAlgorithms: algorithms,
            passwordAlgorithm: chosen,
            integrity: .sha256(key),
            fingerprint: true
        )
        #expect(self.authenticate(retry) == .authenticated(username: "alice", key: key, useSHA256: true))
    }

    @Test func descriptionHidesTheKey() {
        let key: [UInt8] = [0xDE, 0xAD, 0xBE, 0xEF]
        let result = TURNAuthenticationResult.authenticated(username: "alice", key: key, useSHA256: true)
        let text = "\(result)"
        #expect(text == "authenticated(username: alice, useSHA256: true)")
        #expect(!text.contains("222"))  // 0xDE
        #expect(
            "\(TURNAuthenticationResult.rejected(code: .staleNonce, reason: .staleNonce, challenge: true))"
                == "rejected(code: 438, reason: stale_nonce, challenge: true)"
        )
    }

    private func challengeResponse(_ authenticator: TURNAuthenticator) throws -> STUNMessage {
        var writer = STUNMessageWriter(
            type: STUNMessageType(method: .allocate, messageClass: .errorResponse),
            transactionID: .random(),
            buffer: ByteBuffer()
        )
        writer.append(ErrorCodeAttribute(code: .unauthenticated))
        authenticator.appendChallenge(to: &writer, now: Self.now)
        return try STUNMessage.decode(writer.finish())
    }
}
