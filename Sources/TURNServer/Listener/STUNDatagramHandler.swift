import Logging
import NIOCore
import STUNCodec

/// The handler of one client-facing UDP socket (one per event loop, all bound to the same port with
/// SO_REUSEPORT). Binding requests go to the pure ``BindingResponder``; TURN requests, Send indications and
/// ChannelData go to the ``AllocationTable`` of the same event loop. Everything it touches lives on its channel's
/// event loop: no locks.
///
/// Responses are queued in a ``ResponseBatch`` and leave together at the end of each read batch (one `sendmmsg`);
/// the answer to the datagram NIO reads first joins those of the first `recvmmsg` batch.
///
/// A bad datagram is counted and dropped; nothing a client sends can close the socket (`errorCaught` never
/// closes), because one UDP socket serves every client of its loop.
final class STUNDatagramHandler: ChannelInboundHandler {
    typealias InboundIn = AddressedEnvelope<ByteBuffer>
    typealias OutboundOut = AddressedEnvelope<ByteBuffer>

    private let responder: BindingResponder
    private let table: AllocationTable?
    /// The socket itself, for the relay's direct sends to clients.
    private let socket: DatagramSocket
    /// The responses of the read batch under way, sent on the socket at its end.
    let responses: ResponseBatch
    /// With RFC 5780 discovery, this loop's sockets of every discovery address, for responses that must leave from
    /// another address or port; empty otherwise.
    private let siblings: [TransportAddress: DatagramSocket]
    private let metrics: STUNMetrics
    private let logger: Logger
    private var tally = STUNMetrics.Tally()
    private let receiver: DatagramReceiver
    private var localAddress: TransportAddress?
    /// Whether the socket has IP_PKTINFO on (a wildcard socket), so that each datagram says where it was sent.
    private let readsPacketInfo: Bool

    init(
        responder: BindingResponder,
        table: AllocationTable?,
        socket: DatagramSocket,
        siblings: [TransportAddress: DatagramSocket] = [:],
        receiver: DatagramReceiver,
        readsPacketInfo: Bool,
        metrics: STUNMetrics,
        logger: Logger
    ) {
        self.receiver = receiver
        self.readsPacketInfo = readsPacketInfo
        self.responder = responder
        self.table = table
        self.socket = socket
        self.responses = ResponseBatch(socket: socket)
        self.siblings = siblings
        self.metrics = metrics
        self.logger = logger
    }

    func channelActive(context: ChannelHandlerContext) {
        self.localAddress = context.localAddress.flatMap(TransportAddress.init)
        self.responses.listener = context.channel
        context.fireChannelActive()
    }

    func channelInactive(context: ChannelHandlerContext) {
        // The descriptor is closed: the relay must not send on its number any more.
        self.socket.isOpen = false
        self.responses.listener = nil
        self.responses.isReading = false
        self.responses.flush()  // dropped and counted: the descriptor is gone
        self.countFailedResponses()
        self.metrics.flush(&self.tally, transport: self.metrics.udp)
        context.fireChannelInactive()
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let envelope = self.unwrapInboundIn(data)
        guard !DatagramReceiver.isOversized(envelope.data) else {
            self.tally.record(.drop(.tooLarge))
            return
        }
        guard let source = TransportAddress(envelope.remoteAddress) else {
            return
        }
        let destination = envelope.metadata?.packetInfo.flatMap { TransportAddress($0.destinationAddress)?.ip }
        // Its answer waits for those of the recvmmsg batch read in channelReadComplete.
        self.responses.isReading = true
        self.received(envelope.data, from: source, to: destination, context: context)
    }

