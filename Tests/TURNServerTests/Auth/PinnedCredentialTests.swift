import STUNCodec
import Testing

@testable import TURNServer

/// A reload that rotates a secret or removes a user must not end allocations made before it: requests on an
/// allocation may be signed with the key its Allocate used (``TURNAuthenticator/PinnedCredential``).
@Suite struct PinnedCredentialTests {
    typealias Base = TURNAuthenticatorTests

    /// The credentials after a reload: secret "north" rotated out, static user "alice" removed.
    let reloaded = TURNAuthenticator(
        credentials: CredentialStore(realm: Base.realm, staticUsers: [:], restSecrets: ["east"]),
        nonces: NonceIssuer(key: [UInt8](repeating: 0x5A, count: 32), lifetime: .seconds(600)),
        strictExpiry: false
    )

    var nonce: String { self.reloaded.nonces.makeNonce(now: Base.now) }

    @Test func rotatedSecretIsAcceptedOnlyWithThePinnedKey() throws {
        let oldKey = Base.md5Key(Base.restUsername, Base.restPassword)
        let refresh = try Base.request(
            method: .refresh,
            username: Base.restUsername,
            nonce: self.nonce,
            integrity: .sha1(oldKey)
        )
        #expect(
            self.reloaded.authenticate(refresh, isAllocate: false, now: Base.now)
                == .rejected(code: .unauthenticated, reason: .badIntegrity, challenge: true)
        )
        let pinned = TURNAuthenticator.PinnedCredential(username: Base.restUsername, key: oldKey)
        #expect(
            self.reloaded.authenticate(refresh, isAllocate: false, now: Base.now, pinned: pinned)
                == .authenticated(username: Base.restUsername, key: oldKey, useSHA256: false)
        )
    }

    @Test func removedStaticUserIsAcceptedOnlyWithThePinnedKey() throws {
        let key = Base.md5Key("alice", "wonderland")
        let refresh = try Base.request(method: .refresh, username: "alice", nonce: self.nonce, integrity: .sha1(key))
        #expect(
            self.reloaded.authenticate(refresh, isAllocate: false, now: Base.now)
                == .rejected(code: .unauthenticated, reason: .unknownUser, challenge: true)
        )
        let pinned = TURNAuthenticator.PinnedCredential(username: "alice", key: key)
        #expect(
            self.reloaded.authenticate(refresh, isAllocate: false, now: Base.now, pinned: pinned)
                == .authenticated(username: "alice", key: key, useSHA256: false)
        )
    }

    @Test func thePinnedKeyServesOnlyItsUsername() throws {
        let key = Base.md5Key("alice", "wonderland")
        let refresh = try Base.request(method: .refresh, username: "bob", nonce: self.nonce, integrity: .sha1(key))
        let pinned = TURNAuthenticator.PinnedCredential(username: "alice", key: key)
        #expect(
            self.reloaded.authenticate(refresh, isAllocate: false, now: Base.now, pinned: pinned)
                == .rejected(code: .unauthenticated, reason: .unknownUser, challenge: true)
        )
    }

    @Test func aWrongPasswordStaysWrongWithAPinnedKey() throws {
        let pinned = TURNAuthenticator.PinnedCredential(username: "alice", key: Base.md5Key("alice", "wonderland"))
        let refresh = try Base.request(
            method: .refresh,
            username: "alice",
            nonce: self.nonce,
            integrity: .sha1(Base.md5Key("alice", "guess"))
        )
        #expect(
            self.reloaded.authenticate(refresh, isAllocate: false, now: Base.now, pinned: pinned)
                == .rejected(code: .unauthenticated, reason: .badIntegrity, challenge: true)
        )
    }
}
