import Logging
import NIOCore
import NIOEmbedded
import STUNCodec
import Testing

@testable import TURNServer

@Suite struct STUNStreamDeadlinesTests {
    private let start = NIODeadline.uptimeNanoseconds(1_000_000_000)

    private func deadlines() -> STUNStreamDeadlines {
        STUNStreamDeadlines(openedAt: self.start, idleTimeout: .seconds(300), framingTimeout: .seconds(5))
    }

    @Test func aSilentConnectionIdlesOutAfterTheIdleTimeout() {
        let deadlines = self.deadlines()
        #expect(deadlines.expiry(at: self.start + .seconds(299)) == nil)
        #expect(deadlines.expiry(at: self.start + .seconds(300)) == .idle)
    }

    @Test func aStartedFrameMustCompleteWithinTheFramingTimeout() {
        var deadlines = self.deadlines()
        deadlines.frameStarted(at: self.start + .seconds(10))
        #expect(deadlines.expiry(at: self.start + .seconds(14)) == nil)
        #expect(deadlines.expiry(at: self.start + .seconds(15)) == .framing)
    }

    @Test func moreBytesOfTheSameFrameDoNotExtendIt() {
        var deadlines = self.deadlines()
        deadlines.frameStarted(at: self.start)
        deadlines.frameStarted(at: self.start + .seconds(4))
        #expect(deadlines.expiry(at: self.start + .seconds(5)) == .framing)
    }

    @Test func aByteEvery299SecondsDoesNotKeepAConnection() {
        // The old idle rule counted any byte as activity; a byte that completes no frame does not reset the clock.
        var deadlines = self.deadlines()
        deadlines.frameStarted(at: self.start + .seconds(299))
        #expect(deadlines.expiry(at: self.start + .seconds(300)) == .idle)
    }

    @Test func aCompleteFrameRestartsTheIdleClock() {
        var deadlines = self.deadlines()
        deadlines.frameStarted(at: self.start + .seconds(100))
        deadlines.frameCompleted(at: self.start + .seconds(101))
        #expect(deadlines.expiry(at: self.start + .seconds(300)) == nil)
        #expect(deadlines.expiry(at: self.start + .seconds(401)) == .idle)
    }

    @Test func anExcusedIdleConnectionGetsAnotherIdlePeriod() {
        var deadlines = self.deadlines()
        deadlines.idleExcused(at: self.start + .seconds(300))
        #expect(deadlines.expiry(at: self.start + .seconds(599)) == nil)
        #expect(deadlines.expiry(at: self.start + .seconds(600)) == .idle)
    }

    // MARK: - In the pipeline

    private func pipeline() throws -> (EmbeddedChannel, STUNMetrics) {
        let channel = EmbeddedChannel()
        let metrics = STUNMetrics()
        try channel.pipeline.syncOperations.addHandlers(
            ByteToMessageHandler(STUNStreamFrameDecoder()),
            STUNStreamDeadlineHandler(
                idleTimeout: .seconds(300),
                framingTimeout: .seconds(5),
                metrics: metrics,
                logger: Logger(label: "test")
            ),
            STUNStreamHandler(
                responder: BindingResponder(software: nil),
                table: nil,
                metrics: metrics,
                logger: Logger(label: "test")
            )
        )
        try channel.connect(to: SocketAddress(ipAddress: "192.0.2.8", port: 6000)).wait()
        return (channel, metrics)
    }

    private func bindingRequest() -> ByteBuffer {
        var buffer = ByteBuffer()
        buffer.writeInteger(UInt16(0x0001))
        buffer.writeInteger(UInt16(0))
        buffer.writeInteger(UInt32(0x2112_A442))
        buffer.writeBytes((0..<12).map { UInt8($0) })
        return buffer
    }

    @Test func aHalfFrameClosesTheConnectionAfterTheFramingTimeout() throws {
        let (channel, _) = try self.pipeline()
        channel.embeddedEventLoop.advanceTime(by: .seconds(60))
        var request = self.bindingRequest()
        try channel.writeInbound(request.readSlice(length: 7)!)
        channel.embeddedEventLoop.advanceTime(by: .seconds(4))
        #expect(channel.isActive)
        channel.embeddedEventLoop.advanceTime(by: .seconds(1))
        #expect(!channel.isActive)
    }

    @Test func wholeFramesKeepTheConnectionAndSilenceIdlesItOut() throws {
        let (channel, _) = try self.pipeline()
        var request = self.bindingRequest()
        try channel.writeInbound(request.readSlice(length: 7)!)
        channel.embeddedEventLoop.advanceTime(by: .seconds(3))
        try channel.writeInbound(request)
        #expect(try channel.readOutbound(as: ByteBuffer.self) != nil)
        channel.embeddedEventLoop.advanceTime(by: .seconds(200))
        #expect(channel.isActive)
        channel.embeddedEventLoop.advanceTime(by: .seconds(100))
        #expect(!channel.isActive)
    }
}
