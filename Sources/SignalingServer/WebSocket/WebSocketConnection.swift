import CoreMetrics
import NIOCore
import NIOWebSocket
import SocketIOCodec

/// What a ``WebSocketConnection`` reports, called on the connection's event loop.
public protocol WebSocketConnectionDelegate: AnyObject {
    /// A complete message arrived (fragments reassembled, text checked to be UTF-8).
    func webSocket(_ connection: WebSocketConnection, received message: TextOrBinaryMessage)
    /// A message would take the bytes waiting for the socket over ``WebSocketConnection/outboundBufferBytes``: the
    /// client does not keep up. The connection drops what is sent from now on; the delegate decides how to close.
    func webSocketOutboundBufferFull(_ connection: WebSocketConnection)
    /// The connection is gone (closed by either side or failed). Called once; the delegate is released afterwards.
    func webSocketClosed(_ connection: WebSocketConnection)
}

/// A server-side WebSocket (RFC 6455) served in the channel pipeline itself, without a task per connection: frames
/// are reassembled into messages and handed to the delegate (``attach(_:)``) on the channel's event loop, and messages sent from
/// any thread are written straight to the channel.
///
/// The handler sits after NIO's `WebSocketFrameDecoder` (whose errors it turns into close frames: 1009 for a frame
/// over the size limit, 1002 for a malformed control frame) and takes care of the rest of the protocol: masking (§5.1), reserved bits without an extension (§5.2),
/// fragmentation with interleaved control frames (§5.4), ping and pong (§5.5.2-3), the closing handshake (§5.5.1,
/// §7) and UTF-8 in text messages (§8.1, 1007). A message over ``maxMessageSize`` closes with 1009.
///
/// Outbound back-pressure, in bytes: the channel is unwritable while more than half of ``outboundBufferBytes``
/// waits for the socket. Meanwhile no frame is read from the client (what it sends waits in its kernel buffers), a
/// ping is answered only once writable again (one pong for the latest ping, which RFC 6455 §5.5.3 allows), and a
/// connection still unwritable after ``sendTimeout`` is dropped. A message that would take the waiting bytes over
/// ``outboundBufferBytes`` is dropped instead, and the delegate hears
/// ``WebSocketConnectionDelegate/webSocketOutboundBufferFull(_:)`` (and closes, with 1008). Each case is counted
/// in ``WebSocketMetrics``.
public final class WebSocketConnection: ChannelDuplexHandler, RemovableChannelHandler, @unchecked Sendable {
    public typealias InboundIn = WebSocketFrame
    public typealias OutboundIn = WebSocketFrame
    public typealias OutboundOut = WebSocketFrame

    /// The channel's event loop: the delegate is called here and all state is confined to it.
    public let eventLoop: any EventLoop
    /// The largest message accepted, in bytes.
    public let maxMessageSize: Int
    /// The most bytes waiting for the socket; a message that would go over it marks the client as too slow.
    public let outboundBufferBytes: Int
    /// How long the channel may stay unwritable (the client reads nothing) before the connection is dropped.
    public let sendTimeout: TimeAmount
    /// How long a server-initiated close waits for the client's close frame before dropping the connection.
    let closeTimeout: TimeAmount
    /// The counters, shared by every connection (created with the first one, after the metrics bootstrap).
    static let metrics = WebSocketMetrics()

    // MARK: Loop-confined state

    private var delegate: (any WebSocketConnectionDelegate)?
    private var context: ChannelHandlerContext?
    /// The opcode and collected data of a fragmented message in progress.
    private var fragments: (opcode: WebSocketOpcode, data: ByteBuffer)?
    private var sentClose = false
    private var closeTimer: Scheduled<Void>?
    private var overflowed = false
    private var isClosed = false
    /// A `read()` held back while the channel is unwritable.
    private var readHeld = false
    /// The payload of the latest ping that arrived while the channel was unwritable, answered once it is writable.
    private var owedPong: ByteBuffer?
    private var sendTimer: Scheduled<Void>?

