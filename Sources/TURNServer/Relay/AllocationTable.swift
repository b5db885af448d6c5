import CoreMetrics
import Logging
import NIOConcurrencyHelpers
import NIOCore
import NIOPosix
import STUNCodec

/// The allocations of one event loop, with their relay sockets (RFC 8656). Every listener socket and TCP
/// connection on the loop hands its TURN traffic here; the relay sockets it creates are bound on the same loop, so
/// all state of an allocation lives on one thread and a relayed packet never changes threads or takes a lock.
///
/// Expiry is one repeating sweep per loop (once a second), not a timer per allocation, permission or channel.
final class AllocationTable {
    let eventLoop: any EventLoop
    let shared: TURNSharedState
    var allocations: [FiveTuple: Allocation] = [:]
    /// Allocates whose relay sockets are being bound, by 5-tuple, with the request's transaction id.
    var pendingAllocates: [FiveTuple: STUNTransactionID] = [:]
    /// Allocations whose relay sockets were written in this read batch.
    private var relaysToFlush: [Allocation] = []
    /// Reads the relay sockets of this loop.
    private let receiver: DatagramReceiver
    /// Opens the relay sockets of new allocations.
    let relaySockets: any RelaySocketFactory
    /// Opens the listening and peer sockets of TCP allocations (RFC 6062).
    let tcpRelaySockets: any TCPRelaySocketFactory
    /// The time of the read batch under way, read once for all its datagrams (``batchTime()``).
    private var currentBatchTime: NIODeadline?
    /// Transaction IDs of the Data indications sent to clients.
    private let indicationIDs = TransactionIDPool()
    private var sweepTask: RepeatedTask?
    var tally = TURNMetrics.Tally()
    private var reportedPermissions = 0
    private var reportedChannels = 0

    /// The monotonic clock, read once per read batch; injectable for tests.
    let clock: () -> NIODeadline

    /// - Parameters:
    ///   - relaySockets: how relay sockets are opened; by default UDP sockets on this loop.
    ///   - clock: the monotonic time now.
    init(
        eventLoop: any EventLoop,
        shared: TURNSharedState,
        relaySockets: (any RelaySocketFactory)? = nil,
        tcpRelaySockets: (any TCPRelaySocketFactory)? = nil,
        clock: @escaping () -> NIODeadline = NIODeadline.now
    ) {
        self.eventLoop = eventLoop
        self.shared = shared
        self.clock = clock
        self.receiver = DatagramReceiver(capacity: 16, allocator: ByteBufferAllocator())
        self.relaySockets =
            relaySockets ?? UDPRelaySocketFactory(eventLoop: eventLoop, ports: shared.configuration.relayPorts)
        self.tcpRelaySockets =
            tcpRelaySockets
            ?? TCPRelaySockets(
                eventLoop: eventLoop,
                ports: shared.configuration.relayPorts,
                registry: shared.tcpConnections
            )
    }

    var logger: Logger { self.shared.logger }

    /// The time of the read batch under way: the clock is read at the first datagram of a batch and forgotten when
    /// the batch is flushed (``flushRelays()``, ``flushToClient(_:)``), not read once per datagram.
    func batchTime() -> NIODeadline {
        if let time = self.currentBatchTime {
            return time
        }
        let time = self.clock()
        self.currentBatchTime = time
        return time
    }

    // MARK: - Lifecycle

    func start() {
        self.eventLoop.assertInEventLoop()
        let table = NIOLoopBound(self, eventLoop: self.eventLoop)
        self.sweepTask = self.eventLoop.scheduleRepeatedTask(initialDelay: .seconds(1), delay: .seconds(1)) { _ in
            table.value.sweep(now: table.value.clock())
        }
    }

    func stop() {
        self.eventLoop.assertInEventLoop()
        self.sweepTask?.cancel()
        self.sweepTask = nil
        for allocation in Array(self.allocations.values) {
            self.delete(allocation, reason: "shutdown")
        }
        self.shared.metrics.flush(&self.tally)
    }

