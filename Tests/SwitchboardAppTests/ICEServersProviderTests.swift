import SocketIOCodec
import Testing

@testable import SwitchboardApp

@Suite struct ICEServersProviderTests {
    private func provider(publicAddress: String? = nil, tcp: Bool = true, turn: Bool = true) -> ICEServersProvider {
        ICEServersProvider(
            hosts: HostAllowList(publicAddress: publicAddress, trusted: ["*"], fallback: "localhost"),
            port: 3478,
            udp: true,
            tcp: tcp,
            turnEnabled: turn,
            secret: "north",
            ttlSeconds: 86400,
            now: { 1_700_000_000 - 86400 }
        )
    }

    @Test func payloadIsExactlyTheDocumentedShape() {
        let json = self.provider().iceServers(requestHost: "chat.example.org:3000", user: "alice").serialized()
        // Username and credential are the TURN REST vector of docs/turn.md#rest-credentials.
        #expect(
            json == """
                {"iceServers":[{"urls":["stun:chat.example.org:3478"]},{"urls":["turn:chat.example.org:3478?transport=udp",\
                "turn:chat.example.org:3478?transport=tcp"],"username":"1700000000:alice",\
                "credential":"Cd/49soE35ICqcJF/bCTn8Z4OyE="}],"ttl":86400}
                """
        )
    }

    @Test func urlsCarryTheBoundPortOnceKnown() {
        var provider = self.provider()
        provider.port = 0  // stun.port: 0 picks a free port at start
        provider.boundPort = { 41234 }
        let json = provider.iceServers(requestHost: "localhost", user: "a").serialized()
        #expect(json.contains("\"stun:localhost:41234\"") && json.contains("\"turn:localhost:41234?transport=udp\""))
        #expect(!json.contains(":0\""))
    }

    @Test func publicAddressWinsOverTheRequestHost() {
        let json = self.provider(publicAddress: "203.0.113.5").iceServers(requestHost: "localhost:3000", user: "a")
        #expect(json.serialized().contains("\"stun:203.0.113.5:3478\""))
    }

    @Test(arguments: [
        ("[::1]:3000", "[::1]"), ("127.0.0.1:3000", "127.0.0.1"), ("example.org", "example.org"), ("", "localhost"),
    ])
    func hostsComeFromTheAuthority(authority: String, expected: String) {
        let json = self.provider().iceServers(requestHost: authority, user: "a").serialized()
        #expect(json.contains("\"stun:\(expected):3478\""))
    }

    @Test func onlyIPv6LiteralsGoInBrackets() {
        #expect(ICEServersProvider.urlHost("2001:db8::1") == "[2001:db8::1]")
        #expect(ICEServersProvider.urlHost("fe80::1%25eth0") == "[fe80::1%25eth0]")
        #expect(ICEServersProvider.urlHost("192.0.2.1") == "192.0.2.1")
        #expect(ICEServersProvider.urlHost("turn.example.org") == "turn.example.org")
    }

    @Test func noTCPURLWhenTCPIsOffAndNoTURNWhenTURNIsOff() {
        #expect(
            !self.provider(tcp: false).iceServers(requestHost: "h", user: "a").serialized().contains("transport=tcp")
        )
        let stunOnly = self.provider(turn: false).iceServers(requestHost: "h", user: "a").serialized()
        #expect(stunOnly == #"{"iceServers":[{"urls":["stun:h:3478"]}],"ttl":86400}"#)
    }

    @Test func turnsURLsFollowThePlainOnesInOrderOfPreference() {
        var provider = self.provider(publicAddress: "203.0.113.5")
        provider.tlsPorts = [5349, 443]
        let json = provider.iceServers(requestHost: "localhost:3000", user: "a").serialized()
        #expect(
            json.contains(
                #"{"urls":["turn:203.0.113.5:3478?transport=udp","turn:203.0.113.5:3478?transport=tcp","#
                    + #""turns:203.0.113.5:5349?transport=tcp","turns:203.0.113.5:443?transport=tcp"],"#
            )
        )
        // With UDP and TCP off, TLS alone still gets a credential; the stun: entry goes with them.
        provider.udp = false
        provider.tcp = false
        #expect(
            provider.iceServers(requestHost: "h", user: "a").serialized().hasPrefix(
                #"{"iceServers":[{"urls":["turns:203.0.113.5:5349?transport=tcp","turns:203.0.113.5:443?transport=tcp"],"#
            )
        )
    }

    @Test func userCannotInjectTheSeparator() {
        let json = self.provider().iceServers(requestHost: "h", user: "eve:1").serialized()
        #expect(json.contains("\"username\":\"1700000000:eve1\""))
    }
}
