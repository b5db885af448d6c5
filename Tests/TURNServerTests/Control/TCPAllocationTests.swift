import NIOCore
import NIOEmbedded
import STUNCodec
import Testing

@testable import TURNServer

/// The RFC 6062 rules of the control plane (TCP allocations, Connect, ConnectionBind, incoming peer connections) on
/// an embedded event loop: no sockets, no clock.
@Suite struct TCPAllocationTests {
    static let alice = FiveTuple(
        client: TransportAddress(ip: .v4(0xC633_6405), port: 40001),
        server: ControlPlaneHarness.server,
        transport: .tcp
    )
    /// A second connection of Alice's client: the one it binds to a peer connection.
    static let aliceData = FiveTuple(
        client: TransportAddress(ip: .v4(0xC633_6405), port: 40002),
        server: ControlPlaneHarness.server,
        transport: .tcp
    )
    static let publicPeer = TransportAddress(ip: .v4(0x0808_0808), port: 7000)

    private func allocate(
        _ harness: ControlPlaneHarness,
        from fiveTuple: FiveTuple = Self.alice,
        _ more: (inout STUNMessageWriter) -> Void = { _ in }
    ) throws -> STUNMessage? {
        try harness.send(.allocate, from: fiveTuple) { writer in
            writer.append(RequestedTransport.tcp)
            more(&writer)
        }
    }

    private func connect(_ harness: ControlPlaneHarness, to peer: TransportAddress) throws -> STUNMessage? {
        try harness.send(.connect, from: Self.alice) { $0.append(XORPeerAddress(address: peer)) }
    }

    /// Allocates, connects to the public peer and lets the connection succeed; returns its CONNECTION-ID.
    private func connectedPeer(_ harness: ControlPlaneHarness) throws -> UInt32 {
        #expect(try self.allocate(harness)?.type.messageClass == .successResponse)
        #expect(try self.connect(harness, to: Self.publicPeer) == nil)  // Answered once connected.
        let pending = try #require(harness.tcpRelaySockets.connects.last)
        pending.promise.succeed(pending.channel)
        let answer = try #require(try harness.nextMessage(to: Self.alice))
        #expect(answer.type == STUNMessageType(method: .connect, messageClass: .successResponse))
        #expect(answer.isMessageIntegrityValid(key: ControlPlaneHarness.key("alice")))
        let id = try #require(try answer.attribute(ConnectionID.self)?.value)
        #expect(id == pending.id)
        return id
    }

    @Test func aTCPAllocationListensOnItsRelayedAddress() throws {
        let harness = ControlPlaneHarness()
        let answer = try #require(try self.allocate(harness))
        #expect(answer.type.messageClass == .successResponse)
        #expect(try answer.attribute(XORRelayedAddress.self)?.address == harness.tcpRelaySockets.listeners.first)
        #expect(harness.relaySockets.bound.isEmpty)
        #expect(harness.quotaPlaces == 1)
        let allocation = try #require(harness.table.allocations[Self.alice])
        #expect(allocation.tcpRelay != nil && allocation.relays.isEmpty)
        #expect(harness.shared.relayRegistry.contains(try #require(harness.tcpRelaySockets.listeners.first)))
    }

    @Test func section5Point1Rules() throws {
        let harness = ControlPlaneHarness()
        // Over UDP: 400 (RFC 6062 §5.1 item 2).
        let overUDP = try harness.send(.allocate, from: ControlPlaneHarness.client(40001)) {
            $0.append(RequestedTransport.tcp)
        }
        #expect(overUDP?.errorCode == 400)
        // DONT-FRAGMENT, EVEN-PORT, RESERVATION-TOKEN: 400 (item 3); one family only.
        #expect(try self.allocate(harness) { $0.append(DontFragment()) }?.errorCode == 400)
        #expect(try self.allocate(harness) { $0.append(EvenPort(reserveNextHigherPort: false)) }?.errorCode == 400)
        #expect(try self.allocate(harness) { $0.append(ReservationToken(7)) }?.errorCode == 400)
        #expect(try self.allocate(harness) { $0.append(AdditionalAddressFamily(.ipv6)) }?.errorCode == 400)
        #expect(harness.table.allocations.isEmpty && harness.quotaPlaces == 0)
        // Switched off: 442, as coturn's no-tcp-relay.
        let off = ControlPlaneHarness { $0.tcpRelay = false }
        #expect(try self.allocate(off)?.errorCode == 442)
    }

