import CoreMetrics
import Logging
import NIOCore
import STUNCodec

/// The handler of one TCP client connection (RFC 8489 §6.2.2, RFC 8656 §3.1): Binding requests are answered by the
/// binding responder, TURN traffic goes to the allocation table of the connection's event loop, whose allocation
/// lives as long as the connection. A peer that sends garbage, or nothing for too long, is disconnected; other
/// connections are unaffected.
///
/// Writes are bounded per connection (every response and relayed packet passes ``write(context:data:promise:)``):
/// over half of ``outboundBufferBytes`` unsent the channel is unwritable, reading stops until it drains and relayed
/// data is dropped (``ClientOutput``); a write that would take it over ``outboundBufferBytes`` closes the connection,
/// as does staying unwritable for ``sendTimeout``. A client that sends requests and never reads costs the server at
/// most that budget, and what it sends waits in its own kernel buffers.
///
/// A ConnectionBind (RFC 6062 §5.4) turns the connection into a client data connection: from its success response on,
/// the bytes it reads go as they are to the bound peer connection (``pipe``), and reading pauses while that side has
/// not taken what it was given (``TCPRelayPipe``) instead of while this side is unwritable.
final class STUNStreamHandler: ChannelDuplexHandler {
    typealias InboundIn = ByteBuffer
    typealias OutboundIn = ByteBuffer
    typealias OutboundOut = ByteBuffer

    private let responder: BindingResponder
    private let table: AllocationTable?
    private let metrics: STUNMetrics
    private let logger: Logger
    private var source: TransportAddress?
    private var fiveTuple: FiveTuple?
    private var tally = STUNMetrics.Tally()
    private var needsFlush = false
    /// The most bytes written and not yet taken by the kernel; more closes the connection.
    let outboundBufferBytes: Int
    /// How long the connection may stay unwritable before it is closed.
    let sendTimeout: TimeAmount
    /// A `read()` held back while the channel is unwritable.
    private var readHeld = false
    private var sendTimer: Scheduled<Void>?
    private var closing = false
    /// Whether the connection was counted open (once, from `channelActive` or `handlerAdded`).
    private var active = false
    /// Set by a ConnectionBind: the way to the peer of this client data connection (RFC 6062 §5.4).
    private var pipe: TCPRelayPipe?

    /// Whether the connection carries a TCP allocation's bytes rather than STUN (the frame decoder passes them).
    var isDataConnection: Bool {
        self.pipe != nil
    }

    init(
        responder: BindingResponder,
        table: AllocationTable?,
        metrics: STUNMetrics,
        logger: Logger,
        outboundBufferBytes: Int = 256 * 1024,
        sendTimeout: TimeAmount = .seconds(30)
    ) {
        self.responder = responder
        self.table = table
        self.metrics = metrics
        self.logger = logger
        self.outboundBufferBytes = outboundBufferBytes
        self.sendTimeout = sendTimeout
    }

    /// The channel's water marks: unwritable over half the budget, writable again under a quarter of it.
    static func waterMark(outboundBufferBytes: Int) -> ChannelOptions.Types.WriteBufferWaterMark {
        let high = max(outboundBufferBytes / 2, 2)
        return ChannelOptions.Types.WriteBufferWaterMark(low: high / 2, high: high)
    }

    func handlerAdded(context: ChannelHandlerContext) {
        try? context.channel.syncOptions?.setOption(
            .writeBufferWaterMark,
            value: Self.waterMark(outboundBufferBytes: self.outboundBufferBytes)
        )
        // Added to a live connection (after the shared port's sniffing): no channelActive will come.
        if context.channel.isActive {
            self.activate(context: context)
        }
    }

    func channelActive(context: ChannelHandlerContext) {
        self.activate(context: context)
        context.fireChannelActive()
    }

    private func activate(context: ChannelHandlerContext) {
        guard !self.active else {
            return
        }
        self.active = true
        self.source = context.remoteAddress.flatMap(TransportAddress.init)
        if let source = self.source, let server = context.localAddress.flatMap(TransportAddress.init) {
            self.fiveTuple = FiveTuple(client: source, server: server, transport: .tcp)
        }
        self.metrics.tcpConnections.increment()
    }

