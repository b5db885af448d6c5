import Logging
import NIOCore
import NIOEmbedded
import NIOTestUtils
import STUNCodec
import Testing

@testable import TURNServer

#if canImport(Glibc)
import Glibc
#endif

@Suite struct STUNListenerHandlerTests {
    private func bindingRequest(_ transactionID: STUNTransactionID = .random()) -> ByteBuffer {
        var writer = STUNMessageWriter(
            type: STUNMessageType(method: .binding, messageClass: .request),
            transactionID: transactionID,
            buffer: ByteBuffer()
        )
        writer.appendFingerprint()
        return writer.finish()
    }

    /// The handler answers on its own socket (batched, see ``ResponseBatch``), here to a client socket on loopback;
    /// garbage and socket errors leave the channel open.
    @Test func datagramHandlerAnswersAndSurvivesGarbage() throws {
        let socket = try DatagramSocket.onLoopback(receiveBufferSize: 1 << 16)
        let clientSocket = try DatagramSocket.onLoopback()
        defer {
            close(socket.descriptor)
            close(clientSocket.descriptor)
        }
        let channel = EmbeddedChannel(
            handler: STUNDatagramHandler(
                responder: BindingResponder(software: nil),
                table: nil,
                socket: socket,
                receiver: DatagramReceiver(capacity: 4, allocator: ByteBufferAllocator()),
                readsPacketInfo: false,
                metrics: STUNMetrics(),
                logger: .init(label: "test")
            )
        )
        try channel.connect(to: SocketAddress(ipAddress: "127.0.0.1", port: 3478)).wait()
        let client = try clientSocket.boundAddress()
        let garbage = ByteBuffer(string: "garbage")
        try channel.writeInbound(AddressedEnvelope(remoteAddress: client.makeSocketAddress(), data: garbage))
        channel.pipeline.fireErrorCaught(IOError(errnoCode: 111, reason: "recvmmsg"))
        let transactionID = STUNTransactionID.random()
        try channel.writeInbound(
            AddressedEnvelope(remoteAddress: client.makeSocketAddress(), data: self.bindingRequest(transactionID))
        )
        #expect(channel.isActive)
        // Nothing goes through the channel: the response left on the socket at the end of the read batch.
        #expect(try channel.readOutbound(as: AddressedEnvelope<ByteBuffer>.self) == nil)
        let received = try #require(clientSocket.receiveDatagram())
        let response = try STUNMessage.decode(ByteBuffer(bytes: received))
        #expect(response.transactionID == transactionID)
        #expect(try response.attribute(XORMappedAddress.self)?.address == client)
        var bytes = [UInt8](repeating: 0, count: 2048)
        let another = recv(clientSocket.descriptor, &bytes, bytes.count, CInt(MSG_DONTWAIT))
        #expect(another < 0)  // one answer, no more
        _ = try channel.finish()
    }

    @Test func streamDecoderFramesSTUNAndChannelDataIndependentlyOfChunking() throws {
        let first = self.bindingRequest()
        let second = self.bindingRequest()
        // ChannelData: channel 0x4001, 5 bytes of data, padded to 8 on a stream.
        var channelData = ByteBuffer(bytes: [0x40, 0x01, 0x00, 0x05, 1, 2, 3, 4, 5, 0, 0, 0])
        var stream = first
        stream.writeImmutableBuffer(second)
        stream.writeBuffer(&channelData)
        try ByteToMessageDecoderVerifier.verifyDecoder(
            inputOutputPairs: [
                (stream, [first, second, ByteBuffer(bytes: [0x40, 0x01, 0x00, 0x05, 1, 2, 3, 4, 5, 0, 0, 0])])
            ],
            decoderFactory: { STUNStreamFrameDecoder(acceptsChannelData: true) }
        )
    }

    @Test func streamDecoderPassesRawBytesOnceTheConnectionIsBound() throws {
        // RFC 6062 §5.4: after a ConnectionBind the bytes are the peer's, whatever they look like, even when they
        // arrived with it. The stream handler flips the mode while handling the frame, as the handler here does.
        final class BindOnFirstFrame: ChannelInboundHandler {
            typealias InboundIn = ByteBuffer
            var bound = false

            func channelRead(context: ChannelHandlerContext, data: NIOAny) {
                self.bound = true
                context.fireChannelRead(data)
            }
        }
        let binder = BindOnFirstFrame()
        let channel = EmbeddedChannel()
        try channel.pipeline.syncOperations.addHandlers(
            ByteToMessageHandler(STUNStreamFrameDecoder(passesBytesThrough: { binder.bound })),
            binder
        )
        var stream = self.bindingRequest()
        let request = stream
        stream.writeString("GET / raw bytes")
        try channel.writeInbound(stream)
        try channel.writeInbound(ByteBuffer(string: " and more"))
        #expect(try channel.readInbound(as: ByteBuffer.self) == request)
        var passed = ByteBuffer()
        while var chunk = try channel.readInbound(as: ByteBuffer.self) {
            passed.writeBuffer(&chunk)
        }
        #expect(passed == ByteBuffer(string: "GET / raw bytes and more"))
        _ = try channel.finish()
    }

