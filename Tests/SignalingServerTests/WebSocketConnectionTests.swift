import NIOCore
import NIOEmbedded
import NIOWebSocket
import SocketIOCodec
import Testing

@testable import SignalingServer

/// The RFC 6455 rules ``WebSocketConnection`` enforces on its own, on an `EmbeddedChannel` carrying decoded frames.
@Suite struct WebSocketConnectionTests {
    /// Records what the connection reports.
    final class Recorder: WebSocketConnectionDelegate {
        var messages: [TextOrBinaryMessage] = []
        var overflows = 0
        var closes = 0

        func webSocket(_ connection: WebSocketConnection, received message: TextOrBinaryMessage) {
            self.messages.append(message)
        }

        func webSocketOutboundBufferFull(_ connection: WebSocketConnection) {
            self.overflows += 1
        }

        func webSocketClosed(_ connection: WebSocketConnection) {
            self.closes += 1
        }
    }

    struct Harness {
        let channel: EmbeddedChannel
        let connection: WebSocketConnection
        let recorder = Recorder()

        init(
            maxMessageSize: Int = 64,
            outboundBufferBytes: Int = 1 << 20,
            sendTimeout: TimeAmount = .seconds(30)
        ) throws {
            self.channel = EmbeddedChannel()
            self.connection = WebSocketConnection(
                eventLoop: self.channel.eventLoop,
                maxMessageSize: maxMessageSize,
                outboundBufferBytes: outboundBufferBytes,
                sendTimeout: sendTimeout,
                closeTimeout: .seconds(5)
            )
            // Connected first: the handler joins a live channel, as after a real upgrade.
            try self.channel.connect(to: SocketAddress(ipAddress: "127.0.0.1", port: 1)).wait()
            try self.channel.pipeline.syncOperations.addHandler(self.connection)
            self.connection.attach(self.recorder)
            // The tick after the (notional) HTTP 101 response: from here on the first message goes out at once.
            self.channel.embeddedEventLoop.run()
        }

        /// A client frame: masked, as RFC 6455 §5.1 requires, unless `masked` is false.
        func receive(
            _ opcode: WebSocketOpcode,
            _ bytes: [UInt8],
            fin: Bool = true,
            masked: Bool = true,
            rsv1: Bool = false
        ) throws {
            var data = ByteBuffer(bytes: bytes)
            let key: WebSocketMaskingKey? = masked ? [0x11, 0x22, 0x33, 0x44] : nil
            if let key {
                data.webSocketMask(key)
            }
            try self.channel.writeInbound(
                WebSocketFrame(fin: fin, rsv1: rsv1, opcode: opcode, maskKey: key, data: data)
            )
        }

        func receive(text: String, fin: Bool = true, opcode: WebSocketOpcode = .text) throws {
            try self.receive(opcode, Array(text.utf8), fin: fin)
        }

        /// The frames the connection wrote once the loop ran (messages queued behind a write leave a tick later), as
        /// (opcode, payload).
        func written() throws -> [(WebSocketOpcode, [UInt8])] {
            self.channel.embeddedEventLoop.run()
            var frames: [(WebSocketOpcode, [UInt8])] = []
            while let frame = try self.channel.readOutbound(as: WebSocketFrame.self) {
                frames.append((frame.opcode, Array(frame.data.readableBytesView)))
            }
            return frames
        }

        /// The status code of the one close frame written, if any.
        func closeCode() throws -> WebSocketErrorCode? {
            let closes = try self.written().filter { $0.0 == .connectionClose }
            guard closes.count == 1 else {
                return nil
            }
            var data = ByteBuffer(bytes: closes[0].1)
            return data.readWebSocketErrorCode()
        }
    }

    @Test func deliversMessages() throws {
        let harness = try Harness()
        try harness.receive(text: "4hello")
        try harness.receive(.binary, [1, 2, 3])
        #expect(harness.recorder.messages == [.text("4hello"), .binary(ByteBuffer(bytes: [1, 2, 3]))])
    }

    /// §5.4: fragments are reassembled; a control frame may come between them (§5.5) and is answered at once.
    @Test func reassemblesFragmentsAroundAPing() throws {
        let harness = try Harness()
        try harness.receive(text: "4hel", fin: false)
        try harness.receive(.ping, [9])
        try harness.receive(text: "lo", fin: true, opcode: .continuation)
        #expect(harness.recorder.messages == [.text("4hello")])
        let written = try harness.written()
        #expect(written.count == 1)
        #expect(written.first?.0 == .pong)
        #expect(written.first?.1 == [9])
    }

    @Test func anUnmaskedFrameFailsTheConnection() throws {
        let harness = try Harness()
        try harness.receive(.text, Array("4x".utf8), masked: false)
        #expect(try harness.closeCode() == .protocolError)
        #expect(!harness.channel.isActive)
        #expect(harness.recorder.messages.isEmpty)
        #expect(harness.recorder.closes == 1)
    }

