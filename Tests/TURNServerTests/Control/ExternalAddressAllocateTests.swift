import NIOCore
import STUNCodec
import Testing

@testable import TURNServer

/// Allocations behind a 1:1 NAT (`turn.relay.externalAddresses`): the relay binds the private address and the
/// answer advertises the public one; the public address is one of the server's own for the peer policy.
@Suite struct ExternalAddressAllocateTests {
    static let alice = ControlPlaneHarness.client(40001)
    static let bob = ControlPlaneHarness.client(40002)
    static let publicIP = TransportAddress.IP.v4(0xC633_6407)  // 198.51.100.7

    private func harness() throws -> ControlPlaneHarness {
        // The harness's server address 203.0.113.1 plays the private address.
        let map = try ExternalAddressMap.parse(["198.51.100.7/203.0.113.1"])
        return ControlPlaneHarness { $0.externalAddresses = map }
    }

    private func allocate(_ harness: ControlPlaneHarness, from fiveTuple: FiveTuple, user: String) throws -> STUNMessage
    {
        try #require(
            try harness.send(.allocate, from: fiveTuple, user: user) { writer in
                writer.append(RequestedTransport.udp)
            }
        )
    }

    @Test func theRelayedAddressIsThePublicIPWithTheBoundPort() throws {
        let harness = try self.harness()
        let answer = try self.allocate(harness, from: Self.alice, user: "alice")
        #expect(answer.type.messageClass == .successResponse)
        let bound = try #require(harness.relaySockets.bound.first)
        #expect(bound.ip == ControlPlaneHarness.server.ip)
        let relayed = try #require(try answer.attribute(XORRelayedAddress.self)?.address)
        #expect(relayed == TransportAddress(ip: Self.publicIP, port: bound.port))
        // The allocation itself lives on the private socket.
        #expect(harness.table.allocations[Self.alice]?.relays.first?.address == bound)
    }

    @Test func thePublicIPIsTheServersOwnButAnotherAllocationsPublicRelayIsReachable() throws {
        let harness = try self.harness()
        _ = try self.allocate(harness, from: Self.alice, user: "alice")
        let bobsRelay = try #require(
            try self.allocate(harness, from: Self.bob, user: "bob").attribute(XORRelayedAddress.self)?.address
        )
        #expect(bobsRelay.ip == Self.publicIP)
        let otherPort = try harness.send(.createPermission, from: Self.alice) { writer in
            writer.append(XORPeerAddress(address: TransportAddress(ip: Self.publicIP, port: 9)))
        }
        #expect(otherPort?.errorCode == 403)
        let relay = try harness.send(.createPermission, from: Self.alice) { writer in
            writer.append(XORPeerAddress(address: bobsRelay))
        }
        #expect(relay?.errorCode == nil)
    }
}
