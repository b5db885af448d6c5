import CoreMetrics
import Logging
import NIOConcurrencyHelpers
import NIOCore
import STUNCodec

/// RFC 6062 TCP allocations on this event loop: the listening socket of the relayed address, the peer connections
/// it accepts (§5.3), and the life of every peer connection until it is bound, expires or closes.
extension AllocationTable {
    /// RFC 6062 §5.1: a TCP allocation listens on its relayed transport address; it is answered once listening,
    /// 508 when no port of the relay range can be bound.
    func listenTCPRelay(ip: TransportAddress.IP, for allocation: Allocation, request: TURNRequest) {
        let fiveTuple = allocation.fiveTuple
        self.tcpRelaySockets.listen(ip: ip, for: allocation, table: self).assumeIsolated().whenComplete { result in
            self.pendingAllocates[fiveTuple] = nil
            guard case .success(let listening) = result, self.allocations[fiveTuple] == nil else {
                if case .success(let listening) = result {
                    listening.channel.close(promise: nil)
                    self.shared.tcpConnections.releaseListener(listening.address)
                }
                self.shared.quota.withLockedValue { $0.release(allocation.quotaHolder) }
                self.respond(request, with: TURNRequestError(.insufficientCapacity))
                return
            }
            allocation.tcpRelay = TCPRelay(
                address: listening.address,
                listener: listening.channel,
                connectionLimit: self.shared.configuration.tcpRelayConnectionLimit
            )
            self.allocations[fiveTuple] = allocation
            self.shared.relayRegistry.insert(listening.address)
            self.announce(allocation, request: request)
        }
    }

    /// RFC 6062 §5.3: a peer connected to the relayed address. Without a permission for its IP (or, for one of the
    /// server's own IPs, when the peer policy refuses its port) it is closed at once; otherwise the client hears of
    /// it in a ConnectionAttempt indication with its CONNECTION-ID, and it waits, unread, for the bind.
    func acceptedPeerConnection(_ channel: any Channel, allocation: Allocation) -> EventLoopFuture<Void> {
        guard !allocation.isClosed, let relay = allocation.tcpRelay,
            let peer = channel.remoteAddress.flatMap(TransportAddress.init)?.unmappingIPv4()
        else {
            return channel.close()
        }
        let now = self.clock()
        guard let permission = allocation.state.permission(for: peer.ip, now: now) else {
            self.shared.metrics.tcpRefused[.noPermission]?.increment()
            return channel.close()
        }
        if permission.isServerIP && !self.admitsHairpin(peer) {
            return channel.close()
        }
        guard relay.connections.decide(peer: peer) == .allowed else {
            self.shared.metrics.tcpRefused[.tooMany]?.increment()
            return channel.close()
        }
        let id = self.shared.tcpConnections.reserveID()
        do {
            try channel.pipeline.syncOperations.addHandler(TCPPeerHandler(table: self, allocation: allocation, id: id))
        } catch {
            self.shared.tcpConnections.release(id)
            return channel.close()
        }
        relay.connections.accepted(id, from: peer, now: now)
        self.peerConnectionOpened(id, channel: channel, peer: peer, allocation: allocation)
        var writer = STUNMessageWriter(
            type: STUNMessageType(method: .connectionAttempt, messageClass: .indication),
            transactionID: .random(),
            buffer: channel.allocator.buffer(capacity: 64)
        )
        writer.append(XORPeerAddress(address: peer))
        writer.append(ConnectionID(id))
        writer.appendFingerprint()
        allocation.clientOutput.write(writer.finish())
        allocation.clientOutput.flush()
        return channel.eventLoop.makeSucceededVoidFuture()
    }

    /// Peer connection `id` is up (opened for Connect or accepted): it may now be claimed by a ConnectionBind.
    func peerConnectionOpened(_ id: UInt32, channel: any Channel, peer: TransportAddress, allocation: Allocation) {
        allocation.tcpRelay?.peerChannels[id] = channel
        self.shared.tcpConnections.publish(
            id,
            TCPConnectionRegistry.PendingBind(peerChannel: channel, owner: allocation.pinnedCredential, peer: peer)
        )
        self.shared.metrics.tcpConnections.increment()
        self.logger.debug(
            "TURN TCP peer connection",
            metadata: [
                "turn.five_tuple": "\(allocation.fiveTuple)", "turn.peer": "\(peer)", "turn.connection_id": "\(id)",
            ]
        )
    }

    /// A client data connection was bound to peer connection `id` (§5.4); false when it is no longer waiting.
    func peerConnectionBound(_ id: UInt32, allocation: Allocation) -> Bool {
        guard !allocation.isClosed, allocation.tcpRelay?.connections.bound(id) == true else {
            return false
        }
        self.shared.metrics.tcpBinds.increment()
        return true
    }

    /// Peer connection `id` closed.
    func peerConnectionClosed(_ id: UInt32, allocation: Allocation) {
        guard let relay = allocation.tcpRelay, relay.peerChannels.removeValue(forKey: id) != nil else {
            return
        }
        relay.connections.remove(id)
        self.shared.tcpConnections.release(id)
        self.shared.metrics.tcpConnections.decrement()
    }

    /// §5.2, §5.3: closes the peer connections whose ConnectionBind did not come within 30 seconds.
    func sweepTCPConnections(of allocation: Allocation, now: NIODeadline) {
        guard let relay = allocation.tcpRelay else {
            return
        }
        for id in relay.connections.removeUnbound(now: now) {
            // A bind that claimed it meanwhile finds it gone and closes it (``peerConnectionBound(_:allocation:)``).
            self.shared.tcpConnections.release(id)
            self.shared.metrics.tcpRefused[.bindTimeout]?.increment()
            relay.peerChannels[id]?.close(promise: nil)
        }
    }

    /// Closes a deleted allocation's listener and peer connections (their client data connections follow).
    func closeTCPRelay(of allocation: Allocation) {
        guard let relay = allocation.tcpRelay else {
            return
        }
        self.shared.relayRegistry.remove(relay.address)
        relay.listener.close(promise: nil)
        self.shared.tcpConnections.releaseListener(relay.address)
        for channel in relay.peerChannels.values {
            channel.close(promise: nil)
        }
        for id in relay.connections.connections.keys where relay.peerChannels[id] == nil {
            self.shared.tcpConnections.release(id)  // Still connecting: the connect's completion closes it.
        }
    }
}