    @Test func aReservedBitFailsTheConnection() throws {
        let harness = try Harness()
        try harness.receive(.text, Array("4x".utf8), rsv1: true)
        #expect(try harness.closeCode() == .protocolError)
        #expect(!harness.channel.isActive)
    }

    @Test func aContinuationWithoutAStartFailsTheConnection() throws {
        let harness = try Harness()
        try harness.receive(text: "x", opcode: .continuation)
        #expect(try harness.closeCode() == .protocolError)
    }

    /// §8.1: a text message that is not UTF-8 fails with 1007.
    @Test func invalidUTF8FailsWith1007() throws {
        let harness = try Harness()
        try harness.receive(.text, [0x34, 0xC3, 0x28])
        #expect(try harness.closeCode() == .dataInconsistentWithMessage)
        #expect(harness.recorder.messages.isEmpty)
    }

    @Test func aMessageOverTheLimitFailsWith1009() throws {
        let harness = try Harness(maxMessageSize: 8)
        try harness.receive(text: "4abcd", fin: false)
        try harness.receive(text: "efgh", fin: true, opcode: .continuation)
        #expect(try harness.closeCode() == .messageTooLarge)
        #expect(harness.recorder.messages.isEmpty)
    }

    /// §7.4.1: the decoder's errors become close frames: 1009 for a frame over its limit, 1002 for a bad control
    /// frame.
    @Test(arguments: [
        (NIOWebSocketError.invalidFrameLength, WebSocketErrorCode.messageTooLarge),
        (.fragmentedControlFrame, .protocolError),
        (.multiByteControlFrameLength, .protocolError),
    ])
    func decoderErrorsFailTheConnection(error: NIOWebSocketError, code: WebSocketErrorCode) throws {
        let harness = try Harness()
        harness.channel.pipeline.fireErrorCaught(error)
        #expect(try harness.closeCode() == code)
        #expect(!harness.channel.isActive)
    }

    /// §5.5.1: a client's close is answered with the same status code, then the server closes the TCP connection.
    @Test func aClientCloseIsEchoed() throws {
        let harness = try Harness()
        var data = ByteBuffer()
        data.write(webSocketErrorCode: .goingAway)
        try harness.receive(.connectionClose, Array(data.readableBytesView))
        #expect(try harness.closeCode() == .goingAway)
        #expect(!harness.channel.isActive)
        #expect(harness.recorder.closes == 1)
    }

    /// §7.1.2: a server close waits for the client's close frame, then closes the TCP connection; nothing is sent
    /// after the close frame.
    @Test func aServerCloseWaitsForTheAnswer() throws {
        let harness = try Harness()
        harness.connection.send(.text("4bye"))
        harness.connection.close()
        harness.connection.send(.text("4late"))
        let written = try harness.written()
        #expect(written.map(\.0) == [.text, .connectionClose])
        #expect(harness.channel.isActive)
        try harness.receive(.connectionClose, [0x03, 0xE8])
        #expect(try harness.written().isEmpty)
        #expect(!harness.channel.isActive)
        #expect(harness.recorder.closes == 1)
    }

    @Test func aServerCloseGivesUpAfterTheTimeout() throws {
        let harness = try Harness()
        harness.connection.close()
        harness.channel.embeddedEventLoop.advanceTime(by: .seconds(4))
        #expect(harness.channel.isActive)
        harness.channel.embeddedEventLoop.advanceTime(by: .seconds(2))
        #expect(!harness.channel.isActive)
        #expect(harness.recorder.closes == 1)
    }

    /// Keeps every write in the channel's outbound buffer (no flush reaches it), so the bytes a client has not taken
    /// are what `bufferedWritableBytes` reports, as on a socket whose peer does not read.
    final class FlushHolder: ChannelOutboundHandler {
        typealias OutboundIn = ByteBuffer
        var reads = 0
        var passesFlushes = false

        func flush(context: ChannelHandlerContext) {
            if self.passesFlushes {
                context.flush()
            }
        }

        func read(context: ChannelHandlerContext) {
            self.reads += 1
        }
    }

