import CoreMetrics
import Logging
import NIOCore
import STUNCodec

/// The handler of one TCP client connection: answers each framed STUN message with the binding responder.
/// A peer that sends garbage, or nothing for too long, is disconnected; other connections are unaffected.
final class STUNStreamHandler: ChannelInboundHandler {
    typealias InboundIn = ByteBuffer
    typealias OutboundOut = ByteBuffer

    private let responder: BindingResponder
    private let metrics: STUNMetrics
    private let logger: Logger
    private var source: TransportAddress?
    private var tally = STUNMetrics.Tally()
    private var needsFlush = false

    init(responder: BindingResponder, metrics: STUNMetrics, logger: Logger) {
        self.responder = responder
        self.metrics = metrics
        self.logger = logger
    }

    func channelActive(context: ChannelHandlerContext) {
        self.source = context.remoteAddress.flatMap(TransportAddress.init)
        self.metrics.tcpConnections.increment()
        context.fireChannelActive()
    }

    func channelInactive(context: ChannelHandlerContext) {
        self.metrics.tcpConnections.decrement()
        context.fireChannelInactive()
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        guard let source = self.source else {
            return
        }
        let frame = self.unwrapInboundIn(data)
        let action = self.responder.respond(to: frame, from: source, allocator: context.channel.allocator)
        self.tally.record(action)
        if case .respond(let response, _) = action {
            context.write(self.wrapOutboundOut(response), promise: nil)
            self.needsFlush = true
        }
    }

    func channelReadComplete(context: ChannelHandlerContext) {
        if self.needsFlush {
            self.needsFlush = false
            context.flush()
        }
        self.metrics.flush(&self.tally, transport: self.metrics.tcp)
    }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        if event is IdleStateHandler.IdleStateEvent {
            self.metrics.idleStreams.increment()
            self.logger.debug(
                "closing idle TCP connection",
                metadata: ["client.address": "\(self.source.map { "\($0)" } ?? "?")"]
            )
            context.close(promise: nil)
            return
        }
        context.fireUserInboundEventTriggered(event)
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        if error is STUNStreamFrameDecoder.FramingError {
            self.metrics.closedStreams.increment()
        }
        self.logger.debug(
            "closing TCP connection after an error",
            metadata: ["client.address": "\(self.source.map { "\($0)" } ?? "?")", "error": "\(error)"]
        )
        context.close(promise: nil)
    }
}

@available(*, unavailable)
extension STUNStreamHandler: Sendable {}