    @Test func connectRules() throws {
        let harness = ControlPlaneHarness()
        // No allocation: 437.
        #expect(try self.connect(harness, to: Self.publicPeer)?.errorCode == 437)
        // A UDP allocation has no Connect.
        let udpClient = ControlPlaneHarness.client(40009)
        _ = try harness.send(.allocate, from: udpClient) { $0.append(RequestedTransport.udp) }
        let onUDP = try harness.send(.connect, from: udpClient) { $0.append(XORPeerAddress(address: Self.publicPeer)) }
        #expect(onUDP?.errorCode == 400)
        #expect(try self.allocate(harness)?.type.messageClass == .successResponse)
        #expect(try harness.send(.connect, from: Self.alice) { _ in }?.errorCode == 400)
        // The peer policy of UDP relays: loopback and the server's own address are 403; another family 443.
        #expect(try self.connect(harness, to: TransportAddress(ip: .v4(0x7F00_0001), port: 80))?.errorCode == 403)
        #expect(try self.connect(harness, to: TransportAddress(ip: .v4(0xCB00_7101), port: 80))?.errorCode == 403)
        #expect(try self.connect(harness, to: TransportAddress(ip: .v6(0x2001_4860, 1), port: 80))?.errorCode == 443)
        #expect(harness.tcpRelaySockets.connects.isEmpty)
        // One connection per peer address, whatever its state: 446.
        #expect(try self.connect(harness, to: Self.publicPeer) == nil)
        #expect(try self.connect(harness, to: Self.publicPeer)?.errorCode == 446)
        // A failed connection is 447 and frees the peer address.
        harness.tcpRelaySockets.connects[0].promise.fail(ChannelError.connectTimeout(.seconds(30)))
        #expect(try harness.nextMessage(to: Self.alice)?.errorCode == 447)
        #expect(harness.shared.tcpConnections.count == 0)
        #expect(try self.connect(harness, to: Self.publicPeer) == nil)
    }

    @Test func theConnectionLimitIs508() throws {
        let harness = ControlPlaneHarness { $0.tcpRelayConnectionLimit = 1 }
        #expect(try self.allocate(harness)?.type.messageClass == .successResponse)
        #expect(try self.connect(harness, to: Self.publicPeer) == nil)
        let other = TransportAddress(ip: .v4(0x0808_0404), port: 7000)
        #expect(try self.connect(harness, to: other)?.errorCode == 508)
    }

    @Test func connectionBindClaimsThePeerConnectionOnce() throws {
        let harness = ControlPlaneHarness()
        let id = try self.connectedPeer(harness)
        // Unknown id, no id: 400; another user: 441.
        #expect(try harness.bind(id &+ 1, from: Self.aliceData).answer?.errorCode == 400)
        #expect(try harness.bind(nil, from: Self.aliceData).answer?.errorCode == 400)
        #expect(try harness.bind(id, from: Self.aliceData, user: "bob").answer?.errorCode == 441)
        // Not on the control connection, nor over UDP.
        #expect(try harness.bind(id, from: Self.alice).answer?.errorCode == 400)
        let overUDP = ControlPlaneHarness.client(40003)
        #expect(try harness.bind(id, from: overUDP).answer?.errorCode == 400)
        let bound = try harness.bind(id, from: Self.aliceData)
        #expect(bound.answer?.type == STUNMessageType(method: .connectionBind, messageClass: .successResponse))
        #expect(bound.answer?.isMessageIntegrityValid(key: ControlPlaneHarness.key("alice")) == true)
        #expect(bound.pipe != nil)
        let relay = try #require(harness.table.allocations[Self.alice]?.tcpRelay)
        #expect(relay.connections.connections[id]?.state == .bound)
        // Bound: no second bind, and no bind timeout.
        let third = FiveTuple(
            client: TransportAddress(ip: .v4(0xC633_6405), port: 40004),
            server: ControlPlaneHarness.server,
            transport: .tcp
        )
        #expect(try harness.bind(id, from: third).answer?.errorCode == 400)
        harness.advance(seconds: 60)
        harness.table.sweep(now: harness.now)
        #expect(relay.connections.connections[id]?.state == .bound)
    }

