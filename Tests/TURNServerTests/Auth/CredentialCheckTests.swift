import STUNCodec
import Testing

@testable import TURNServer

/// `switchboard credentials --check`: the server's own key derivation says why credentials would be refused.
@Suite struct CredentialCheckTests {
    let store = CredentialStore(
        realm: "example.org",
        staticUsers: ["alice": "wonderland"],
        restSecrets: ["old", "new"]
    )
    let now: Int64 = 1_800_000_000

    private func rest(_ username: String, secret: String) -> String {
        TimeLimitedCredentials.password(username: username, secret: Array(secret.utf8))
    }

    @Test func staticUsers() {
        #expect(self.store.check(username: "alice", password: "wonderland", now: self.now) == .staticUser)
        #expect(self.store.check(username: "alice", password: "Wonderland", now: self.now) == .wrongPassword)
        #expect(self.store.check(username: "bob", password: "wonderland", now: self.now) == .unknownUser)
    }

    @Test func restCredentialsNameTheSecretAndTheExpiry() {
        let username = "\(self.now + 60):carol"
        #expect(
            self.store.check(username: username, password: self.rest(username, secret: "new"), now: self.now)
                == .rest(expiry: self.now + 60, secretIndex: 1)
        )
        #expect(
            self.store.check(username: username, password: self.rest(username, secret: "old"), now: self.now)
                == .rest(expiry: self.now + 60, secretIndex: 0)
        )
        #expect(
            self.store.check(username: username, password: self.rest(username, secret: "other"), now: self.now)
                == .badSignature(secrets: 2)
        )
        let stale = "\(self.now - 1):carol"
        let result = self.store.check(username: stale, password: self.rest(stale, secret: "old"), now: self.now)
        #expect(result == .expired(expiry: self.now - 1, secretIndex: 0))
        #expect(!result.isAccepted)
    }

    @Test func aRESTUsernameWithoutSecretsIsNotAccepted() {
        let store = CredentialStore(realm: "example.org", staticUsers: [:], restSecrets: [])
        let username = "\(self.now + 60):carol"
        #expect(store.check(username: username, password: self.rest(username, secret: ""), now: self.now) == .noSecrets)
    }
}
