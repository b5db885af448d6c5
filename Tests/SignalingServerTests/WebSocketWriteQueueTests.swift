import NIOCore
import NIOEmbedded
import NIOWebSocket
import SocketIOCodec
import Testing

@testable import SignalingServer

/// One write at a time (docs/engineio-socketio.md#websocket-writes): a ``WebSocketConnection`` on an `EmbeddedChannel`,
/// behind a handler that records which frames each flush carried. An `EmbeddedChannel` completes a write's promise
/// inside `flush()`, as a writable socket does, so "the next tick" is the next `run()` of its loop.
@Suite struct WebSocketWriteQueueTests {
    /// Records the frames of each flush; while `holdsFlushes` is set it passes no flush on, so the writes stay pending
    /// (a socket the client does not read).
    final class FlushRecorder: ChannelOutboundHandler {
        typealias OutboundIn = WebSocketFrame
        typealias OutboundOut = WebSocketFrame

        var flushes: [[String]] = []
        var holdsFlushes = false
        /// How many flushes to pass on while ``holdsFlushes`` is set.
        var flushesToPass = 0
        private var pending: [String] = []

        func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
            let frame = self.unwrapOutboundIn(data)
            switch frame.opcode {
            case .text: self.pending.append(String(buffer: frame.data))
            case .connectionClose: self.pending.append("close")
            case .pong: self.pending.append("pong")
            default: self.pending.append("?")
            }
            context.write(data, promise: promise)
        }