    /// The budget is in bytes waiting for the socket, in the channel or queued behind the write in flight: a message
    /// that would take them over it is dropped, the delegate hears of it once, and nothing is written after it.
    @Test func aClientThatDoesNotTakeItsBytesOverflows() throws {
        let channel = EmbeddedChannel()
        let connection = WebSocketConnection(eventLoop: channel.eventLoop, maxMessageSize: 64, outboundBufferBytes: 120)
        try channel.connect(to: SocketAddress(ipAddress: "127.0.0.1", port: 1)).wait()
        try channel.pipeline.syncOperations.addHandlers(FlushHolder(), WebSocketFrameEncoder(), connection)
        channel.embeddedEventLoop.run()
        let recorder = Recorder()
        connection.attach(recorder)
        let forty = String(repeating: "x", count: 40)
        connection.send(.text(forty))  // 42 bytes on the wire; counted as 50 before it is written
        connection.send(encodedText: ByteBuffer(string: forty))  // 42 + 50 <= 120; queued behind the first
        #expect(try channel.getOption(.bufferedWritableBytes).wait() == 42)
        #expect(connection.bytesWaiting == 84)
        #expect(recorder.overflows == 0)
        connection.send(.text(forty))  // 84 + 50 > 120
        #expect(recorder.overflows == 1)
        connection.send(.text("y"))
        #expect(recorder.overflows == 1)
        #expect(connection.bytesWaiting == 84)
        _ = try? channel.finish()
    }

    /// While the channel is unwritable nothing is read from the client and pings are not answered; once it is
    /// writable again, reading resumes and only the latest ping gets its pong (§5.5.3).
    @Test func anUnwritableConnectionStopsReadingAndAnswersOnlyTheLatestPing() throws {
        let channel = EmbeddedChannel()
        let holder = FlushHolder()
        let connection = WebSocketConnection(
            eventLoop: channel.eventLoop,
            maxMessageSize: 64,
            outboundBufferBytes: 1000
        )
        try channel.connect(to: SocketAddress(ipAddress: "127.0.0.1", port: 1)).wait()
        try channel.pipeline.syncOperations.addHandlers(holder, connection)
        channel.read()
        #expect(holder.reads == 1)
        channel.isWritable = false
        channel.pipeline.fireChannelWritabilityChanged()
        channel.read()
        #expect(holder.reads == 1)
        for payload: UInt8 in 1...3 {
            var data = ByteBuffer(bytes: [payload])
            data.webSocketMask([1, 2, 3, 4])
            try channel.writeInbound(WebSocketFrame(fin: true, opcode: .ping, maskKey: [1, 2, 3, 4], data: data))
        }
        #expect(try channel.getOption(.bufferedWritableBytes).wait() == 0)
        channel.isWritable = true
        channel.pipeline.fireChannelWritabilityChanged()
        #expect(holder.reads == 2)
        // The pong waits in the channel's buffer (the holder swallows flushes); one frame, for the third ping.
        holder.passesFlushes = true
        channel.flush()
        let pong = try #require(try channel.readOutbound(as: WebSocketFrame.self))
        #expect(pong.opcode == .pong)
        #expect(Array(pong.data.readableBytesView) == [3])
        #expect(try channel.readOutbound(as: WebSocketFrame.self) == nil)
        _ = try? channel.finish()
    }

    /// A connection that stays unwritable for the send timeout is dropped; one that drains in time is kept.
    @Test func aConnectionUnwritableForTheSendTimeoutIsDropped() throws {
        let harness = try Harness(sendTimeout: .seconds(10))
        harness.channel.isWritable = false
        harness.channel.pipeline.fireChannelWritabilityChanged()
        harness.channel.embeddedEventLoop.advanceTime(by: .seconds(9))
        harness.channel.isWritable = true
        harness.channel.pipeline.fireChannelWritabilityChanged()
        harness.channel.embeddedEventLoop.advanceTime(by: .seconds(5))
        #expect(harness.channel.isActive)
        harness.channel.isWritable = false
        harness.channel.pipeline.fireChannelWritabilityChanged()
        harness.channel.embeddedEventLoop.advanceTime(by: .seconds(10))
        #expect(!harness.channel.isActive)
        #expect(harness.recorder.closes == 1)
    }

    /// The server allows half-closure, so a client whose TCP connection ends without a close frame shows up as
    /// `inputClosed` on a channel that stays open: the connection closes and reports it then, with no write needed.
    @Test func endOfStreamWithoutACloseFrameClosesAtOnce() throws {
        let harness = try Harness()
        harness.channel.pipeline.fireUserInboundEventTriggered(ChannelEvent.inputClosed)
        #expect(!harness.channel.isActive)
        #expect(harness.recorder.closes == 1)
    }

    @Test func aConnectionGoneBeforeAttachReportsItsClose() throws {
        let channel = EmbeddedChannel()
        let connection = WebSocketConnection(eventLoop: channel.eventLoop, maxMessageSize: 8, outboundBufferBytes: 1)
        try channel.connect(to: SocketAddress(ipAddress: "127.0.0.1", port: 1)).wait()
        try channel.pipeline.syncOperations.addHandler(connection)
        _ = try channel.finish()
        let recorder = Recorder()
        connection.attach(recorder)
        #expect(recorder.closes == 1)
    }
}
