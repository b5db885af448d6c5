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
/// The handler sits after ``WebSocketFrameReader`` (whose errors it turns into close frames: 1009 for a frame
/// over the size limit, 1002 for a malformed control frame) and takes care of the rest of the protocol: masking (§5.1), reserved bits without an extension (§5.2),
/// fragmentation with interleaved control frames (§5.4), ping and pong (§5.5.2-3), the closing handshake (§5.5.1,
/// §7) and UTF-8 in text messages (§8.1, 1007). A message over ``maxMessageSize`` closes with 1009.
///
/// One write at a time (docs/engineio-socketio.md#websocket-writes): messages sent while a write is in flight wait in
/// a ``WebSocketWriteQueue`` and leave together, as the next write, when the write in flight completed: one loop tick
/// after it if the socket took it inside `flush()` (the tick plays the part of Node's write callback), at once if it
/// had to wait for the socket.
/// The HTTP 101 response counts as the first write, so the first message never shares a write with it. Pongs go out
/// at once; a close frame goes after the messages sent before it.
///
/// Outbound back-pressure, in bytes: the connection is unwritable while more than half of ``outboundBufferBytes``
/// waits for the socket (in the channel, or queued behind a write). Meanwhile no frame is read from the client (what
/// it sends waits in its kernel buffers), a ping is answered only once writable again (one pong for the latest ping,
/// which RFC 6455 §5.5.3 allows), and a connection still unwritable after ``sendTimeout`` is dropped. A message that
/// would take the waiting bytes over ``outboundBufferBytes`` is dropped instead, and the delegate hears
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
    /// The messages (and a close frame) held back while a write is in flight.
    private var writeQueue = WebSocketWriteQueue()
    /// Set when the bytes waiting went over the channel's high water mark with some of them queued (the channel does
    /// not see those): the connection then counts as unwritable, as the channel would with every frame in it. Cleared
    /// when the queue goes into the channel, whose writability then counts those bytes itself.
    private var queuePressure = false

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
        if self.waitingBytes(context) + bytes > self.outboundBufferBytes {
            self.overflowed = true
            Self.metrics.outboundBufferFull.increment()
            self.delegate?.webSocketOutboundBufferFull(self)
            return
        }
        let webSocketFrames = frames.map { WebSocketFrame(fin: true, opcode: $0.0, data: $0.1) }
        guard self.writeQueue.writeInFlight else {
            self.write(webSocketFrames, context: context)
            return
        }
        for frame in webSocketFrames {
            self.writeQueue.append(frame)
        }
        let highWaterMark = Self.waterMark(outboundBufferBytes: self.outboundBufferBytes).high
        if !self.queuePressure, self.waitingBytes(context) > highWaterMark {
            self.queuePressure = true
            self.writabilityChanged(context: context)
        }
    }

    /// Writes a batch of frames as one write: a send while no write is in flight, or the queue at the end of the
    /// write before.
    private func write(_ frames: [WebSocketFrame], context: ChannelHandlerContext) {
        let promise = context.eventLoop.makePromise(of: Void.self)
        for (index, frame) in frames.enumerated() {
            context.write(self.wrapOutboundOut(frame), promise: index == frames.count - 1 ? promise : nil)
        }
        self.flushWrite(promise, context: context)
    }

    /// Flushes the batch just written, whose last frame completes `promise`. A write the socket takes inside the
    /// flush stays in flight until one loop tick later (Node's write callback); one that waited for the socket is done
    /// when the socket took its last byte, and the queue follows it at once, so that the socket never runs dry
    /// between batches while a slow reader catches up.
    private func flushWrite(_ promise: EventLoopPromise<Void>, context: ChannelHandlerContext) {
        self.writeQueue.startWrite()
        var flushing = true
        promise.futureResult.assumeIsolatedUnsafeUnchecked().whenComplete { _ in
            if flushing {
                self.eventLoop.assumeIsolatedUnsafeUnchecked().execute {
                    self.writeCompleted()
                }
            } else {
                self.writeCompleted()
            }
        }
        context.flush()
        flushing = false
    }

    /// The write in flight is done: what was queued meanwhile leaves now, as one write.
    private func writeCompleted() {
        let frames = self.writeQueue.writeCompleted()
        guard let context = self.context, !self.isClosed else {
            return
        }
        if !frames.isEmpty {
            self.write(frames, context: context)
        }
        // The queue is empty: what it held is in the channel now, whose own water marks count it from here on.
        if self.queuePressure {
            self.queuePressure = false
            self.writabilityChanged(context: context)
        }
    }

    /// The bytes waiting for the socket: in the channel, and queued behind the write in flight.
    private func waitingBytes(_ context: ChannelHandlerContext) -> Int {
        let buffered = (try? context.channel.syncOptions?.getOption(.bufferedWritableBytes)) ?? 0
        return buffered + self.writeQueue.bytes
    }

    /// The bytes waiting for the socket, in the channel and queued (for tests).
    var bytesWaiting: Int {
        self.eventLoop.preconditionInEventLoop()
        return self.context.map { self.waitingBytes($0) } ?? 0
    }

    private func closeOnLoop(code: WebSocketErrorCode) {
        guard let context = self.context, !self.sentClose else {
            return
        }
        if self.writeQueue.writeInFlight {
            // After the messages queued before it, in the next write.
            self.sentClose = true
            self.writeQueue.append(self.closeFrame(code: code, context: context))
        } else {
            self.sendClose(code: code, context: context)
        }
        self.closeTimer = self.eventLoop.scheduleTask(in: self.closeTimeout) {
            self.context?.close(promise: nil)
        }
    }

    private func closeFrame(code: WebSocketErrorCode, context: ChannelHandlerContext) -> WebSocketFrame {
        var data = context.channel.allocator.buffer(capacity: 2)
        data.write(webSocketErrorCode: code)
        return WebSocketFrame(fin: true, opcode: .connectionClose, data: data)
    }

    /// Writes a close frame now, after whatever is queued.
    private func sendClose(code: WebSocketErrorCode, context: ChannelHandlerContext) {
        self.sentClose = true
        self.writeQueueNow(context: context)
        context.writeAndFlush(self.wrapOutboundOut(self.closeFrame(code: code, context: context)), promise: nil)
    }

    /// Writes what is queued without waiting for the write in flight (the connection is closing); the caller flushes.
    private func writeQueueNow(context: ChannelHandlerContext) {
        for frame in self.writeQueue.takeAll() {
            context.write(self.wrapOutboundOut(frame), promise: nil)
        }
    }

    /// Sends a close frame for a protocol violation and drops the connection (RFC 6455 §7.1.7).
    private func fail(code: WebSocketErrorCode, context: ChannelHandlerContext) {
        if !self.sentClose {
            self.sendClose(code: code, context: context)
        } else {
            // Our close may still be queued behind a write: it goes out before the connection closes.
            self.writeQueueNow(context: context)
            context.flush()
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
        if context.channel.isActive {
            // The HTTP 101 response was the last write: the first message waits a loop tick after it.
            self.writeQueue = WebSocketWriteQueue(writeInFlight: true)
            self.eventLoop.assumeIsolatedUnsafeUnchecked().execute {
                self.writeCompleted()
            }
        } else {
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
        self.writabilityChanged(context: context)
        context.fireChannelWritabilityChanged()
    }

    /// Whether the client takes what is written to it: the channel is writable and the queue is not over the mark.
    private func isWritable(_ context: ChannelHandlerContext) -> Bool {
        context.channel.isWritable && !self.queuePressure
    }

    /// The channel's writability or the queue's pressure changed.
    private func writabilityChanged(context: ChannelHandlerContext) {
        if self.isWritable(context) {
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
    }

    /// Frames are read only while the client takes what is written to it.
    public func read(context: ChannelHandlerContext) {
        if self.isWritable(context) {
            context.read()
        } else {
            self.readHeld = true
        }
    }

    /// The connection stayed unwritable for ``sendTimeout``: a close frame could not get through either, so the
    /// connection is dropped.
    private func sendTimedOut() {
        self.sendTimer = nil
        guard let context = self.context, !self.isWritable(context), !self.isClosed else {
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
            if self.isWritable(context) {
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
        } else {
            // Our close may still be queued behind a write: it goes out before the connection closes.
            self.writeQueueNow(context: context)
            context.flush()
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
        _ = self.writeQueue.takeAll()
        self.queuePressure = false
        self.closeTimer?.cancel()
        self.closeTimer = nil
        self.sendTimer?.cancel()
        self.sendTimer = nil
        let delegate = self.delegate
        self.delegate = nil
        delegate?.webSocketClosed(self)
    }
}