        func flush(context: ChannelHandlerContext) {
            if !self.pending.isEmpty {
                self.flushes.append(self.pending)
                self.pending = []
            }
            if !self.holdsFlushes {
                context.flush()
            } else if self.flushesToPass > 0 {
                self.flushesToPass -= 1
                context.flush()
            }
        }
    }

    struct Harness {
        let channel = EmbeddedChannel()
        let recorder = FlushRecorder()
        let connection: WebSocketConnection

        /// A connection just added after its (notional) HTTP 101 response, which counts as the write in flight.
        init(outboundBufferBytes: Int = 1 << 20, encoded: Bool = false) throws {
            self.connection = WebSocketConnection(
                eventLoop: self.channel.eventLoop,
                maxMessageSize: 1000,
                outboundBufferBytes: outboundBufferBytes
            )
            try self.channel.connect(to: SocketAddress(ipAddress: "127.0.0.1", port: 1)).wait()
            if encoded {
                // Bytes rather than frames in the channel, so that it counts them.
                try self.channel.pipeline.syncOperations.addHandler(WebSocketFrameEncoder())
            }
            try self.channel.pipeline.syncOperations.addHandlers(self.recorder, self.connection)
        }

        /// Runs what the loop has queued: the ticks after completed writes.
        func tick() {
            self.channel.embeddedEventLoop.run()
        }
    }

    @Test func theFirstMessageWaitsForTheTickAfterTheUpgrade() throws {
        let harness = try Harness()
        harness.connection.send(.text("0{\"sid\":\"x\"}"))
        #expect(harness.recorder.flushes.isEmpty)
        harness.tick()
        #expect(harness.recorder.flushes == [["0{\"sid\":\"x\"}"]])
    }

    /// The Socket.IO race: the CONNECT answer and the `auth` event the connection handler emits right after it leave
    /// in separate writes; what is sent during a write leaves together with the next tick.
    @Test func messagesSentDuringAWriteLeaveTogetherInTheNextFlush() throws {
        let harness = try Harness()
        harness.tick()
        harness.connection.send(.text("40{\"sid\":\"a\"}"))
        harness.connection.send(.text("42[\"auth\",{}]"))
        harness.connection.send([.text("42[\"b\"]"), .text("42[\"c\"]")])
        #expect(harness.recorder.flushes == [["40{\"sid\":\"a\"}"]])
        harness.tick()
        #expect(harness.recorder.flushes == [["40{\"sid\":\"a\"}"], ["42[\"auth\",{}]", "42[\"b\"]", "42[\"c\"]"]])
        // That batch's write completed inside its flush, and `run()` also ran the tick it queued: nothing is in
        // flight, so the next message leaves at once, alone.
        harness.connection.send(.text("42[\"d\"]"))
        #expect(harness.recorder.flushes.count == 3)
        #expect(harness.recorder.flushes.last == ["42[\"d\"]"])
    }

    /// Until the socket took the write in flight, what is sent waits, counted as waiting bytes; it leaves in a flush of
    /// its own as soon as a write that had to wait for the socket completes (no tick: the socket is not left idle).
    @Test func aMessageWaitsUntilTheWriteInFlightCompletes() throws {
        let harness = try Harness(encoded: true)
        harness.tick()
        harness.recorder.holdsFlushes = true
        harness.connection.send(.text("4one"))
        harness.connection.send(.text("4two"))
        harness.tick()
        #expect(harness.recorder.flushes == [["4one"]])
        #expect(try harness.channel.getOption(.bufferedWritableBytes).wait() == 6)
        #expect(harness.connection.bytesWaiting == 12)
        harness.recorder.holdsFlushes = false
        harness.channel.flush()
        #expect(harness.recorder.flushes == [["4one"], ["4two"]])
        #expect(harness.connection.bytesWaiting == 0)
        _ = try? harness.channel.finish()
    }

    /// A close goes after the messages sent before it, in the write they leave in; a pong does not wait.
    @Test func aCloseGoesAfterTheQueuedMessages() throws {
        let harness = try Harness()
        harness.tick()
        harness.connection.send(.text("4a"))
        harness.connection.send(.text("4b"))
        var ping = ByteBuffer(bytes: [7])
        ping.webSocketMask([1, 2, 3, 4])
        try harness.channel.writeInbound(WebSocketFrame(fin: true, opcode: .ping, maskKey: [1, 2, 3, 4], data: ping))
        harness.connection.close()
        harness.connection.send(.text("4late"))
        harness.tick()
        #expect(harness.recorder.flushes == [["4a"], ["pong"], ["4b", "close"]])
    }

    /// Queued bytes count towards back-pressure as the channel's do: over half the budget nothing is read from the
    /// client, and reading resumes once they drained.
    @Test func queuedBytesHoldReadsUntilTheyDrain() throws {
        let (harness, reads) = try Self.queuedOverTheHighWaterMark()
        harness.recorder.holdsFlushes = false
        harness.channel.flush()
        harness.tick()
        #expect(harness.recorder.flushes.count == 2)
        #expect(harness.connection.bytesWaiting == 0)
        // The read held meanwhile is done now.
        #expect(reads.count == 1)
        _ = try? harness.channel.finish()
    }

    /// When the write in flight completes, the queue goes into the channel and is empty: from then on the channel's
    /// own water marks decide, and bytes under its high mark no longer hold reads (nor run the send timeout) until
    /// they have all reached the socket.
    @Test func queuedBytesHandedToTheChannelCountAsTheChannels() throws {
        let (harness, reads) = try Self.queuedOverTheHighWaterMark()
        // The first write reaches the socket; the four queued frames follow it into the channel and stay there.
        harness.recorder.flushesToPass = 1
        harness.channel.flush()
        #expect(harness.recorder.flushes.count == 2)
        #expect(harness.connection.bytesWaiting == 168)
        #expect(harness.channel.isWritable)
        #expect(reads.count == 1)
        _ = try? harness.channel.finish()
    }

    /// A 400-byte budget with five 42-byte frames sent while the socket takes nothing: one in the channel, four
    /// queued behind it, 210 bytes over the high water mark (200) and under the budget; a read asked for meanwhile
    /// is held.
    static func queuedOverTheHighWaterMark() throws -> (Harness, ReadCounter) {
        let harness = try Harness(outboundBufferBytes: 400, encoded: true)
        let reads = ReadCounter()
        try harness.channel.pipeline.syncOperations.addHandler(reads, position: .first)
        harness.tick()
        harness.recorder.holdsFlushes = true
        for _ in 0..<5 {
            harness.connection.send(.text(String(repeating: "x", count: 40)))
        }
        #expect(harness.connection.bytesWaiting == 210)
        harness.channel.read()
        #expect(reads.count == 0)
        return (harness, reads)
    }

    final class ReadCounter: ChannelOutboundHandler {
        typealias OutboundIn = Any
        var count = 0

        func read(context: ChannelHandlerContext) {
            self.count += 1
            context.read()
        }
    }

    /// RFC 6455 §5.2: a server frame's header is 2 bytes, plus 2 or 8 bytes of extended length.
    @Test(arguments: [(0, 2), (125, 127), (126, 130), (65535, 65539), (65536, 65546)])
    func wireSizeCountsTheHeader(payload: Int, wire: Int) {
        let frame = WebSocketFrame(fin: true, opcode: .text, data: ByteBuffer(repeating: 0x61, count: payload))
        #expect(WebSocketWriteQueue.wireSize(of: frame) == wire)
    }
}
