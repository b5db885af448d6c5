import NIOCore
import NIOEmbedded
import NIOHTTP1
import Testing

@testable import SignalingServer

@Suite struct HTTPConnectionDeadlinesTests {
    private let start = NIODeadline.uptimeNanoseconds(1_000_000_000)

    private func deadlines() -> HTTPConnectionDeadlines {
        HTTPConnectionDeadlines(openedAt: self.start, headTimeout: .seconds(10), idleTimeout: .seconds(60))
    }

    @Test func theFirstHeadCountsFromTheOpening() {
        var deadlines = self.deadlines()
        #expect(deadlines.expiry(at: self.start + .seconds(9)) == nil)
        #expect(deadlines.expiry(at: self.start + .seconds(10)) == .headTimeout)
        #expect(!deadlines.headBytesArrived)
        // Bytes that trickle in do not move the deadline.
        deadlines.bytesArrived(at: self.start + .seconds(9))
        #expect(deadlines.headBytesArrived)
        #expect(deadlines.expiry(at: self.start + .seconds(10)) == .headTimeout)
    }

    @Test func nothingExpiresWhileTheServerIsAnswering() {
        var deadlines = self.deadlines()
        deadlines.headReceived(at: self.start + .seconds(1))
        deadlines.requestEnded()
        // A long poll: the response comes when the server has something to say.
        #expect(deadlines.deadline == nil)
        #expect(deadlines.expiry(at: self.start + .seconds(3600)) == nil)
    }

    @Test func aKeptAliveConnectionIdlesOutThenALaterHeadCountsFromItsFirstByte() {
        var deadlines = self.deadlines()
        deadlines.headReceived(at: self.start)
        deadlines.requestEnded()
        deadlines.responseEnded(at: self.start + .seconds(1))
        #expect(deadlines.expiry(at: self.start + .seconds(60)) == nil)
        #expect(deadlines.expiry(at: self.start + .seconds(61)) == .idle)
        deadlines.bytesArrived(at: self.start + .seconds(30))
        #expect(deadlines.expiry(at: self.start + .seconds(39)) == nil)
        #expect(deadlines.expiry(at: self.start + .seconds(40)) == .headTimeout)
    }

    @Test func aBodyMustKeepArriving() {
        var deadlines = self.deadlines()
        deadlines.headReceived(at: self.start)
        deadlines.bytesArrived(at: self.start + .seconds(50))
        #expect(deadlines.expiry(at: self.start + .seconds(109)) == nil)
        #expect(deadlines.expiry(at: self.start + .seconds(110)) == .bodyTimeout)
    }

    @Test func anUpgradedConnectionNeverExpires() {
        var deadlines = self.deadlines()
        deadlines.headReceived(at: self.start)
        deadlines.requestEnded()
        deadlines.upgraded()
        deadlines.responseEnded(at: self.start)
        #expect(deadlines.deadline == nil)
    }

    // MARK: - In the pipeline

    private func pipeline(headTimeout: TimeAmount = .seconds(10)) throws -> EmbeddedChannel {
        let channel = EmbeddedChannel()
        try channel.pipeline.syncOperations.addHandler(HTTPResponseEncoder())
        try channel.pipeline.syncOperations.addHandler(ByteToMessageHandler(HTTPRequestDecoder()))
        try channel.pipeline.syncOperations.addHandler(
            HTTPConnectionGuard(limits: HTTPConnectionLimits(headTimeout: headTimeout, idleTimeout: .seconds(60)))
        )
        try channel.connect(to: SocketAddress(ipAddress: "192.0.2.8", port: 6000)).wait()
        return channel
    }

    private func written(_ channel: EmbeddedChannel) throws -> String {
        var text = ""
        while let buffer = try channel.readOutbound(as: ByteBuffer.self) {
            text += String(buffer: buffer)
        }
        return text
    }

    @Test func aSlowHeadGets408AndTheConnectionCloses() throws {
        let channel = try self.pipeline()
        try channel.writeInbound(ByteBuffer(string: "GET / HTTP/1.1\r\nHost: x\r\n"))
        channel.embeddedEventLoop.advanceTime(by: .seconds(9))
        #expect(channel.isActive)
        channel.embeddedEventLoop.advanceTime(by: .seconds(1))
        #expect(try self.written(channel).hasPrefix("HTTP/1.1 408"))
        #expect(!channel.isActive)
    }

    @Test func aSilentConnectionClosesWithoutAnAnswer() throws {
        let channel = try self.pipeline()
        channel.embeddedEventLoop.advanceTime(by: .seconds(10))
        #expect(try self.written(channel) == "")
        #expect(!channel.isActive)
    }

    @Test func aMalformedHeadGets400AndTheConnectionCloses() throws {
        let channel = try self.pipeline()
        _ = try? channel.writeInbound(ByteBuffer(string: "GET / HTTP/1.1\r\nBad Header\r\n\r\n"))
        #expect(try self.written(channel).hasPrefix("HTTP/1.1 400"))
        #expect(!channel.isActive)
    }
}
