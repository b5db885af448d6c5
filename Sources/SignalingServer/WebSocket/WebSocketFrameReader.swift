import NIOCore
import NIOWebSocket

/// Cuts a client's bytes into WebSocket frames (RFC 6455 §5.2) for ``WebSocketConnection``, in place of NIO's
/// `ByteToMessageHandler(WebSocketFrameDecoder)`.
///
/// It makes the same checks, raised as the same `NIOWebSocketError`s as soon as a frame's header shows them: the
/// payload length against the frame-size limit, and §5.5's rules for control frames (not fragmented, at most 125
/// bytes). What it does not keep is their per-connection state: bytes are held only while a frame is incomplete, so an
/// idle connection holds nothing here (NIO's pair cost every idle connection about 440 bytes: the handler, its buffer
/// ring, the decoder and a pipeline context). The bytes held are bounded by the limit plus a header, since a frame
/// over it fails before its payload arrives. After an error every later byte is dropped; the connection closes.
final class WebSocketFrameReader: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = ByteBuffer
    typealias InboundOut = WebSocketFrame

    /// The largest payload a frame may announce.
    let maxFrameSize: Int
    /// The start of a frame whose last bytes have not arrived; nil between frames.
    private var partialFrame: ByteBuffer?
    private var failed = false

    init(maxFrameSize: Int) {
        self.maxFrameSize = maxFrameSize
    }

    /// The bytes held for an incomplete frame.
    var heldBytes: Int {
        self.partialFrame?.readableBytes ?? 0
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        guard !self.failed else {
            return
        }
        var bytes = self.unwrapInboundIn(data)
        if var partialFrame = self.partialFrame {
            self.partialFrame = nil
            partialFrame.writeBuffer(&bytes)
            bytes = partialFrame
        }
        do {
            while let frame = try Self.nextFrame(in: &bytes, maxFrameSize: self.maxFrameSize) {
                context.fireChannelRead(self.wrapInboundOut(frame))
            }
        } catch {
            self.failed = true
            context.fireErrorCaught(error)
            return
        }
        if bytes.readableBytes > 0 {
            self.partialFrame = bytes
        }
    }

    /// The frame that starts at the reader index of `buffer`, moving the index past it; nil, with the index left where
    /// it was, while the frame is incomplete. Throws as soon as the header shows a frame to refuse, before its payload
    /// arrives.
    static func nextFrame(in buffer: inout ByteBuffer, maxFrameSize: Int) throws -> WebSocketFrame? {
        var view = buffer
        guard let firstByte = view.readInteger(as: UInt8.self), let secondByte = view.readInteger(as: UInt8.self) else {
            return nil
        }
        let length: Int
        switch secondByte & 0x7F {
        case 126:
            guard let extended = view.readInteger(as: UInt16.self) else {
                return nil
            }
            length = Int(extended)
        case 127:
            guard let extended = view.readInteger(as: UInt64.self) else {
                return nil
            }
            guard extended <= UInt64(maxFrameSize) else {
                throw NIOWebSocketError.invalidFrameLength
            }
            length = Int(extended)
        case let short:
            length = Int(short)
        }
        try Self.validate(firstByte: firstByte, length: length, maxFrameSize: maxFrameSize)
        var maskKey: WebSocketMaskingKey?
        if secondByte & 0x80 != 0 {
            guard view.readableBytes >= 4 else {
                return nil
            }
            maskKey = WebSocketMaskingKey(view.readableBytesView.prefix(4))
            view.moveReaderIndex(forwardBy: 4)
        }
        guard let payload = view.readSlice(length: length) else {
            return nil
        }
        buffer.moveReaderIndex(to: view.readerIndex)
        return WebSocketFrame(
            fin: firstByte & 0x80 != 0,
            rsv1: firstByte & 0x40 != 0,
            rsv2: firstByte & 0x20 != 0,
            rsv3: firstByte & 0x10 != 0,
            opcode: WebSocketOpcode(encodedWebSocketOpcode: firstByte & 0x0F)!,
            maskKey: maskKey,
            data: payload
        )
    }

    /// §5.2's payload length against the limit, then §5.5: a control frame (opcode 0x8 and up) is never fragmented
    /// and carries at most 125 bytes.
    private static func validate(firstByte: UInt8, length: Int, maxFrameSize: Int) throws {
        if length > maxFrameSize {
            throw NIOWebSocketError.invalidFrameLength
        }
        let isControlFrame = firstByte & 0x08 != 0
        if isControlFrame && firstByte & 0x80 == 0 {
            throw NIOWebSocketError.fragmentedControlFrame
        }
        if isControlFrame && length > 125 {
            throw NIOWebSocketError.multiByteControlFrameLength
        }
    }
}