    /// Expires allocations, permissions and channels; flushes the data-plane counters.
    func sweep(now: NIODeadline) {
        var permissions = 0
        var channels = 0
        for allocation in Array(self.allocations.values) {
            if allocation.state.isExpired(now: now) {
                self.delete(allocation, reason: "expired")
                continue
            }
            _ = allocation.state.sweep(now: now)
            self.sweepTCPConnections(of: allocation, now: now)
            permissions += allocation.state.permissions.count
            channels += allocation.state.channels.count
        }
        let expiredReservations = self.shared.reservations.sweep(now: now)
        if !expiredReservations.isEmpty {
            self.shared.quota.withLockedValue { quota in
                for reservation in expiredReservations {
                    quota.release(reservation.quotaHolder)
                }
            }
        }
        self.reportGauges(permissions: permissions, channels: channels)
        self.shared.metrics.flush(&self.tally)
    }

    private func reportGauges(permissions: Int, channels: Int) {
        if permissions != self.reportedPermissions {
            self.shared.metrics.permissions.increment(by: Double(permissions - self.reportedPermissions))
            self.reportedPermissions = permissions
        }
        if channels != self.reportedChannels {
            self.shared.metrics.channels.increment(by: Double(channels - self.reportedChannels))
            self.reportedChannels = channels
        }
    }

    // MARK: - Deletion

    func delete(_ allocation: Allocation, reason: String) {
        guard !allocation.isClosed else {
            return
        }
        allocation.isClosed = true
        self.allocations[allocation.fiveTuple] = nil
        for relay in allocation.relays {
            self.shared.relayRegistry.remove(relay.address)
            relay.channel.close(promise: nil)
        }
        self.closeTCPRelay(of: allocation)
        self.shared.quota.withLockedValue { $0.release(allocation.quotaHolder) }
        self.shared.metrics.allocations.decrement()
        self.logger.info(
            "TURN allocation deleted",
            metadata: [
                "turn.five_tuple": "\(allocation.fiveTuple)",
                "turn.user": "\(allocation.username)",
                "turn.relay": "\(allocation.relayAddresses.map { "\($0)" }.joined(separator: ","))",
                "turn.reason": "\(reason)",
            ]
        )
    }

    /// A TCP client connection closed: its allocation goes with it (RFC 8656 §7.1 lifetime is tied to the connection).
    func connectionClosed(_ fiveTuple: FiveTuple) {
        self.pendingAllocates[fiveTuple] = nil
        if let allocation = self.allocations[fiveTuple] {
            self.delete(allocation, reason: "connection closed")
        }
    }

    // MARK: - Data plane: client to peer

    /// RFC 8656 §12.6: ChannelData from the client goes to the channel's peer, if a permission exists.
    func receivedChannelData(_ packet: ByteBuffer, from fiveTuple: FiveTuple) {
        guard let allocation = self.allocations[fiveTuple] else {
            self.tally.dropped[.noAllocation, default: 0] += 1
            return
        }
        guard let channelData = try? ChannelData.decode(packet, validRange: self.shared.configuration.channelNumbers)
        else {
            self.tally.dropped[.malformed, default: 0] += 1
            return
        }
        let now = self.batchTime()
        guard let peer = allocation.state.peer(forChannel: channelData.channelNumber, now: now) else {
            self.tally.dropped[.noChannel, default: 0] += 1
            return
        }
        self.sendToPeer(channelData.payload, peer: peer, allocation: allocation, now: now)
    }

    /// RFC 8656 §11.2: a Send indication's DATA goes to XOR-PEER-ADDRESS, if a permission exists.
    func receivedSendIndication(_ message: STUNMessage, from fiveTuple: FiveTuple) {
        guard let allocation = self.allocations[fiveTuple] else {
            self.tally.dropped[.noAllocation, default: 0] += 1
            return
        }
        guard let peer = try? message.attribute(XORPeerAddress.self)?.address,
            let data = try? message.attribute(DataAttribute.self)
        else {
            self.tally.dropped[.malformed, default: 0] += 1
            return
        }
        self.sendToPeer(data.value, peer: peer.unmappingIPv4(), allocation: allocation, now: self.batchTime())
    }

    private func sendToPeer(_ payload: ByteBuffer, peer: TransportAddress, allocation: Allocation, now: NIODeadline) {
        guard let permission = allocation.state.permission(for: peer.ip, now: now),
            let relay = allocation.relaySocket(for: peer)
        else {
            self.tally.dropped[.noPermission, default: 0] += 1
            return
        }
        if permission.isServerIP && !self.admitsHairpin(peer) {
            return
        }
        if allocation.limiter != nil, allocation.limiter?.admit(payload.readableBytes, now: now) == false {
            self.tally.dropped[.bandwidth, default: 0] += 1
            return
        }
        // The payload is a slice of the datagram the client sent: queued as is, never copied, and sent when the
        // listener's read batch ends, with the allocation's other datagrams for the same peer in one GSO send.
        var result = DatagramSocket.FlushResult()
        relay.enqueue(payload: payload, to: peer, into: &result)
        self.tally.record(result, .toPeer)
        if !allocation.relayNeedsFlush {
            allocation.relayNeedsFlush = true
            self.relaysToFlush.append(allocation)
        }
    }