    /// One datagram from `source`, sent to `destination` (the IP_PKTINFO address, when known).
    private func received(
        _ packet: ByteBuffer,
        from source: TransportAddress,
        to destination: TransportAddress.IP?,
        context: ChannelHandlerContext
    ) {
        let action: BindingResponder.Action
        var route = source
        switch PacketDemultiplexer.classify(packet, acceptingRFC5766Channels: self.table != nil) {
        case .unknown:
            action = .drop(.notSTUN)
        case .channelData:
            guard let table = self.table else {
                action = .drop(.channelData)
                break
            }
            table.receivedChannelData(packet, from: self.fiveTuple(client: source, destination: destination))
            return
        case .stun:
            guard let message = try? STUNMessage.decode(packet) else {
                action = self.responder.respondToUndecodable(packet, allocator: context.channel.allocator)
                break
            }
            if let table = self.table, message.type.method != .binding {
                table.receivedTURNMessage(
                    message,
                    from: self.fiveTuple(client: source, destination: destination),
                    output: .datagram(responses: self.responses, client: source),
                    allocator: context.channel.allocator
                )
                return
            }
            let answer = self.responder.respond(
                to: message,
                from: source,
                receivedOn: self.siblings.isEmpty ? nil : self.localAddress,
                allocator: context.channel.allocator
            )
            if let origin = answer.route.origin, case .respond(let response, _) = answer.action {
                self.tally.record(answer.action)
                self.send(response, from: origin, to: answer.route.destination)
                return
            }
            action = answer.action
            route = answer.route.destination
        }
        self.tally.record(action)
        if case .respond(let response, _) = action {
            self.responses.enqueue(response, to: route)
        }
    }

    /// An RFC 5780 response that leaves from another of the discovery sockets of this loop (CHANGE-REQUEST).
    private func send(_ response: ByteBuffer, from origin: TransportAddress, to destination: TransportAddress) {
        guard let sibling = self.siblings[origin] else {
            return
        }
        var result = DatagramSocket.FlushResult()
        sibling.enqueue(payload: response, to: destination, into: &result)
        sibling.flush(into: &result)
    }

    /// The allocation key of a datagram: the server side is the address the client sent to (IP_PKTINFO), which
    /// differs from the socket's own address when it is bound to a wildcard.
    private func fiveTuple(client: TransportAddress, destination: TransportAddress.IP?) -> FiveTuple {
        var server = self.localAddress ?? TransportAddress(ip: .v4(0), port: 0)
        if let destination {
            server.ip = destination
        }
        return FiveTuple(client: client, server: server, transport: .udp)
    }

    /// NIO read the first datagram of this wake-up; the rest are read here in `recvmmsg` batches (see
    /// ``DatagramReceiver``), each batch's responses and relayed datagrams sent before the next batch is read (the
    /// drain ends every batch with `afterBatch`, an empty last one too).
    func channelReadComplete(context: ChannelHandlerContext) {
        self.responses.isReading = true
        self.receiver.drain(self.socket, packetInfo: self.readsPacketInfo) { packet, source, destination in
            self.received(packet, from: source, to: destination, context: context)
        } afterBatch: {
            self.flushBatch()
        }
        self.responses.isReading = false
        let oversized = self.receiver.takeOversizedCount()
        if oversized > 0 {
            self.tally.dropped[.tooLarge, default: 0] += oversized
        }
        self.countFailedResponses()
        self.metrics.flush(&self.tally, transport: self.metrics.udp)
    }

    private func flushBatch() {
        self.responses.flush()
        self.table?.flushRelays()
    }

    /// Responses the kernel refused (or that met a closed socket), in this batch or since the last one.
    private func countFailedResponses() {
        let failed = self.responses.takeFailedCount()
        if failed > 0 {
            self.tally.dropped[.sendFailed, default: 0] += failed
        }
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        // ICMP errors (ECONNREFUSED from a vanished client) and the like arrive here; they concern one client,
        // never the socket, so the channel stays open.
        self.logger.debug("UDP socket error", metadata: ["error": "\(error)"])
    }
}

@available(*, unavailable)
extension STUNDatagramHandler: Sendable {}