    func channelInactive(context: ChannelHandlerContext) {
        self.sendTimer?.cancel()
        self.sendTimer = nil
        if self.active {
            self.active = false
            self.metrics.tcpConnections.decrement()
        }
        if let fiveTuple = self.fiveTuple {
            self.table?.connectionClosed(fiveTuple)
        }
        if let pipe = self.pipe {
            // Either side closing closes the other, once what was already read is written (RFC 6062 §5.4).
            let peer = pipe.destination
            peer.writeAndFlush(ByteBuffer()).whenComplete { _ in
                peer.close(promise: nil)
            }
        }
        context.fireChannelInactive()
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        guard let source = self.source else {
            return
        }
        let frame = self.unwrapInboundIn(data)
        if let pipe = self.pipe {
            pipe.forward(frame)
            return
        }
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
            if let table = self.table, let fiveTuple = self.fiveTuple,
                message.type == STUNMessageType(method: .connectionBind, messageClass: .request)
            {
                self.pipe = table.handleConnectionBind(
                    message,
                    from: fiveTuple,
                    channel: context.channel,
                    allocator: context.channel.allocator
                )
                return
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
        if case .respond(let response, _) = action, self.admit(response.readableBytes, context: context) {
            context.write(self.wrapOutboundOut(response), promise: nil)
            self.needsFlush = true
        }
    }

    // MARK: - Back-pressure

    /// Every write from further down the pipeline (TURN responses, relayed data) passes the budget here. A data
    /// connection's writes are a peer's bytes, already bounded by the peer side of its ``TCPRelayPipe``.
    func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        guard self.pipe != nil || self.admit(self.unwrapOutboundIn(data).readableBytes, context: context) else {
            promise?.fail(ChannelError.outputClosed)
            return
        }
        context.write(data, promise: promise)
    }

    /// Whether `bytes` more fit the budget; if not, the connection is closed (its unsent bytes are freed).
    private func admit(_ bytes: Int, context: ChannelHandlerContext) -> Bool {
        guard !self.closing else {
            return false
        }
        let buffered = (try? context.channel.syncOptions?.getOption(.bufferedWritableBytes)) ?? 0
        guard buffered + bytes > self.outboundBufferBytes else {
            return true
        }
        self.close(context: context, counter: self.metrics.slowReaders, why: "its unread responses are over the budget")
        return false
    }

    /// Reading waits while the client is not taking what was written; on a data connection, while the peer is not.
    func read(context: ChannelHandlerContext) {
        let canRead = if let pipe = self.pipe { !pipe.isSaturated } else { context.channel.isWritable }
        if canRead {
            self.readHeld = false
            context.read()
        } else {
            self.readHeld = true
        }
    }

    func channelWritabilityChanged(context: ChannelHandlerContext) {
        if context.channel.isWritable {
            self.sendTimer?.cancel()
            self.sendTimer = nil
            if self.readHeld {
                self.read(context: context)
            }
        } else if self.sendTimer == nil, !self.closing {
            self.sendTimer = context.eventLoop.assumeIsolated().scheduleTask(in: self.sendTimeout) {
                self.sendTimer = nil
                if !context.channel.isWritable {
                    self.close(context: context, counter: self.metrics.sendTimeouts, why: "it stopped reading")
                }
            }
        }
        context.fireChannelWritabilityChanged()
    }

    private func close(context: ChannelHandlerContext, counter: Counter, why: String) {
        guard !self.closing else {
            return
        }
        self.closing = true
        counter.increment()
        self.logger.debug(
            "closing TCP connection: \(why)",
            metadata: ["client.address": "\(self.sourceDescription)"]
        )
        context.close(promise: nil)
    }

    func channelReadComplete(context: ChannelHandlerContext) {
        if let pipe = self.pipe {
            pipe.flush()
            return
        }
        if self.needsFlush {
            self.needsFlush = false
            context.flush()
        }
        self.table?.flushRelays()
        self.metrics.flush(&self.tally, transport: self.metrics.tcp)
    }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        if event is IdleStateHandler.IdleStateEvent {
            // An allocation keeps its connection: TURN clients may be silent between refreshes. So does a peer.
            if self.pipe != nil {
                return
            }
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