    /// - Parameters:
    ///   - eventLoop: the loop of the channel the handler is added to.
    ///   - maxMessageSize: the largest message accepted, in bytes.
    ///   - outboundBufferBytes: the most bytes waiting for the socket before the client is too slow.
    ///   - sendTimeout: how long the channel may stay unwritable before the connection is dropped.
    ///   - closeTimeout: how long a server-initiated close waits for the client's answer.
    public init(
        eventLoop: any EventLoop,
        maxMessageSize: Int,
        outboundBufferBytes: Int,
        sendTimeout: TimeAmount = .seconds(30),
        closeTimeout: TimeAmount = .seconds(5)
    ) {
        self.eventLoop = eventLoop
        self.maxMessageSize = maxMessageSize
        self.outboundBufferBytes = outboundBufferBytes
        self.sendTimeout = sendTimeout
        self.closeTimeout = closeTimeout
    }

    /// The channel's water marks: unwritable over half the budget, writable again under a quarter of it.
    static func waterMark(outboundBufferBytes: Int) -> ChannelOptions.Types.WriteBufferWaterMark {
        let high = max(outboundBufferBytes / 2, 2)
        return ChannelOptions.Types.WriteBufferWaterMark(low: high / 2, high: high)
    }

    /// Sets who receives messages and the close, on the event loop. On a connection that is already gone the
    /// delegate hears ``WebSocketConnectionDelegate/webSocketClosed(_:)`` at once.
    public func attach(_ delegate: any WebSocketConnectionDelegate) {
        self.eventLoop.preconditionInEventLoop()
        if self.isClosed {
            delegate.webSocketClosed(self)
        } else {
            self.delegate = delegate
        }
    }

    // MARK: - Sending

    /// Sends messages in order, from any thread. Dropped once the connection is closing.
    public func send(_ messages: [TextOrBinaryMessage]) {
        let frames = messages.map { message in
            switch message {
            case .text(let text): (WebSocketOpcode.text, ByteBuffer(string: text))
            case .binary(let bytes): (WebSocketOpcode.binary, bytes)
            }
        }
        self.eventLoop.runOnLoop {
            self.sendOnLoop(frames)
        }
    }

    /// Sends a text message already encoded as UTF-8, from any thread. A fan-out encodes a message once and hands
    /// the same buffer to every recipient: ByteBuffers are copy-on-write and nothing writes to this one, so all
    /// recipients' frames share its storage.
    public func send(encodedText utf8: ByteBuffer) {
        self.eventLoop.runOnLoop {
            self.sendOnLoop([(.text, utf8)])
        }
    }

    /// Sends one message, from any thread.
    public func send(_ message: TextOrBinaryMessage) {
        self.send([message])
    }

    /// Starts the closing handshake (RFC 6455 §7.1.2) from any thread: the close frame goes after what was sent
    /// before; the TCP connection closes when the client answers, or after the close timeout.
    public func close(code: WebSocketErrorCode = .normalClosure) {
        self.eventLoop.runOnLoop {
            self.closeOnLoop(code: code)
        }
    }

    private func sendOnLoop(_ frames: [(WebSocketOpcode, ByteBuffer)]) {
        guard let context = self.context, !self.sentClose, !self.overflowed, !frames.isEmpty else {
            return
        }
        // Each frame costs its payload and a header of at most 10 bytes (§5.2).
        let bytes = frames.reduce(0) { $0 + $1.1.readableBytes + 10 }
        let buffered = (try? context.channel.syncOptions?.getOption(.bufferedWritableBytes)) ?? 0
        if buffered + bytes > self.outboundBufferBytes {
            self.overflowed = true
            Self.metrics.outboundBufferFull.increment()
            self.delegate?.webSocketOutboundBufferFull(self)
            return
        }
        for (opcode, data) in frames {
            context.write(self.wrapOutboundOut(WebSocketFrame(fin: true, opcode: opcode, data: data)), promise: nil)
        }
        context.flush()
    }

