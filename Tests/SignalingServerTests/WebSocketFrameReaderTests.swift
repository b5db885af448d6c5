import NIOCore
import NIOEmbedded
import NIOWebSocket
import Testing

@testable import SignalingServer

/// ``WebSocketFrameReader`` cuts the same frames out of the same bytes as NIO's `WebSocketFrameDecoder`, raises the
/// same errors at the same point, and holds no bytes between frames.
@Suite struct WebSocketFrameReaderTests {
    /// Frames of every header form: 7-, 16- and 64-bit lengths at their edges, masked and not, each flag and opcode
    /// class, an empty payload.
    static let frames: [WebSocketFrame] = {
        let key: WebSocketMaskingKey = [0x0A, 0xB0, 0x0C, 0xD0]
        func payload(_ count: Int) -> ByteBuffer {
            ByteBuffer(bytes: (0..<count).map { UInt8(truncatingIfNeeded: $0 &* 31 &+ 7) })
        }
        return [
            WebSocketFrame(fin: true, opcode: .text, maskKey: key, data: payload(0)),
            WebSocketFrame(fin: true, opcode: .text, maskKey: key, data: payload(1)),
            WebSocketFrame(fin: false, opcode: .binary, maskKey: key, data: payload(125)),
            WebSocketFrame(fin: true, opcode: .continuation, maskKey: key, data: payload(126)),
            WebSocketFrame(fin: true, rsv1: true, rsv3: true, opcode: .text, data: payload(65_535)),
            WebSocketFrame(fin: true, rsv2: true, opcode: .binary, maskKey: key, data: payload(65_536)),
            WebSocketFrame(fin: true, opcode: .ping, maskKey: key, data: payload(125)),
            WebSocketFrame(fin: true, opcode: .pong, data: payload(3)),
            WebSocketFrame(fin: true, opcode: .connectionClose, maskKey: key, data: payload(2)),
            WebSocketFrame(
                fin: true,
                opcode: WebSocketOpcode(encodedWebSocketOpcode: 0x3)!,
                maskKey: key,
                data: payload(9)
            ),
        ]
    }()

    /// The wire bytes of `frames`, as NIO's encoder writes them.
    static func encoded(_ frames: [WebSocketFrame]) throws -> ByteBuffer {
        let channel = EmbeddedChannel(handler: WebSocketFrameEncoder())
        defer { _ = try? channel.finish() }
        var bytes = ByteBuffer()
        for frame in frames {
            try channel.writeOutbound(frame)
        }
        while var part = try channel.readOutbound(as: ByteBuffer.self) {
            bytes.writeBuffer(&part)
        }
        return bytes
    }

    /// What a handler makes of `bytes` handed over in pieces of `chunk` bytes: the frames, then the error if any.
    static func decode(
        _ bytes: ByteBuffer,
        chunk: Int,
        with handler: any ChannelHandler
    ) throws -> (frames: [WebSocketFrame], error: NIOWebSocketError?) {
        let channel = EmbeddedChannel(handler: handler)
        var rest = bytes
        var error: NIOWebSocketError?
        while error == nil, let piece = rest.readSlice(length: min(chunk, rest.readableBytes)), piece.readableBytes > 0
        {
            do {
                try channel.writeInbound(piece)
            } catch let caught as NIOWebSocketError {
                error = caught
            }
        }
        var frames: [WebSocketFrame] = []
        while let frame = try channel.readInbound(as: WebSocketFrame.self) {
            frames.append(frame)
        }
        _ = try? channel.finish()
        return (frames, error)
    }

    @Test(arguments: [1, 3, 1000, Int.max])
    func cutsTheFramesNIOsDecoderCuts(chunk: Int) throws {
        let bytes = try Self.encoded(Self.frames)
        let reader = WebSocketFrameReader(maxFrameSize: 1 << 17)
        let ours = try Self.decode(bytes, chunk: chunk, with: reader)
        let nio = try Self.decode(
            bytes,
            chunk: chunk,
            with: ByteToMessageHandler(WebSocketFrameDecoder(maxFrameSize: 1 << 17))
        )
        #expect(ours.error == nil && nio.error == nil)
        #expect(ours.frames.count == Self.frames.count)
        #expect(ours.frames == nio.frames)
        #expect(ours.frames.map(\.unmaskedData) == Self.frames.map(\.data))
        #expect(reader.heldBytes == 0)
    }

    @Test func holdsAnIncompleteFrameOnlyUntilItsLastByte() throws {
        let bytes = try Self.encoded([
            WebSocketFrame(fin: true, opcode: .text, maskKey: [1, 2, 3, 4], data: ByteBuffer(string: "hello"))
        ])
        let reader = WebSocketFrameReader(maxFrameSize: 64)
        let channel = EmbeddedChannel(handler: reader)
        var rest = bytes
        try channel.writeInbound(rest.readSlice(length: rest.readableBytes - 1)!)
        #expect(reader.heldBytes == bytes.readableBytes - 1)
        #expect(try channel.readInbound(as: WebSocketFrame.self) == nil)
        try channel.writeInbound(rest)
        #expect(try channel.readInbound(as: WebSocketFrame.self)?.unmaskedData == ByteBuffer(string: "hello"))
        #expect(reader.heldBytes == 0)
        _ = try channel.finish()
    }

    /// Headers only: each error comes before any payload byte, the same one NIO's decoder raises.
    @Test(
        arguments: [
            // A text frame announcing 65 bytes (16-bit length) against a limit of 64.
            ([0x81, 0xFE, 0x00, 0x41], NIOWebSocketError.invalidFrameLength),
            // A 64-bit length with the top bit set.
            ([0x82, 0xFF, 0x80, 0, 0, 0, 0, 0, 0, 0], .invalidFrameLength),
            // A ping without FIN.
            ([0x09, 0x80], .fragmentedControlFrame),
            // A close frame of 126 bytes, under the limit but over §5.5's 125.
            ([0x88, 0xFE, 0x00, 0x7E], .multiByteControlFrameLength),
        ] as [([UInt8], NIOWebSocketError)]
    )
    func refusesWhatNIOsDecoderRefuses(header: [UInt8], expected: NIOWebSocketError) throws {
        let maxFrameSize = header[0] == 0x88 ? 1000 : 64
        let reader = WebSocketFrameReader(maxFrameSize: maxFrameSize)
        let ours = try Self.decode(ByteBuffer(bytes: header), chunk: 1, with: reader)
        let nio = try Self.decode(
            ByteBuffer(bytes: header),
            chunk: 1,
            with: ByteToMessageHandler(WebSocketFrameDecoder(maxFrameSize: maxFrameSize))
        )
        #expect(ours.error == expected)
        #expect(nio.error == expected)
        #expect(ours.frames.isEmpty)
    }

    @Test func dropsEverythingAfterAnError() throws {
        let reader = WebSocketFrameReader(maxFrameSize: 64)
        let channel = EmbeddedChannel(handler: reader)
        #expect(throws: NIOWebSocketError.fragmentedControlFrame) {
            try channel.writeInbound(ByteBuffer(bytes: [0x09, 0x80]))
        }
        try channel.writeInbound(
            try Self.encoded([WebSocketFrame(fin: true, opcode: .text, data: ByteBuffer(string: "x"))])
        )
        #expect(try channel.readInbound(as: WebSocketFrame.self) == nil)
        #expect(reader.heldBytes == 0)
        _ = try channel.finish()
    }
}