    @Test func streamDecoderRejectsGarbage() {
        let decoder = STUNStreamFrameDecoder()
        for garbage in ["GET / HTTP/1.1\r\n", "\u{16}\u{03}\u{01}\u{02}", "hello"] {
            #expect(throws: STUNStreamFrameDecoder.FramingError.self) {
                try decoder.frameLength(of: ByteBuffer(string: garbage))
            }
        }
        #expect(throws: STUNStreamFrameDecoder.FramingError.self) {
            // A STUN header whose length is not a multiple of four.
            try decoder.frameLength(of: ByteBuffer(bytes: [0x00, 0x01, 0x00, 0x03]))
        }
        #expect((try? decoder.frameLength(of: ByteBuffer(bytes: [0x00, 0x01]))) == .some(nil))
        #expect(
            (try? STUNStreamFrameDecoder(acceptsChannelData: true).frameLength(of: ByteBuffer(bytes: [0x40, 0, 0, 5])))
                == 12
        )
    }

    @Test func streamHandlerClosesOnlyOnFramingErrors() throws {
        let channel = EmbeddedChannel()
        try channel.pipeline.syncOperations.addHandlers(
            ByteToMessageHandler(STUNStreamFrameDecoder()),
            STUNStreamHandler(
                responder: BindingResponder(software: nil),
                table: nil,
                metrics: STUNMetrics(),
                logger: .init(label: "test")
            )
        )
        try channel.connect(to: SocketAddress(ipAddress: "192.0.2.8", port: 6000)).wait()
        var stream = self.bindingRequest()
        stream.writeImmutableBuffer(self.bindingRequest())
        try channel.writeInbound(stream)
        #expect(try channel.readOutbound(as: ByteBuffer.self) != nil)
        #expect(try channel.readOutbound(as: ByteBuffer.self) != nil)
        #expect(channel.isActive)
        // The framing error reaches STUNStreamHandler.errorCaught, which closes this connection.
        _ = try? channel.writeInbound(ByteBuffer(string: "not stun at all"))
        #expect(!channel.isActive)
    }

    /// The shared port adds the stream handlers to a connection that is already active (after sniffing it): the
    /// handler must still know its client and answer, which it learns from `channelActive` on a fresh connection.
    @Test func streamHandlerAddedToALiveConnectionAnswers() throws {
        let channel = EmbeddedChannel()
        try channel.connect(to: SocketAddress(ipAddress: "192.0.2.8", port: 6000)).wait()
        #expect(channel.isActive)
        try channel.pipeline.syncOperations.addHandlers(
            ByteToMessageHandler(STUNStreamFrameDecoder()),
            STUNStreamHandler(
                responder: BindingResponder(software: nil),
                table: nil,
                metrics: STUNMetrics(),
                logger: .init(label: "test")
            )
        )
        try channel.writeInbound(self.bindingRequest())
        let response = try #require(try channel.readOutbound(as: ByteBuffer.self))
        let message = try STUNMessage.decode(response)
        #expect(message.type == STUNMessageType(method: .binding, messageClass: .successResponse))
        _ = try? channel.finish()
    }

    /// Keeps every write in the channel's outbound buffer (no flush reaches it), as on a socket whose peer does not
    /// read; counts the reads that reach the head.
    final class FlushHolder: ChannelOutboundHandler {
        typealias OutboundIn = ByteBuffer
        var reads = 0

        func flush(context: ChannelHandlerContext) {}

        func read(context: ChannelHandlerContext) {
            self.reads += 1
        }
    }

    /// A client that sends requests and takes none of the answers: a response that would take the unsent bytes over
    /// the budget closes the connection instead of being buffered.
    @Test func streamHandlerClosesAClientWhoseResponsesPileUp() throws {
        let channel = EmbeddedChannel()
        try channel.pipeline.syncOperations.addHandlers(
            FlushHolder(),
            ByteToMessageHandler(STUNStreamFrameDecoder()),
            STUNStreamHandler(
                responder: BindingResponder(software: nil),
                table: nil,
                metrics: STUNMetrics(),
                logger: .init(label: "test"),
                outboundBufferBytes: 300
            )
        )
        try channel.connect(to: SocketAddress(ipAddress: "192.0.2.8", port: 6000)).wait()
        try channel.writeInbound(self.bindingRequest())
        let response = try channel.getOption(.bufferedWritableBytes).wait()
        #expect(response > 0)
        // Responses that fit the budget stay buffered; the one that would go over it closes the connection.
        for count in 2...(300 / response) {
            try channel.writeInbound(self.bindingRequest())
            #expect(try channel.getOption(.bufferedWritableBytes).wait() == count * response)
        }
        #expect(channel.isActive)
        _ = try? channel.writeInbound(self.bindingRequest())
        #expect(!channel.isActive)
    }

    /// While the channel is unwritable the handler holds the reads, and lets the held one through when it drains.
    @Test func streamHandlerStopsReadingWhileUnwritable() throws {
        let channel = EmbeddedChannel()
        let holder = FlushHolder()
        try channel.pipeline.syncOperations.addHandlers(
            holder,
            STUNStreamHandler(
                responder: BindingResponder(software: nil),
                table: nil,
                metrics: STUNMetrics(),
                logger: .init(label: "test")
            )
        )
        try channel.connect(to: SocketAddress(ipAddress: "192.0.2.8", port: 6000)).wait()
        channel.read()
        #expect(holder.reads == 1)
        channel.isWritable = false
        channel.pipeline.fireChannelWritabilityChanged()
        channel.read()
        channel.read()
        #expect(holder.reads == 1)
        channel.isWritable = true
        channel.pipeline.fireChannelWritabilityChanged()
        #expect(holder.reads == 2)
        // Unwritable for the whole send timeout: dropped.
        channel.isWritable = false
        channel.pipeline.fireChannelWritabilityChanged()
        channel.embeddedEventLoop.advanceTime(by: .seconds(30))
        #expect(!channel.isActive)
    }
}
