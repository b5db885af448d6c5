import Testing

@testable import SwitchboardApp

@Suite struct AdminAccessTests {
    private static let token = "operator-token-0123456789"

    private func access(port: Int = 0, tokens: [String] = [Self.token], loopback: Bool = true) -> AdminAccess {
        var configuration = SwitchboardConfiguration.defaults.access
        configuration.adminPort = port
        configuration.adminTokens = tokens
        configuration.adminAllowLoopback = loopback
        return AdminAccess(configuration: configuration)
    }

    @Test(arguments: ["127.0.0.1", "127.0.0.2", "::1", "::ffff:127.0.0.1"])
    func loopbackClientsAreServed(peer: String) {
        #expect(self.access().verdict(listener: .main, peer: ClientAddress(peer), authorization: []) == .allowed)
    }

    @Test(arguments: ["192.0.2.7", "10.0.0.1", "2001:db8::1", "::ffff:192.0.2.7", "::2"])
    func othersAreRefusedWithoutAToken(peer: String) {
        #expect(self.access().verdict(listener: .main, peer: ClientAddress(peer), authorization: []) == .forbidden)
        #expect(self.access().verdict(listener: .main, peer: nil, authorization: []) == .forbidden)
    }

    @Test func aTokenOpensThemFromAnywhere() {
        let peer = ClientAddress("192.0.2.7")
        let access = self.access(tokens: ["first-token-0123456789", Self.token])
        #expect(access.verdict(listener: .main, peer: peer, authorization: ["Bearer \(Self.token)"]) == .allowed)
        #expect(access.verdict(listener: .main, peer: peer, authorization: ["bearer \(Self.token)"]) == .allowed)
        #expect(access.verdict(listener: .main, peer: peer, authorization: ["Bearer \(Self.token)x"]) == .badToken)
        #expect(access.verdict(listener: .main, peer: peer, authorization: ["Basic \(Self.token)"]) == .badToken)
        #expect(access.verdict(listener: .main, peer: peer, authorization: ["Bearer "]) == .badToken)
    }

    @Test func loopbackCanBeDistrustedBehindALocalProxy() {
        let access = self.access(loopback: false)
        #expect(access.verdict(listener: .main, peer: ClientAddress("127.0.0.1"), authorization: []) == .forbidden)
        #expect(
            access.verdict(listener: .main, peer: ClientAddress("127.0.0.1"), authorization: ["Bearer \(Self.token)"])
                == .allowed
        )
    }

    @Test func aSeparatePortServesThemThereOnly() {
        let access = self.access(port: 9100)
        #expect(access.verdict(listener: .admin, peer: ClientAddress("192.0.2.7"), authorization: []) == .allowed)
        #expect(access.verdict(listener: .main, peer: ClientAddress("127.0.0.1"), authorization: []) == .notHere)
        #expect(
            access.verdict(listener: .main, peer: ClientAddress("127.0.0.1"), authorization: ["Bearer \(Self.token)"])
                == .notHere
        )
    }
}
