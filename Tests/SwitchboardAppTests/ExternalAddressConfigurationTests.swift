import STUNCodec
import TURNServer
import Testing

@testable import SwitchboardApp

/// `turn.relay.externalAddresses`: errors name the key and line; the map reaches the TURN configuration.
@Suite struct ExternalAddressConfigurationTests {
    private func yaml(_ entries: String, stun: String = "[\"0.0.0.0\"]", relay: String = "[]") -> String {
        "stun:\n  addresses: \(stun)\nturn:\n  relay:\n    addresses: \(relay)\n    externalAddresses: \(entries)\n"
    }

    @Test func validEntriesAreParsedAndTheAnnouncedIPJoinsThem() throws {
        let configuration = try YAMLConfiguration.load(
            self.yaml("[\"198.51.100.7/10.0.0.5\"]") + "ice:\n  publicAddress: \"192.0.2.9\"\n"
        )
        let map = configuration.turn.externalAddresses
        #expect(map.mappings == [ExternalAddressMap.Mapping(publicIP: .v4(0xC633_6407), privateIP: .v4(0x0A00_0005))])
        #expect(map.publicIPs == [.v4(0xC633_6407), .v4(0xC000_0209)])
        #expect(configuration.turn.externalHost == "198.51.100.7")
        #expect(SwitchboardConfiguration.defaults.turn.externalAddresses == ExternalAddressMap())
    }

    @Test func badEntriesNameTheKeyAndLine() {
        let key = "test.yaml:6: key 'turn.relay.externalAddresses'"
        #expect(
            YAMLConfiguration.errors(self.yaml("[\"turn.example.org\"]"))
                == ["\(key): 'turn.example.org' is not PUBLIC or PUBLIC/PRIVATE with IP addresses"]
        )
        #expect(
            YAMLConfiguration.errors(self.yaml("[\"198.51.100.7/fd00::5\"]"))
                == ["\(key): '198.51.100.7/fd00::5' mixes IPv4 and IPv6; map each family on its own"]
        )
    }

    @Test func thePrivateAddressMustBeOneTheRelayBinds() {
        let key = "test.yaml:6: key 'turn.relay.externalAddresses'"
        // A wildcard listener binds relays on any interface address.
        #expect(YAMLConfiguration.errors(self.yaml("[\"198.51.100.7/10.0.0.5\"]")).isEmpty)
        #expect(YAMLConfiguration.errors(self.yaml("[\"198.51.100.7/10.0.0.5\"]", stun: "[\"10.0.0.5\"]")).isEmpty)
        #expect(
            YAMLConfiguration.errors(self.yaml("[\"198.51.100.7/10.0.0.6\"]", stun: "[\"10.0.0.5\"]"))
                == ["\(key): the private IPv4 address is not one the relay binds (stun.addresses: 10.0.0.5)"]
        )
        #expect(
            YAMLConfiguration.errors(self.yaml("[\"198.51.100.7/10.0.0.5\"]", relay: "[\"10.0.0.9\"]"))
                == ["\(key): the private IPv4 address is not one the relay binds (turn.relay.addresses: 10.0.0.9)"]
        )
        #expect(
            YAMLConfiguration.errors(self.yaml("[\"2001:db8::7\"]"))
                == ["\(key): maps an IPv6 address, but neither turn.relay.addresses nor stun.addresses has one"]
        )
    }
}
