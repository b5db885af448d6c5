import CoreMetrics
import Logging
import NIOCore
import STUNCodec

/// The handler of one TCP client connection (RFC 8489 §6.2.2, RFC 8656 §3.1): Binding requests are answered by the
/// binding responder, TURN traffic goes to the allocation table of the connection's event loop, whose allocation
/// lives as long as the connection. A peer that sends garbage, or nothing for too long, is disconnected; other
/// connections are unaffected.
final class STUNStreamHandler: ChannelInboundHandler {
    typealias InboundIn = ByteBuffer
    typealias OutboundOut = ByteBuffer

    private let responder: BindingResponder
    private let table: AllocationTable?
    private let metrics: STUNMetrics
    private let logger: Logger
    private var source: TransportAddress?
    private var fiveTuple: FiveTuple?
    private var tally = STUNMetrics.Tally()
    private var needsFlush = false

    init(responder: BindingResponder, table: AllocationTable?, metrics: STUNMetrics, logger: Logger) {
        self.responder = responder
        self.table = table
        self.metrics = metrics
        self.logger = logger
    }

    func channelActive(context: ChannelHandlerContext) {
        self.source = context.remoteAddress.flatMap(TransportAddress.init)
        if let source = self.source, let server = context.localAddress.flatMap(TransportAddress.init) {
            self.fiveTuple = FiveTuple(client: source, server: server, transport: .tcp)
        }
        self.metrics.tcpConnections.increment()
        context.fireChannelActive()
    }

    func channelInactive(context: ChannelHandlerContext) {
        self.metrics.tcpConnections.decrement()
        if let fiveTuple = self.fiveTuple {
            self.table?.connectionClosed(fiveTuple)
        }
        context.fireChannelInactive()
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        guard let source = self.source else {
            return
        }
        let frame = self.unwrapInboundIn(data)
        let action: BindingResponder.Action
        switch PacketDemultiplexer.classify(frame, acceptingRFC5766Channels: self.table != nil) {
        case .channelData:
            if let table = self.table, let fiveTuple = self.fiveTuple {
                table.receivedChannelData(frame, from: fiveTuple)
                return
            }
            action = .drop(.channelData)
        case .stun:
            guard let message = try? STUNMessage.decode(frame) else {
                action = self.responder.respondToUndecodable(frame, allocator: context.channel.allocator)
                break
            }
            if let table = self.table, let fiveTuple = self.fiveTuple, message.type.method != .binding {
                table.receivedTURNMessage(
                    message,
                    from: fiveTuple,
                    output: .stream(context.channel),
                    allocator: context.channel.allocator
                )
                return
            }
            action = self.responder.respond(to: message, from: source, allocator: context.channel.allocator)
        case .unknown:
            action = .drop(.notSTUN)
        }
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
        self.table?.flushRelays()
        self.metrics.flush(&self.tally, transport: self.metrics.tcp)
    }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        if event is IdleStateHandler.IdleStateEvent {
            // An allocation keeps its connection: TURN clients may be silent between refreshes.
            if let fiveTuple = self.fiveTuple, self.table?.allocations[fiveTuple] != nil {
                return
            }
            self.metrics.idleStreams.increment()
            self.logger.debug("closing idle TCP connection", metadata: ["client.address": "\(self.sourceDescription)"])
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
            metadata: ["client.address": "\(self.sourceDescription)", "error": "\(error)"]
        )
        context.close(promise: nil)
    }

    private var sourceDescription: String {
        self.source.map { "\($0)" } ?? "?"
    }
}

@available(*, unavailable)
extension STUNStreamHandler: Sendable {}
