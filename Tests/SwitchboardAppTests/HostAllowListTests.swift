import Testing

@testable import SwitchboardApp

@Suite struct HostAllowListTests {
    private func configuration(_ settings: [(String, String)]) throws -> SwitchboardConfiguration {
        var loader = ConfigurationLoader()
        for (key, value) in settings {
            loader.apply(rawValue: value, toKey: key, origin: .flag(name: "--set"))
        }
        return try loader.finish()
    }

    @Test func ownNamesAreKeptAndOthersGetTheListeningAddress() throws {
        let hosts = HostAllowList(
            configuration: try self.configuration([
                ("stun.addresses", "0.0.0.0,198.51.100.4"), ("http.allowedHosts", "Chat.Example.org"),
            ]),
            interfaceAddresses: ["127.0.0.1", "192.0.2.10", "fe80::1"]
        )
        #expect(hosts.host(forAuthority: "chat.example.org:3000") == "chat.example.org")
        #expect(hosts.host(forAuthority: "CHAT.example.org.") == "CHAT.example.org.")
        #expect(hosts.host(forAuthority: "localhost:3000") == "localhost")
        #expect(hosts.host(forAuthority: "[::1]:3000") == "::1")
        #expect(hosts.host(forAuthority: "192.0.2.10:3000") == "192.0.2.10")
        #expect(hosts.host(forAuthority: "[fe80::1]") == "fe80::1")
        #expect(hosts.host(forAuthority: "198.51.100.4") == "198.51.100.4")
        for forged in ["evil.example", "evil.example:3000", "203.0.113.9", "[2001:db8::66]:1", "a\"b", "", nil] {
            #expect(hosts.host(forAuthority: forged) == "198.51.100.4", "\(String(describing: forged))")
        }
    }

    @Test func theFallbackIsTheFirstConcreteListeningAddressElseAnInterface() throws {
        let defaults = HostAllowList(
            configuration: try self.configuration([]),
            interfaceAddresses: ["127.0.0.1", "::1", "2001:db8::5", "192.0.2.10"]
        )
        #expect(defaults.host(forAuthority: "evil.example") == "192.0.2.10")
        let httpOnly = HostAllowList(
            configuration: try self.configuration([("http.host", "192.0.2.20")]),
            interfaceAddresses: []
        )
        #expect(httpOnly.host(forAuthority: "evil.example") == "192.0.2.20")
        let nothing = HostAllowList(configuration: try self.configuration([]), interfaceAddresses: [])
        #expect(nothing.host(forAuthority: "evil.example") == "127.0.0.1")
    }

    @Test func publicAddressWinsAndIsTrusted() throws {
        let hosts = HostAllowList(
            configuration: try self.configuration([("ice.publicAddress", "turn.example.org")]),
            interfaceAddresses: []
        )
        #expect(hosts.host(forAuthority: "evil.example") == "turn.example.org")
        #expect(hosts.host(forAuthority: "localhost") == "turn.example.org")
    }

    @Test func theExternalPublicAddressIsUsedUnlessPublicAddressIsSet() throws {
        let external = ("turn.relay.externalAddresses", "2001:db8::7,198.51.100.7/10.0.0.5")
        let hosts = HostAllowList(configuration: try self.configuration([external]), interfaceAddresses: [])
        #expect(hosts.host(forAuthority: "localhost:3000") == "198.51.100.7")
        let named = HostAllowList(
            configuration: try self.configuration([external, ("ice.publicAddress", "turn.example.org")]),
            interfaceAddresses: []
        )
        #expect(named.host(forAuthority: "localhost:3000") == "turn.example.org")
    }

    @Test func aStarTrustsAnyPlausibleHost() {
        let hosts = HostAllowList(publicAddress: nil, trusted: ["*"], fallback: "192.0.2.1")
        #expect(hosts.host(forAuthority: "anything.example:80") == "anything.example")
        // Never anything that could end or extend a URL.
        #expect(hosts.host(forAuthority: "a/b?c") == "192.0.2.1")
        #expect(hosts.host(forAuthority: "a b") == "192.0.2.1")
    }
}
