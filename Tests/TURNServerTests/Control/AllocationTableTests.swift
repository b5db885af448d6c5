import NIOCore
import STUNCodec
import Testing

@testable import TURNServer

/// The RFC 8656 rules of the control plane, request by request, on an embedded event loop: no sockets, no clock.
@Suite struct AllocationTableTests {
    static let alice = ControlPlaneHarness.client(40001)
    static let publicPeer = TransportAddress(ip: .v4(0x0808_0808), port: 7000)

    private static func udp(_ writer: inout STUNMessageWriter) {
        writer.append(RequestedTransport.udp)
    }

    private func allocate(
        _ harness: ControlPlaneHarness,
        from fiveTuple: FiveTuple = Self.alice,
        user: String = "alice",
        transactionID: STUNTransactionID = .random(),
        _ more: (inout STUNMessageWriter) -> Void = { _ in }
    ) throws -> STUNMessage {
        try #require(
            try harness.send(.allocate, from: fiveTuple, user: user, transactionID: transactionID) { writer in
                Self.udp(&writer)
                more(&writer)
            }
        )
    }

    @Test func unauthenticatedRequestsAreChallenged() throws {
        let harness = ControlPlaneHarness()
        let answer = try #require(try harness.send(.allocate, from: Self.alice, user: nil, attributes: Self.udp))
        #expect(answer.errorCode == 401)
        #expect(try answer.attribute(Realm.self)?.value == ControlPlaneHarness.realm)
        #expect(try answer.attribute(Nonce.self) != nil)
        #expect(harness.table.allocations.isEmpty)
    }

    @Test func allocateGrantsARelayTheDefaultLifetimeAndASignedAnswer() throws {
        let harness = ControlPlaneHarness()
        let answer = try self.allocate(harness)
        #expect(answer.type.messageClass == .successResponse)
        #expect(answer.isMessageIntegrityValid(key: ControlPlaneHarness.key("alice")))
        #expect(try answer.attribute(XORRelayedAddress.self)?.address == harness.relaySockets.bound.first)
        #expect(try answer.attribute(XORMappedAddress.self)?.address == Self.alice.client)
        #expect(try answer.attribute(Lifetime.self)?.seconds == 600)
        #expect(harness.table.allocations[Self.alice] != nil)
    }

    @Test(arguments: [(UInt32(30), UInt32(600)), (1200, 1200), (86400, 3600)])
    func lifetimesAreClamped(requested: UInt32, granted: UInt32) throws {
        let harness = ControlPlaneHarness()
        let answer = try self.allocate(harness) { $0.append(Lifetime(seconds: requested)) }
        #expect(try answer.attribute(Lifetime.self)?.seconds == granted)
    }

    @Test func retransmittedAllocateGetsTheSameAnswerAndAnotherOne437() throws {
        let harness = ControlPlaneHarness()
        let transaction = STUNTransactionID.random()
        let first = try self.allocate(harness, transactionID: transaction)
        let again = try self.allocate(harness, transactionID: transaction)
        #expect(again.transactionID == first.transactionID)
        #expect(try again.attribute(XORRelayedAddress.self) == first.attribute(XORRelayedAddress.self))
        #expect(harness.relaySockets.bound.count == 1)
        #expect(try self.allocate(harness).errorCode == 437)
    }

    @Test func allocateAttributeRules() throws {
        let harness = ControlPlaneHarness()
        let missing = try harness.send(.allocate, from: Self.alice) { _ in }
        #expect(missing?.errorCode == 400)
        // RFC 6062 §5.1: TCP needs a client on TCP or TLS (AllocationTable+TCPTests); another transport is 442.
        let tcp = try harness.send(.allocate, from: Self.alice) { $0.append(RequestedTransport.tcp) }
        #expect(tcp?.errorCode == 400)
        let sctp = try harness.send(.allocate, from: Self.alice) { $0.append(RequestedTransport(protocolNumber: 132)) }
        #expect(sctp?.errorCode == 442)
        let tokenAndEvenPort = try self.allocate(harness) { writer in
            writer.append(EvenPort(reserveNextHigherPort: false))
            writer.append(ReservationToken(7))
        }
        #expect(tokenAndEvenPort.errorCode == 400)
        let bothFamilies = try self.allocate(harness) { writer in
            writer.append(RequestedAddressFamily(.ipv4))
            writer.append(AdditionalAddressFamily(.ipv6))
        }
        #expect(bothFamilies.errorCode == 400)
        let unknownToken = try self.allocate(harness) { $0.append(ReservationToken(7)) }
        #expect(unknownToken.errorCode == 400)
        let unknown = try self.allocate(harness) {
            $0.appendRaw(type: STUNAttributeType(rawValue: 0x7FF0), value: ByteBuffer(bytes: [1, 2, 3, 4]))
        }
        #expect(unknown.errorCode == 420)
        #expect(try unknown.attribute(UnknownAttributes.self)?.types == [STUNAttributeType(rawValue: 0x7FF0)])
        #expect(harness.table.allocations.isEmpty)
    }

    @Test func noRelayOfTheFamilyIs440() throws {
        let harness = ControlPlaneHarness()
        let answer = try self.allocate(harness) { $0.append(RequestedAddressFamily(.ipv6)) }
        #expect(answer.errorCode == 440)
    }

    @Test func failedBindIs508AndGivesTheQuotaBack() throws {
        let harness = ControlPlaneHarness { $0.userQuota = 1 }
        harness.relaySockets.failing = true
        #expect(try self.allocate(harness).errorCode == 508)
        harness.relaySockets.failing = false
        #expect(
            try self.allocate(harness, from: ControlPlaneHarness.client(40002)).type.messageClass == .successResponse
        )
    }

    @Test func quotasRefuseWith486() throws {
        let harness = ControlPlaneHarness { configuration in
            configuration.userQuota = 2
            configuration.clientAddressQuota = 3
        }
        for port: UInt16 in 1...2 {
            #expect(try self.allocate(harness, from: ControlPlaneHarness.client(port)).errorCode == nil)
        }
        #expect(try self.allocate(harness, from: ControlPlaneHarness.client(3)).errorCode == 486)
        #expect(try self.allocate(harness, from: ControlPlaneHarness.client(3), user: "bob").errorCode == nil)
        #expect(try self.allocate(harness, from: ControlPlaneHarness.client(4), user: "bob").errorCode == 486)
        let elsewhere = ControlPlaneHarness.client(4, ip: .v4(0xC633_6406))
        #expect(try self.allocate(harness, from: elsewhere, user: "bob").errorCode == nil)
    }

    @Test func reservationsHoldAPlaceUntilClaimedOrExpired() throws {
        let harness = ControlPlaneHarness { $0.clientAddressQuota = 3 }
        let first = try self.allocate(harness) { $0.append(EvenPort(reserveNextHigherPort: true)) }
        let relay = try #require(try first.attribute(XORRelayedAddress.self)?.address)
        #expect(relay.port % 2 == 0)
        let token = try #require(try first.attribute(ReservationToken.self)?.token)
        // Allocation and reservation: two of the three places; another reservation does not fit.
        let second = try self.allocate(harness, from: ControlPlaneHarness.client(40002)) { writer in
            writer.append(EvenPort(reserveNextHigherPort: true))
        }
        #expect(second.errorCode == 486)
        // Deleting the allocation leaves the reservation's place taken.
        let deleted = try harness.send(.refresh, from: Self.alice) { $0.append(Lifetime(seconds: 0)) }
        #expect(deleted?.errorCode == nil)
        #expect(harness.quotaPlaces == 1)
        // Claiming it moves the place to the new allocation, on the reserved port.
        let claim = try self.allocate(harness, from: ControlPlaneHarness.client(40003)) { writer in
            writer.append(ReservationToken(token))
        }
        #expect(try claim.attribute(XORRelayedAddress.self)?.address.port == relay.port + 1)
        #expect(harness.quotaPlaces == 1)
        // An unclaimed reservation gives its place back when it expires (about 30 s).
        _ = try self.allocate(harness, from: ControlPlaneHarness.client(40004)) { writer in
            writer.append(EvenPort(reserveNextHigherPort: true))
        }
        #expect(harness.quotaPlaces == 3)
        harness.advance(seconds: 31)
        harness.table.sweep(now: harness.now)
        #expect(harness.quotaPlaces == 2)
    }

    @Test func refreshWithoutAllocationIs437AndOfAnotherUser441() throws {
        let harness = ControlPlaneHarness()
        let none = try harness.send(.refresh, from: Self.alice) { $0.append(Lifetime(seconds: 600)) }
        #expect(none?.errorCode == 437)
        #expect(none?.isMessageIntegrityValid(key: ControlPlaneHarness.key("alice")) == true)
        _ = try self.allocate(harness)
        let other = try harness.send(.refresh, from: Self.alice, user: "bob") { $0.append(Lifetime(seconds: 600)) }
        #expect(other?.errorCode == 441)
    }

    @Test func allocationExpiresUnlessRefreshed() throws {
        let harness = ControlPlaneHarness()
        _ = try self.allocate(harness)
        harness.advance(seconds: 500)
        let refreshed = try harness.send(.refresh, from: Self.alice) { $0.append(Lifetime(seconds: 600)) }
        #expect(try refreshed?.attribute(Lifetime.self)?.seconds == 600)
        harness.advance(seconds: 599)
        harness.table.sweep(now: harness.now)
        #expect(harness.table.allocations[Self.alice] != nil)
        harness.advance(seconds: 1)
        harness.table.sweep(now: harness.now)
        #expect(harness.table.allocations[Self.alice] == nil)
        #expect(harness.quotaPlaces == 0)
    }

    @Test func permissionsFollowThePeerPolicyAndExpire() throws {
        let harness = ControlPlaneHarness()
        _ = try self.allocate(harness)
        let privatePeer = TransportAddress(ip: .v4(0x0A00_0001), port: 9)
        let refused = try harness.send(.createPermission, from: Self.alice) { writer in
            writer.append(XORPeerAddress(address: Self.publicPeer))
            writer.append(XORPeerAddress(address: privatePeer))
        }
        #expect(refused?.errorCode == 403)
        let allocation = try #require(harness.table.allocations[Self.alice])
        #expect(!allocation.state.hasPermission(for: Self.publicPeer.ip, now: harness.now))  // all or none
        let ipv6 = TransportAddress(ip: .v6(0x2001_4860_0000_0000, 1), port: 9)
        let otherFamily = try harness.send(.createPermission, from: Self.alice) { writer in
            writer.append(XORPeerAddress(address: ipv6))
        }
        #expect(otherFamily?.errorCode == 443)
        let granted = try harness.send(.createPermission, from: Self.alice) { writer in
            writer.append(XORPeerAddress(address: Self.publicPeer))
        }
        #expect(granted?.errorCode == nil)
        #expect(allocation.state.hasPermission(for: Self.publicPeer.ip, now: harness.now + .seconds(299)))
        #expect(!allocation.state.hasPermission(for: Self.publicPeer.ip, now: harness.now + .seconds(300)))
    }

    @Test func permissionsForTheServersOwnAddressesAreMarked() throws {
        let harness = ControlPlaneHarness { $0.peerAllowList = [IPAddressRange("203.0.113.1")!] }
        _ = try self.allocate(harness)
        let own = TransportAddress(ip: ControlPlaneHarness.server.ip, port: 9)
        let listening = try harness.send(.createPermission, from: Self.alice) { writer in
            writer.append(XORPeerAddress(address: ControlPlaneHarness.server))
        }
        #expect(listening?.errorCode == 403)
        let allowed = try harness.send(.createPermission, from: Self.alice) { $0.append(XORPeerAddress(address: own)) }
        #expect(allowed?.errorCode == nil)
        let allocation = try #require(harness.table.allocations[Self.alice])
        #expect(allocation.state.permission(for: own.ip, now: harness.now)?.isServerIP == true)
    }

    @Test func aHairpinPermissionReachesOnlyLiveRelayPortsOfTheServersIP() throws {
        let harness = ControlPlaneHarness()
        _ = try self.allocate(harness)
        let bob = ControlPlaneHarness.client(40002)
        let bobsRelay = try #require(
            try self.allocate(harness, from: bob, user: "bob").attribute(XORRelayedAddress.self)
        )
        let permitted = try harness.send(.createPermission, from: Self.alice) { writer in
            writer.append(XORPeerAddress(address: bobsRelay.address))
        }
        #expect(permitted?.errorCode == nil)
        func sendIndication(to peer: TransportAddress) throws {
            var writer = STUNMessageWriter(
                type: STUNMessageType(method: .send, messageClass: .indication),
                transactionID: .random(),
                buffer: ByteBuffer()
            )
            writer.append(XORPeerAddress(address: peer))
            writer.append(DataAttribute(ByteBuffer(string: "payload")))
            _ = try harness.deliver(STUNMessage.decode(writer.finish()), from: Self.alice)
        }
        let otherPort = TransportAddress(ip: bobsRelay.address.ip, port: 9)
        try sendIndication(to: otherPort)
        try sendIndication(to: ControlPlaneHarness.server)
        #expect(harness.table.tally.forbidden[.serverAddress] == 2)
        try sendIndication(to: bobsRelay.address)
        #expect(harness.table.tally.forbidden[.serverAddress] == 2)
        #expect(harness.table.tally.dropped[.noPermission] == nil)
        // Once bob's allocation is gone its port is just another port of the server's IP.
        _ = try harness.send(.refresh, from: bob, user: "bob") { $0.append(Lifetime(seconds: 0)) }
        try sendIndication(to: bobsRelay.address)
        #expect(harness.table.tally.forbidden[.serverAddress] == 3)
    }

    @Test func channelBindRules() throws {
        let harness = ControlPlaneHarness { $0.acceptRFC5766ChannelNumbers = false }
        _ = try self.allocate(harness) { $0.append(Lifetime(seconds: 3600)) }
        func bind(_ number: UInt16, _ peer: TransportAddress) throws -> Int? {
            try harness.send(.channelBind, from: Self.alice) { writer in
                writer.append(ChannelNumber(number))
                writer.append(XORPeerAddress(address: peer))
            }?.errorCode
        }
        let otherPeer = TransportAddress(ip: .v4(0x0808_0404), port: 7001)
        #expect(try bind(0x4000, Self.publicPeer) == nil)
        #expect(try bind(0x4000, Self.publicPeer) == nil)  // a refresh
        #expect(try bind(0x4001, Self.publicPeer) == 400)  // the peer has a channel
        #expect(try bind(0x4000, otherPeer) == 400)  // the number has a peer
        #expect(try bind(0x5000, otherPeer) == 400)  // outside 0x4000-0x4FFF
        #expect(try bind(0x4002, TransportAddress(ip: .v4(0x7F00_0001), port: 9)) == 403)
        let allocation = try #require(harness.table.allocations[Self.alice])
        #expect(allocation.state.peer(forChannel: 0x4000, now: harness.now) == Self.publicPeer)
        // After the channel's 600 s a new peer may take its number.
        harness.advance(seconds: 600)
        harness.table.sweep(now: harness.now)
        #expect(try bind(0x4000, otherPeer) == nil)
    }

    @Test func staleNonceIs438() throws {
        let harness = ControlPlaneHarness { $0.nonceLifetime = .seconds(60) }
        _ = try self.allocate(harness)
        harness.advance(seconds: 61)
        let stale = try harness.send(.refresh, from: Self.alice) { $0.append(Lifetime(seconds: 600)) }
        #expect(stale?.errorCode == 438)
        #expect(try stale?.attribute(Nonce.self) != nil)
    }
}