    /// A permission for one of the server's own IPs covers only its live relay addresses (and allow-listed ports,
    /// never a listening socket): the policy decides again with this datagram's port, since the relay it was
    /// granted for may be gone and the other ports of the IP are the host's own services.
    func admitsHairpin(_ peer: TransportAddress) -> Bool {
        guard case .denied(let reason) = self.shared.checkPeer(peer) else {
            return true
        }
        self.tally.forbidden[reason, default: 0] += 1
        return false
    }

    /// Sends what was queued on relay sockets during a listener's read batch.
    func flushRelays() {
        self.currentBatchTime = nil
        guard !self.relaysToFlush.isEmpty else {
            return
        }
        var result = DatagramSocket.FlushResult()
        for allocation in self.relaysToFlush {
            allocation.relayNeedsFlush = false
            for relay in allocation.relays {
                relay.socket.flush(into: &result)
            }
        }
        self.relaysToFlush.removeAll(keepingCapacity: true)
        self.tally.record(result, .toPeer)
    }

    // MARK: - Data plane: peer to client

    /// RFC 8656 §11.3 and §12.6: a datagram from a peer reaches the client as ChannelData when a channel is bound to
    /// the peer, as a Data indication otherwise; dropped without a permission.
    func receivedFromPeer(
        _ payload: ByteBuffer,
        from source: TransportAddress,
        allocation: Allocation,
        allocator: ByteBufferAllocator
    ) {
        guard !allocation.isClosed else {
            return
        }
        let peer = source.unmappingIPv4()
        let now = self.batchTime()
        guard let permission = allocation.state.permission(for: peer.ip, now: now) else {
            self.tally.dropped[.noPermission, default: 0] += 1
            return
        }
        if permission.isServerIP && !self.admitsHairpin(peer) {
            return
        }
        if allocation.limiter != nil, allocation.limiter?.admit(payload.readableBytes, now: now) == false {
            self.tally.dropped[.bandwidth, default: 0] += 1
            return
        }
        var result = DatagramSocket.FlushResult()
        if let number = allocation.state.channel(forPeer: peer, now: now) {
            allocation.clientOutput.sendChannelData(
                number: number,
                payload: payload,
                allocator: allocator,
                into: &result
            )
        } else {
            var writer = STUNMessageWriter(
                type: STUNMessageType(method: .data, messageClass: .indication),
                transactionID: self.indicationIDs.next(),
                buffer: allocator.buffer(capacity: payload.readableBytes + 56)
            )
            writer.append(XORPeerAddress(address: peer))
            writer.append(DataAttribute(payload))
            allocation.clientOutput.sendRelayed(writer.finish(), payloadBytes: payload.readableBytes, into: &result)
        }
        allocation.clientNeedsFlush = true
        self.tally.record(result, .toClient)
    }

    /// Reads the datagrams left on an allocation's relay socket in `recvmmsg` batches, each batch sent on to the
    /// client before the next is read (see ``DatagramReceiver``).
    func drainRelay(_ socket: DatagramSocket, allocation: Allocation, allocator: ByteBufferAllocator) {
        self.receiver.drain(socket, packetInfo: false) { payload, peer, _ in
            self.receivedFromPeer(payload, from: peer, allocation: allocation, allocator: allocator)
        } afterBatch: {
            self.flushToClient(allocation)
        }
        let oversized = self.receiver.takeOversizedCount()
        if oversized > 0 {
            self.tally.dropped[.tooLarge, default: 0] += oversized
        }
    }

    /// Sends what was queued for an allocation's client during its relay socket's read batch.
    func flushToClient(_ allocation: Allocation) {
        self.currentBatchTime = nil
        guard allocation.clientNeedsFlush else {
            return
        }
        allocation.clientNeedsFlush = false
        var result = DatagramSocket.FlushResult()
        allocation.clientOutput.flushRelayed(into: &result)
        self.tally.record(result, .toClient)
    }
}

@available(*, unavailable)
extension AllocationTable: Sendable {}
