import STUNCodec
import Testing

@testable import TURNServer

/// `turn.relay.externalAddresses`: parsing and the private-to-public mapping of relay addresses.
@Suite struct ExternalAddressMapTests {
    private func ip(_ text: String) -> TransportAddress.IP {
        TransportAddress.IP(text)!
    }

    private func parseError(_ entries: [String]) -> String? {
        do {
            _ = try ExternalAddressMap.parse(entries)
            return nil
        } catch {
            return error.message
        }
    }

    @Test func aMappedPrivateAddressIsAdvertisedWithItsPublicIPAndTheSamePort() throws {
        let map = try ExternalAddressMap.parse(["198.51.100.7/10.0.0.5", "2001:db8::7/fd00::5"])
        let relay = TransportAddress(ip: self.ip("10.0.0.5"), port: 50123)
        #expect(map.advertised(relay) == TransportAddress(ip: self.ip("198.51.100.7"), port: 50123))
        #expect(map.bound(map.advertised(relay)) == relay)
        let relay6 = TransportAddress(ip: self.ip("fd00::5"), port: 50124)
        #expect(map.advertised(relay6) == TransportAddress(ip: self.ip("2001:db8::7"), port: 50124))
        // Another private address of the family is not covered by a PUBLIC/PRIVATE entry.
        let other = TransportAddress(ip: self.ip("10.0.0.6"), port: 50125)
        #expect(map.advertised(other) == other)
        #expect(map.publicIP(family: .ipv4) == self.ip("198.51.100.7"))
        #expect(map.privateIP(family: .ipv6) == self.ip("fd00::5"))
    }

    @Test func aBarePublicAddressCoversEveryRelayAddressOfItsFamilyOnly() throws {
        let map = try ExternalAddressMap.parse(["198.51.100.7"])
        for text in ["10.0.0.5", "172.16.1.1"] {
            let relay = TransportAddress(ip: self.ip(text), port: 50000)
            #expect(map.advertised(relay).ip == self.ip("198.51.100.7"))
        }
        let relay6 = TransportAddress(ip: self.ip("fd00::5"), port: 50000)
        #expect(map.advertised(relay6) == relay6)
        // Without a private address the public one cannot be mapped back.
        let advertised = TransportAddress(ip: self.ip("198.51.100.7"), port: 50000)
        #expect(map.bound(advertised) == advertised)
    }

    @Test func privateAddressesTheHostLacksAreReported() throws {
        let map = try ExternalAddressMap.parse(["198.51.100.7/10.0.0.5", "2001:db8::7"])
        #expect(map.privateIPs(missingFrom: [self.ip("10.0.0.5"), self.ip("::1")]).isEmpty)
        #expect(map.privateIPs(missingFrom: [self.ip("10.0.0.6")]) == [self.ip("10.0.0.5")])
    }

    @Test func publicIPsIncludeTheAnnouncedOnes() throws {
        let map = try ExternalAddressMap.parse(["198.51.100.7/10.0.0.5"], announcedIPs: [self.ip("192.0.2.9")])
        #expect(map.publicIPs == [self.ip("198.51.100.7"), self.ip("192.0.2.9")])
        #expect(ExternalAddressMap().publicIPs.isEmpty)
    }

    @Test func badEntriesAreRefusedWithTheirText() {
        #expect(
            parseError(["turn.example.org"]) == "'turn.example.org' is not PUBLIC or PUBLIC/PRIVATE with IP addresses"
        )
        #expect(parseError(["1.2.3.4/5.6.7.8/9.9.9.9"])?.hasPrefix("'1.2.3.4/5.6.7.8/9.9.9.9' is not PUBLIC") == true)
        #expect(parseError(["198.51.100.7/"]) == "'198.51.100.7/': '' is not an IP address")
        #expect(
            parseError(["198.51.100.7/fd00::5"])
                == "'198.51.100.7/fd00::5' mixes IPv4 and IPv6; map each family on its own"
        )
        #expect(
            parseError(["0.0.0.0/10.0.0.5"])
                == "'0.0.0.0/10.0.0.5': the public address cannot be the unspecified address"
        )
        #expect(
            parseError(["198.51.100.7/0.0.0.0"])
                == "'198.51.100.7/0.0.0.0': name the private address the relay binds, not a wildcard"
        )
        #expect(
            parseError(["198.51.100.7", "198.51.100.8/10.0.0.5"])
                == "'198.51.100.8/10.0.0.5': only one entry per address family"
        )
        #expect(parseError(["198.51.100.7", "2001:db8::7"]) == nil)
        #expect(parseError([]) == nil)
    }
}
