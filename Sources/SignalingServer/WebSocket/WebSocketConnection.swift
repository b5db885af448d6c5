import NIOCore
import NIOWebSocket

/// What a ``WebSocketConnection`` reports, called on the connection's event loop.
public protocol WebSocketConnectionDelegate: AnyObject {
    /// A complete message arrived (fragments reassembled, text checked to be UTF-8).
    func webSocket(_ connection: WebSocketConnection, received message: WebSocketMessage)
    /// More messages are waiting for the socket than ``WebSocketConnection/outboundBufferLimit`` allows: the client
    /// does not keep up. The connection drops what is sent from now on; the delegate decides how to close.
    func webSocketOutboundBufferFull(_ connection: WebSocketConnection)
    /// The connection is gone (closed by either side or failed). Called once; the delegate is released afterwards.
    func webSocketClosed(_ connection: WebSocketConnection)
}

/// One message of a WebSocket (RFC 6455 §5.6): text or binary.
public enum WebSocketMessage: Sendable, Hashable {
    /// A text message.
    case text(String)
    /// A binary message.
    case binary(ByteBuffer)
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
/// Outbound back-pressure: while the channel is not writable (its buffered bytes are over the high water mark),
/// messages still go into the channel's buffer but are counted; past ``outboundBufferLimit`` of them the delegate
/// hears ``WebSocketConnectionDelegate/webSocketOutboundBufferFull(_:)`` and later messages are dropped.
public final class WebSocketConnection: ChannelInboundHandler, RemovableChannelHandler, @unchecked Sendable {
    public typealias InboundIn = WebSocketFrame
    public typealias OutboundOut = WebSocketFrame

    /// The channel's event loop: the delegate is called here and all state is confined to it.
    public let eventLoop: any EventLoop
    /// The largest message accepted, in bytes.
    public let maxMessageSize: Int
    /// Messages written while the channel is not writable before the client counts as too slow.
    public let outboundBufferLimit: Int
    /// How long a server-initiated close waits for the client's close frame before dropping the connection.
    let closeTimeout: TimeAmount

    // MARK: Loop-confined state

    private var delegate: (any WebSocketConnectionDelegate)?
    private var context: ChannelHandlerContext?
    /// The opcode and collected data of a fragmented message in progress.
    private var fragments: (opcode: WebSocketOpcode, data: ByteBuffer)?
    private var sentClose = false
    private var closeTimer: Scheduled<Void>?
    private var writtenWhileUnwritable = 0
    private var overflowed = false
    private var isClosed = false

    /// - Parameters:
    ///   - eventLoop: the loop of the channel the handler is added to.
    ///   - maxMessageSize: the largest message accepted, in bytes.
    ///   - outboundBufferLimit: messages written while the channel is not writable before the client is too slow.
    ///   - closeTimeout: how long a server-initiated close waits for the client's answer.
    public init(
        eventLoop: any EventLoop,
        maxMessageSize: Int,
        outboundBufferLimit: Int,
        closeTimeout: TimeAmount = .seconds(5)
    ) {
        self.eventLoop = eventLoop
        self.maxMessageSize = maxMessageSize
        self.outboundBufferLimit = outboundBufferLimit
        self.closeTimeout = closeTimeout
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
    public func send(_ messages: [WebSocketMessage]) {
        self.eventLoop.runOnLoop {
            self.sendOnLoop(messages)
        }
    }

    /// Sends one message, from any thread.
    public func send(_ message: WebSocketMessage) {
        self.send([message])
    }

    /// Starts the closing handshake (RFC 6455 §7.1.2) from any thread: the close frame goes after what was sent
    /// before; the TCP connection closes when the client answers, or after the close timeout.
    public func close(code: WebSocketErrorCode = .normalClosure) {
        self.eventLoop.runOnLoop {
            self.closeOnLoop(code: code)
        }
    }

    private func sendOnLoop(_ messages: [WebSocketMessage]) {
        guard let context = self.context, !self.sentClose, !self.overflowed, !messages.isEmpty else {
            return
        }
        if !context.channel.isWritable {
            self.writtenWhileUnwritable += messages.count
            if self.writtenWhileUnwritable > self.outboundBufferLimit {
                self.overflowed = true
                self.delegate?.webSocketOutboundBufferFull(self)
                return
            }
        }
        for message in messages {
            let frame: WebSocketFrame
            switch message {
            case .text(let text):
                var buffer = context.channel.allocator.buffer(capacity: text.utf8.count)
                buffer.writeString(text)
                frame = WebSocketFrame(fin: true, opcode: .text, data: buffer)
            case .binary(let bytes):
                frame = WebSocketFrame(fin: true, opcode: .binary, data: bytes)
            }
            context.write(self.wrapOutboundOut(frame), promise: nil)
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

    public func channelWritabilityChanged(context: ChannelHandlerContext) {
        if context.channel.isWritable {
            self.writtenWhileUnwritable = 0
        }
        context.fireChannelWritabilityChanged()
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
            if !self.sentClose {
                let pong = WebSocketFrame(fin: true, opcode: .pong, data: frame.unmaskedData)
                context.writeAndFlush(self.wrapOutboundOut(pong), promise: nil)
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
        self.closeTimer?.cancel()
        self.closeTimer = nil
        let delegate = self.delegate
        self.delegate = nil
        delegate?.webSocketClosed(self)
    }
}