    private func closeOnLoop(code: WebSocketErrorCode) {
        guard let context = self.context, !self.sentClose else {
            return
        }
        self.sendClose(code: code, context: context)
        self.closeTimer = self.eventLoop.scheduleTask(in: self.closeTimeout) {
            self.context?.close(promise: nil)
        }
    }

    private func sendClose(code: WebSocketErrorCode, context: ChannelHandlerContext) {
        self.sentClose = true
        var data = context.channel.allocator.buffer(capacity: 2)
        data.write(webSocketErrorCode: code)
        let frame = WebSocketFrame(fin: true, opcode: .connectionClose, data: data)
        context.writeAndFlush(self.wrapOutboundOut(frame), promise: nil)
    }

    /// Sends a close frame for a protocol violation and drops the connection (RFC 6455 §7.1.7).
    private func fail(code: WebSocketErrorCode, context: ChannelHandlerContext) {
        if !self.sentClose {
            self.sendClose(code: code, context: context)
        }
        self.fragments = nil
        context.close(promise: nil)
    }

    // MARK: - Channel events

    public func handlerAdded(context: ChannelHandlerContext) {
        self.context = context
        try? context.channel.syncOptions?.setOption(
            .writeBufferWaterMark,
            value: Self.waterMark(outboundBufferBytes: self.outboundBufferBytes)
        )
        if !context.channel.isActive {
            self.closed()
        }
    }

    public func handlerRemoved(context: ChannelHandlerContext) {
        self.closed()
        self.context = nil
    }

    public func channelInactive(context: ChannelHandlerContext) {
        self.closed()
        context.fireChannelInactive()
    }