    @Test func anUnboundPeerConnectionClosesAfter30Seconds() throws {
        let harness = ControlPlaneHarness()
        let id = try self.connectedPeer(harness)
        let channel = try #require(harness.tcpRelaySockets.connects.last?.channel)
        harness.advance(seconds: 29)
        harness.table.sweep(now: harness.now)
        #expect(channel.isActive)
        harness.advance(seconds: 1)
        harness.table.sweep(now: harness.now)
        harness.loop.run()
        #expect(!channel.isActive)
        #expect(try harness.bind(id, from: Self.aliceData).answer?.errorCode == 400)
        #expect(harness.shared.tcpConnections.count == 0)
    }

    @Test func deletingTheAllocationClosesItsPeerConnections() throws {
        let harness = ControlPlaneHarness()
        let id = try self.connectedPeer(harness)
        let channel = try #require(harness.tcpRelaySockets.connects.last?.channel)
        let listener = try #require(harness.table.allocations[Self.alice]?.tcpRelay?.address)
        _ = try harness.send(.refresh, from: Self.alice) { $0.append(Lifetime(seconds: 0)) }
        harness.loop.run()
        #expect(!channel.isActive)
        #expect(harness.shared.tcpConnections.count == 0)
        #expect(!harness.shared.relayRegistry.contains(listener))
        #expect(try harness.bind(id, from: Self.aliceData).answer?.errorCode == 400)
        #expect(harness.quotaPlaces == 0)
    }

    @Test func anIncomingPeerNeedsAPermissionAndIsAnnounced() throws {
        let harness = ControlPlaneHarness()
        #expect(try self.allocate(harness)?.type.messageClass == .successResponse)
        let allocation = try #require(harness.table.allocations[Self.alice])
        func incoming(from peer: TransportAddress) throws -> EmbeddedChannel {
            let channel = EmbeddedChannel(loop: harness.loop)
            channel.connect(to: peer.makeSocketAddress(), promise: nil)
            _ = harness.table.acceptedPeerConnection(channel, allocation: allocation)
            harness.loop.run()
            return channel
        }
        // Without a permission it is closed at once, and the client hears nothing (RFC 6062 §5.3).
        let refused = try incoming(from: Self.publicPeer)
        #expect(!refused.isActive)
        #expect(try harness.nextMessage(to: Self.alice) == nil)
        let permitted = try harness.send(.createPermission, from: Self.alice) {
            $0.append(XORPeerAddress(address: TransportAddress(ip: Self.publicPeer.ip, port: 1)))
        }
        #expect(permitted?.type.messageClass == .successResponse)
        let accepted = try incoming(from: Self.publicPeer)
        #expect(accepted.isActive)
        let attempt = try #require(try harness.nextMessage(to: Self.alice))
        #expect(attempt.type == STUNMessageType(method: .connectionAttempt, messageClass: .indication))
        #expect(try attempt.attribute(XORPeerAddress.self)?.address == Self.publicPeer)
        let id = try #require(try attempt.attribute(ConnectionID.self)?.value)
        // A second connection from the same peer address is refused while the first lives.
        #expect(!(try incoming(from: Self.publicPeer)).isActive)
        let bound = try harness.bind(id, from: Self.aliceData)
        #expect(bound.answer?.type.messageClass == .successResponse)
        #expect(bound.pipe != nil)
    }
}
