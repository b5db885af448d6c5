import Testing

@testable import SwitchboardApp

@Suite struct APIAccessPolicyTests {
    private static let tokens = ["backend-token-aaaaaaaaaaaa", "backend-token-bbbbbbbbbbbb"]

    private func policy(enabled: Bool = true, origins: [String] = ["https://App.example.org:8443"]) -> APIAccessPolicy {
        var configuration = SwitchboardConfiguration.defaults.access
        configuration.apiEnabled = enabled
        configuration.apiTokens = Self.tokens
        configuration.apiAllowedOrigins = origins
        return APIAccessPolicy(configuration: configuration)
    }

    @Test func offByDefault() {
        let policy = APIAccessPolicy(configuration: SwitchboardConfiguration.defaults.access)
        #expect(policy.verdict(authorization: ["Bearer \(Self.tokens[0])"], origin: []) == .disabled)
        #expect(self.policy(enabled: false).verdict(authorization: [], origin: []) == .disabled)
    }

    @Test func eachTokenHasItsOwnStableIdentity() {
        #expect(
            self.policy().verdict(authorization: ["Bearer \(Self.tokens[0])"], origin: [])
                == .allowed(identity: "api-0", allowOrigin: nil)
        )
        #expect(
            self.policy().verdict(authorization: ["Bearer \(Self.tokens[1])"], origin: ["https://evil.example"])
                == .allowed(identity: "api-1", allowOrigin: nil)
        )
    }

    @Test func aWrongTokenIsRefusedEvenFromAnAllowedOrigin() {
        #expect(
            self.policy().verdict(authorization: ["Bearer nope"], origin: ["https://app.example.org:8443"])
                == .unauthorized(invalidToken: true)
        )
        #expect(
            self.policy().verdict(authorization: ["Bearer \(Self.tokens[0])", "Bearer x"], origin: [])
                == .unauthorized(invalidToken: true)
        )
    }

    @Test func noCredentialsAtAll() {
        #expect(self.policy().verdict(authorization: [], origin: []) == .unauthorized(invalidToken: false))
    }

    @Test func allowedOriginsAreComparedCaseInsensitivelyAndNamedWithoutTheSeparator() {
        #expect(
            self.policy().verdict(authorization: [], origin: ["https://app.example.org:8443"])
                == .allowed(identity: "api-app.example.org_8443", allowOrigin: "https://app.example.org:8443")
        )
        #expect(self.policy().verdict(authorization: [], origin: ["https://app.example.org"]) == .forbiddenOrigin)
        #expect(self.policy().verdict(authorization: [], origin: ["null"]) == .forbiddenOrigin)
    }
}
