import STUNCodec
import TestSupport
import Testing

@testable import TURNServer

@Suite struct CredentialStoreTests {
    static let realm = "example.org"

    let store = CredentialStore(
        realm: Self.realm,
        staticUsers: ["alice": "wonderland", "bob": "builder"],
        restSecrets: ["north"]
    )

    // MARK: - TURN REST

    /// docs/turn.md#rest-credentials: eturnal's vectors and a computed one with a user part.
    @Test(arguments: [
        ("crypt1c", "1256900400", "uEKlpcME7MNMMVRV8rUFPCTIFEs="),
        ("crypt1c", "2145913200", "cLwpKS2/9bWHf+agUImD47PIXNE="),
        ("north", "1700000000:alice", "Cd/49soE35ICqcJF/bCTn8Z4OyE="),
    ])
    func restVectors(secret: String, username: String, password: String) {
        let store = CredentialStore(realm: Self.realm, staticUsers: [:], restSecrets: [secret])
        #expect(
            store.candidateKeys(username: username, algorithm: .md5)
                == [LongTermCredentials.key(username: username, realm: Self.realm, password: password)]
        )
        #expect(
            store.candidateKeys(username: username, algorithm: .sha256)
                == [LongTermCredentials.sha256Key(username: username, realm: Self.realm, password: password)]
        )
    }

    @Test func rotationGivesOneKeyPerSecret() {
        let store = CredentialStore(realm: Self.realm, staticUsers: [:], restSecrets: ["south", "north"])
        let username = "1700000000:alice"
        let keys = store.candidateKeys(username: username, algorithm: .md5)
        #expect(keys.count == 2)
        #expect(
            keys[1]
                == LongTermCredentials.key(
                    username: username,
                    realm: Self.realm,
                    password: "Cd/49soE35ICqcJF/bCTn8Z4OyE="
                )
        )
        #expect(keys[0] != keys[1])
    }

    @Test func emptySecretsAreIgnored() {
        let store = CredentialStore(realm: Self.realm, staticUsers: [:], restSecrets: [""])
        #expect(!store.hasRESTSecrets)
        #expect(store.candidateKeys(username: "1700000000:alice", algorithm: .md5).isEmpty)
        #expect(store.restExpiry(username: "1700000000:alice") == nil)
    }

    @Test(arguments: [
        ("1700000000:carol", Int64(1_700_000_000) as Int64?),
        ("1700000000", 1_700_000_000),
        ("1700000000:", 1_700_000_000),
        ("1700000000:carol:bob", 1_700_000_000),
        ("carol", nil),
        ("carol:1700000000", nil),
        ("17000abc", nil),
        (":carol", nil),
        ("", nil),
        ("99999999999999999999:carol", nil),
        ("bob", nil),  // static user
    ])
    func restExpiry(username: String, expected: Int64?) {
        #expect(self.store.restExpiry(username: username) == expected)
        #expect(
            self.store.candidateKeys(username: username, algorithm: .md5).count
                == (username == "bob" || expected != nil ? 1 : 0)
        )
    }

    @Test func noSecretsMeansNoRESTUsers() {
        let store = CredentialStore(realm: Self.realm, staticUsers: ["alice": "wonderland"], restSecrets: [])
        #expect(!store.hasRESTSecrets)
        #expect(store.restExpiry(username: "1700000000:alice") == nil)
        #expect(store.candidateKeys(username: "1700000000:alice", algorithm: .md5).isEmpty)
    }

    // MARK: - Static users

    @Test func staticUserHasOneKeyPerAlgorithm() {
        #expect(
            self.store.candidateKeys(username: "alice", algorithm: .md5)
                == [LongTermCredentials.key(username: "alice", realm: Self.realm, password: "wonderland")]
        )
        #expect(
            self.store.candidateKeys(username: "alice", algorithm: .sha256)
                == [LongTermCredentials.sha256Key(username: "alice", realm: Self.realm, password: "wonderland")]
        )
        #expect(self.store.candidateKeys(username: "alice", algorithm: STUNPasswordAlgorithm(rawValue: 3)).isEmpty)
        #expect(self.store.candidateKeys(username: "carol", algorithm: .md5).isEmpty)
        #expect(self.store.candidateKeys(username: "Alice", algorithm: .md5).isEmpty)
        #expect(self.store.restExpiry(username: "alice") == nil)
    }

    @Test func staticUserWinsOverRESTShape() {
        let store = CredentialStore(realm: Self.realm, staticUsers: ["1700000000": "static"], restSecrets: ["north"])
        #expect(store.restExpiry(username: "1700000000") == nil)
        #expect(
            store.candidateKeys(username: "1700000000", algorithm: .md5)
                == [LongTermCredentials.key(username: "1700000000", realm: Self.realm, password: "static")]
        )
    }

    /// RFC 5769 §2.4 / RFC 8489 B.1 keys through the store.
    @Test func rfcVectorKeys() {
        let username = "\u{30DE}\u{30C8}\u{30EA}\u{30C3}\u{30AF}\u{30B9}"
        let store = CredentialStore(realm: "example.org", staticUsers: [username: "TheMatrIX"], restSecrets: [])
        #expect(
            store.candidateKeys(username: username, algorithm: .md5).map { hexString($0) }
                == ["e8ca7ad59d5eb0518e312911d2dab2a9"]
        )
        let userhash = hexBytes("4a3cf38fef6992bda952c6780417da0f24819415569e60b205c46e41407f1704")
        #expect(store.username(forUserhash: userhash) == username)
    }

    // MARK: - USERHASH

    @Test func userhashFindsStaticUsersOnly() {
        #expect(
            self.store.username(forUserhash: LongTermCredentials.userhash(username: "alice", realm: Self.realm))
                == "alice"
        )
        #expect(
            self.store.username(forUserhash: LongTermCredentials.userhash(username: "bob", realm: Self.realm)) == "bob"
        )
        // Another realm, a REST username, wrong lengths.
        #expect(
            self.store.username(forUserhash: LongTermCredentials.userhash(username: "alice", realm: "other")) == nil
        )
        #expect(
            self.store.username(
                forUserhash: LongTermCredentials.userhash(username: "1700000000:alice", realm: Self.realm)
            )
                == nil
        )
        #expect(self.store.username(forUserhash: [UInt8](repeating: 0, count: 32)) == nil)
        #expect(self.store.username(forUserhash: []) == nil)
        #expect(
            self.store.username(
                forUserhash: LongTermCredentials.userhash(username: "alice", realm: Self.realm).prefix(16)
            )
                == nil
        )
    }
}
