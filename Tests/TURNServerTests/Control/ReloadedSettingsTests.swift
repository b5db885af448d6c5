import NIOCore
import STUNCodec
import Testing

@testable import TURNServer

/// ``TURNSharedState/apply(_:)``: new settings govern new requests; allocations made before keep running.
@Suite struct ReloadedSettingsTests {
    static let alice = ControlPlaneHarness.client(40001)
    static let publicPeer = TransportAddress(ip: .v4(0x0808_0808), port: 7000)

    private func send(
        _ harness: ControlPlaneHarness,
        _ method: STUNMethod,
        from fiveTuple: FiveTuple = Self.alice,
        user: String = "alice",
        _ more: (inout STUNMessageWriter) -> Void = { _ in }
    ) throws -> STUNMessage {
        try #require(try harness.send(method, from: fiveTuple, user: user, attributes: more))
    }

    private func allocate(
        _ harness: ControlPlaneHarness,
        from fiveTuple: FiveTuple = Self.alice,
        user: String = "alice"
    ) throws -> STUNMessage {
        try self.send(harness, .allocate, from: fiveTuple, user: user) { $0.append(RequestedTransport.udp) }
    }

    @Test func aRemovedUserKeepsItsAllocationButCannotMakeAnother() throws {
        let harness = ControlPlaneHarness()
        #expect(try self.allocate(harness).errorCode == nil)
        var settings = harness.shared.settings
        settings.staticUsers["alice"] = nil
        harness.shared.apply(settings)

        #expect(try self.send(harness, .refresh).errorCode == nil)
        let permission = try self.send(harness, .createPermission) {
            $0.append(XORPeerAddress(address: Self.publicPeer))
        }
        #expect(permission.errorCode == nil)
        #expect(try self.allocate(harness, from: ControlPlaneHarness.client(40002)).errorCode == 401)
        #expect(try self.allocate(harness, from: ControlPlaneHarness.client(40003), user: "bob").errorCode == nil)
    }

    @Test func lowerQuotasRefuseNewAllocationsOnly() throws {
        let harness = ControlPlaneHarness()
        for port: UInt16 in 1...2 {
            #expect(try self.allocate(harness, from: ControlPlaneHarness.client(port)).errorCode == nil)
        }
        var settings = harness.shared.settings
        settings.userQuota = 1
        harness.shared.apply(settings)
        #expect(try self.allocate(harness, from: ControlPlaneHarness.client(3)).errorCode == 486)
        #expect(try self.send(harness, .refresh, from: ControlPlaneHarness.client(1)).errorCode == nil)
        #expect(harness.table.allocations.count == 2)
        #expect(harness.quotaPlaces == 2)
    }

    @Test func aNewDenyListRefusesNewPermissions() throws {
        let harness = ControlPlaneHarness()
        #expect(try self.allocate(harness).errorCode == nil)
        var settings = harness.shared.settings
        settings.peerDenyList = [IPAddressRange("8.8.8.0/24")!]
        harness.shared.apply(settings)
        let refused = try self.send(harness, .createPermission) { $0.append(XORPeerAddress(address: Self.publicPeer)) }
        #expect(refused.errorCode == 403)
    }

    @Test func aNewBandwidthCapReachesNewAllocationsOnly() throws {
        let harness = ControlPlaneHarness()
        #expect(try self.allocate(harness).errorCode == nil)
        var settings = harness.shared.settings
        settings.allocationBandwidthLimit = 10_000
        harness.shared.apply(settings)
        let second = ControlPlaneHarness.client(40002)
        #expect(try self.allocate(harness, from: second).errorCode == nil)
        #expect(harness.table.allocations[Self.alice]?.limiter == nil)
        #expect(harness.table.allocations[second]?.limiter != nil)
    }
}
