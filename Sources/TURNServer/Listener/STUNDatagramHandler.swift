import Logging
import NIOCore
import STUNCodec

/// The handler of one client-facing UDP socket (one per event loop, all bound to the same port with
/// SO_REUSEPORT). Everything it touches lives on its channel's event loop: no locks.
///
/// A bad datagram is counted and dropped; nothing a client sends can close the socket (`errorCaught` never
/// closes), because one UDP socket serves every client of its loop.
final class STUNDatagramHandler: ChannelInboundHandler {
    typealias InboundIn = AddressedEnvelope<ByteBuffer>
    typealias OutboundOut = AddressedEnvelope<ByteBuffer>

    private let responder: BindingResponder
    private let metrics: STUNMetrics
    private let logger: Logger
    private var tally = STUNMetrics.Tally()
    private var needsFlush = false

    init(responder: BindingResponder, metrics: STUNMetrics, logger: Logger) {
        self.responder = responder
        self.metrics = metrics
        self.logger = logger
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let envelope = self.unwrapInboundIn(data)
        guard let source = TransportAddress(envelope.remoteAddress) else {
            return
        }
        let action = self.responder.respond(to: envelope.data, from: source, allocator: context.channel.allocator)
        self.tally.record(action)
        if case .respond(let response, _) = action {
            // `promise: nil` avoids allocating a promise per datagram; the flush happens once per read batch.
            context.write(
                self.wrapOutboundOut(AddressedEnvelope(remoteAddress: envelope.remoteAddress, data: response)),
                promise: nil
            )
            self.needsFlush = true
        }
    }

    func channelReadComplete(context: ChannelHandlerContext) {
        if self.needsFlush {
            self.needsFlush = false
            context.flush()
        }
        self.metrics.flush(&self.tally, transport: self.metrics.udp)
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        // ICMP errors (ECONNREFUSED from a vanished client) and the like arrive here; they concern one client,
        // never the socket, so the channel stays open.
        self.logger.debug("UDP socket error", metadata: ["error": "\(error)"])
    }
}

@available(*, unavailable)
extension STUNDatagramHandler: Sendable {}
