import STUNCodec
import Testing

@testable import TURNServer

/// A UDP relay and a TCP relay of two allocations may share an IP and port.
@Suite struct RelayAddressRegistryTests {
    @Test func anAddressStaysLiveUntilEveryRelayOnItIsGone() {
        let registry = RelayAddressRegistry()
        let address = TransportAddress(ip: .v4(0xCB00_7101), port: 50000)
        registry.insert(address)
        registry.insert(address)
        registry.remove(address)
        #expect(registry.contains(address))
        registry.remove(address)
        #expect(!registry.contains(address))
        registry.remove(address)
        registry.insert(address)
        #expect(registry.contains(address))
    }
}