    /// The client closed its side of the TCP connection without a close frame (the server allows half-closure, so
    /// the channel stays open): a WebSocket client that can send nothing more is gone (RFC 6455 §7.1.5, 1006), and
    /// the connection closes now rather than at the next write.
    public func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        if let event = event as? ChannelEvent, event == .inputClosed {
            context.close(promise: nil)
            return
        }
        context.fireUserInboundEventTriggered(event)
    }

    public func channelWritabilityChanged(context: ChannelHandlerContext) {
        if context.channel.isWritable {
            self.sendTimer?.cancel()
            self.sendTimer = nil
            if let payload = self.owedPong {
                self.owedPong = nil
                if !self.sentClose {
                    self.writePong(payload, context: context)
                }
            }
            if self.readHeld {
                self.readHeld = false
                context.read()
            }
        } else if self.sendTimer == nil, !self.isClosed {
            self.sendTimer = self.eventLoop.scheduleTask(in: self.sendTimeout) {
                self.sendTimedOut()
            }
        }
        context.fireChannelWritabilityChanged()
    }

    /// Frames are read only while the client takes what is written to it.
    public func read(context: ChannelHandlerContext) {
        if context.channel.isWritable {
            context.read()
        } else {
            self.readHeld = true
        }
    }

    /// The channel stayed unwritable for ``sendTimeout``: a close frame could not get through either, so the
    /// connection is dropped.
    private func sendTimedOut() {
        self.sendTimer = nil
        guard let context = self.context, !context.channel.isWritable, !self.isClosed else {
            return
        }
        Self.metrics.sendTimeouts.increment()
        context.close(promise: nil)
    }

    private func writePong(_ payload: ByteBuffer, context: ChannelHandlerContext) {
        let pong = WebSocketFrame(fin: true, opcode: .pong, data: payload)
        context.writeAndFlush(self.wrapOutboundOut(pong), promise: nil)
    }

    /// A frame the decoder refused fails the connection with the matching close code (RFC 6455 §7.4.1): 1009 for a
    /// frame over the size limit, 1002 for a malformed control frame. Any other error just closes it.
    public func errorCaught(context: ChannelHandlerContext, error: any Error) {
        switch error as? NIOWebSocketError {
        case .invalidFrameLength:
            self.fail(code: .messageTooLarge, context: context)
        case .fragmentedControlFrame, .multiByteControlFrameLength:
            self.fail(code: .protocolError, context: context)
        case nil:
            context.close(promise: nil)
        }
    }

    public func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let frame = self.unwrapInboundIn(data)
        // §5.1: a client masks every frame; §5.2: no extension was negotiated, so no reserved bit may be set.
        guard frame.maskKey != nil, !frame.rsv1, !frame.rsv2, !frame.rsv3 else {
            self.fail(code: .protocolError, context: context)
            return
        }
        switch frame.opcode {
        case .text, .binary:
            guard self.fragments == nil else {
                // §5.4: a new data frame while a fragmented message is in progress.
                self.fail(code: .protocolError, context: context)
                return
            }
            let data = frame.unmaskedData
            guard data.readableBytes <= self.maxMessageSize else {
                self.fail(code: .messageTooLarge, context: context)
                return
            }
            if frame.fin {
                self.deliver(opcode: frame.opcode, data: data, context: context)
            } else {
                self.fragments = (frame.opcode, data)
            }
        case .continuation:
            guard var fragments = self.fragments else {
                self.fail(code: .protocolError, context: context)
                return
            }
            self.fragments = nil
            var data = frame.unmaskedData
            guard fragments.data.readableBytes + data.readableBytes <= self.maxMessageSize else {
                self.fail(code: .messageTooLarge, context: context)
                return
            }
            fragments.data.writeBuffer(&data)
            if frame.fin {
                self.deliver(opcode: fragments.opcode, data: fragments.data, context: context)
            } else {
                self.fragments = fragments
            }
        case .ping:
            // §5.5: control frames are never fragmented and carry at most 125 bytes (NIO's decoder checks the
            // length); §5.5.3: the pong carries the ping's data.
            guard frame.fin else {
                self.fail(code: .protocolError, context: context)
                return
            }
            if self.sentClose {
                break
            }
            if context.channel.isWritable {
                self.writePong(frame.unmaskedData, context: context)
            } else {
                // §5.5.3: only the most recent ping needs its pong; the earlier one owed is dropped.
                if self.owedPong != nil {
                    Self.metrics.pongsDropped.increment()
                }
                self.owedPong = frame.unmaskedData
            }
        case .pong:
            break
        case .connectionClose:
            self.receivedClose(frame, context: context)
        default:
            self.fail(code: .protocolError, context: context)
        }
    }

    /// §5.5.1: answer a close frame with one (echoing the status code) unless one was sent already, then close the
    /// TCP connection (the server closes first, §7.1.1).
    private func receivedClose(_ frame: WebSocketFrame, context: ChannelHandlerContext) {
        if !self.sentClose {
            var data = frame.unmaskedData
            let code: WebSocketErrorCode
            switch data.readableBytes {
            case 0:
                code = .normalClosure
            case 1:
                self.fail(code: .protocolError, context: context)
                return
            default:
                code = data.readWebSocketErrorCode() ?? .protocolError
            }
            self.sendClose(code: code, context: context)
        }
        context.close(promise: nil)
    }

    private func deliver(opcode: WebSocketOpcode, data: ByteBuffer, context: ChannelHandlerContext) {
        guard let delegate = self.delegate, !self.sentClose else {
            return
        }
        if opcode == .text {
            // §8.1: a text message must be valid UTF-8, or the connection fails with 1007.
            guard let text = String(validating: data.readableBytesView, as: UTF8.self) else {
                self.fail(code: .dataInconsistentWithMessage, context: context)
                return
            }
            delegate.webSocket(self, received: .text(text))
        } else {
            delegate.webSocket(self, received: .binary(data))
        }
    }

    private func closed() {
        guard !self.isClosed else {
            return
        }
        self.isClosed = true
        self.sentClose = true
        self.fragments = nil
        self.owedPong = nil
        self.closeTimer?.cancel()
        self.closeTimer = nil
        self.sendTimer?.cancel()
        self.sendTimer = nil
        let delegate = self.delegate
        self.delegate = nil
        delegate?.webSocketClosed(self)
    }
}
