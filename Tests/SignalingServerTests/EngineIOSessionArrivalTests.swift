import HTTPTypes
import Logging
import NIOCore
import NIOEmbedded
import NIOWebSocket
import SocketIOCodec
import Testing

@testable import SignalingServer

/// A session handles its client's events in the order their places were taken, whatever order they reach its loop in
/// (docs/engineio-socketio.md#arrival-order): a session on an `EmbeddedEventLoop`, with places taken and used by hand
/// the way the HTTP pipeline and the routes do.
@Suite struct EngineIOSessionArrivalTests {
    final class Handler: EngineIOSessionHandler {
        var received: [TextOrBinaryMessage] = []
        var closes: [EngineIOCloseReason] = []

        func sessionReceived(_ message: TextOrBinaryMessage) {
            self.received.append(message)
        }

        func sessionClosed(reason: EngineIOCloseReason) {
            self.closes.append(reason)
        }
    }

    /// What became of a future, read without waiting.
    final class Outcome<Value: Sendable>: @unchecked Sendable {
        var result: Result<Value, any Error>?

        init(_ future: EventLoopFuture<Value>) {
            future.whenComplete { self.result = $0 }
        }

        var value: Value? {
            try? self.result?.get()
        }
    }

    struct Harness {
        let loop = EmbeddedEventLoop()
        let handler = Handler()
        let session: EngineIOSession

        /// An open polling session whose handshake was polled already.
        init() {
            self.session = EngineIOSession(
                id: "arrivals",
                version: .v4,
                transport: .polling,
                supportsBinary: true,
                request: EngineIOHandshakeRequest(uri: "/engine.io/?EIO=4&transport=polling", headers: [:]),
                timing: EngineIOSessionStateMachine.Timing(
                    pingInterval: 60_000,
                    pingTimeout: 60_000,
                    upgradeTimeout: 60_000,
                    closeTimeout: 60_000,
                    outboundBufferLimit: 100
                ),
                eventLoop: self.loop,
                registry: EngineIOSessionRegistry(),
                clientKey: nil,
                metrics: SignalingMetrics(),
                logger: Logger(label: "EngineIOSessionArrivalTests")
            )
            let handler = self.handler
            self.session.open(handshake: .open("{}"), webSocket: nil) { _ in handler }
            _ = self.session.poll(ticket: nil)
            self.loop.run()
        }

        /// A WebSocket connection on the session's loop, as a probe of an upgrade.
        func probe() throws -> EmbeddedChannel {
            let channel = EmbeddedChannel(loop: self.loop)
            try channel.connect(to: SocketAddress(ipAddress: "127.0.0.1", port: 1)).wait()
            let connection = WebSocketConnection(
                eventLoop: self.loop,
                maxMessageSize: 1000,
                outboundBufferBytes: 1 << 20
            )
            try channel.pipeline.syncOperations.addHandler(connection)
            self.session.probeOpened(connection)
            return channel
        }

        /// A masked text frame from the client.
        static func frame(_ text: String) -> WebSocketFrame {
            var data = ByteBuffer(string: text)
            data.webSocketMask([1, 2, 3, 4])
            return WebSocketFrame(fin: true, opcode: .text, maskKey: [1, 2, 3, 4], data: data)
        }
    }

    /// Two places taken in order, and the POST of the second begun first: it waits for the first place.
    static func postBehindAnEarlierPlace() -> (
        harness: Harness,
        first: EngineIOArrivalReservation,
        post: EngineIOArrivalReservation,
        begun: Outcome<EngineIOSessionStateMachine.Refusal?>
    ) {
        let harness = Harness()
        let session = harness.session
        let first = session.reserveArrival()
        let post = session.reserveArrival()
        let begun = Outcome(session.beginPost(ticket: post.use(for: session)))
        harness.loop.run()
        #expect(begun.result == nil)
        return (harness, first, post, begun)
    }

    /// The official race: a GET and a POST `1` sent together, the GET's head read first. The POST reaches the session
    /// first, and waits; the poll is pending when the close comes, and gets `6`.
    @Test func aPostWhoseHeadCameSecondWaitsForThePoll() {
        let (harness, get, post, begun) = Self.postBehindAnEarlierPlace()
        let session = harness.session
        let poll = Outcome(session.poll(ticket: get.use(for: session)))
        harness.loop.run()
        #expect(begun.result != nil)
        #expect(begun.value == .some(nil))
        #expect(session.isPollPending)
        #expect(session.finishPost(body: ByteBuffer(string: "1"), framing: .text))
        harness.loop.run()
        #expect(poll.value == [.noop])
        #expect(harness.handler.closes == [.transportClose])
        // Both places were used: giving them back now does nothing.
        get.release()
        post.release()
    }

    /// A place given back (its request was refused before it reached the session, or its connection closed) lets the
    /// events behind it through.
    @Test func aReleasedPlaceLetsLaterEventsThrough() {
        let (harness, refused, _, begun) = Self.postBehindAnEarlierPlace()
        let session = harness.session
        refused.release()
        harness.loop.run()
        #expect(begun.value == .some(nil))
        #expect(refused.use(for: session) == nil)
    }

    /// The safety net: a place neither used nor given back holds the session up for ``EngineIOSession/arrivalTimeout``
    /// at most.
    @Test func aPlaceThatNeverComesIsSkippedAfterTheTimeout() {
        let harness = Harness()
        let session = harness.session
        _ = session.reserveArrival()
        let post = session.reserveArrival()
        let begun = Outcome(session.beginPost(ticket: post.use(for: session)))
        harness.loop.advanceTime(by: EngineIOSession.arrivalTimeout - .milliseconds(1))
        #expect(begun.result == nil)
        harness.loop.advanceTime(by: .milliseconds(1))
        #expect(begun.value == .some(nil))
    }

    /// A place is used once, and only for its own session.
    @Test func aPlaceIsUsedOnceForItsSession() {
        let harness = Harness()
        let other = Harness()
        let place = harness.session.reserveArrival()
        #expect(place.use(for: other.session) == nil)
        #expect(place.use(for: harness.session) == place.ticket)
        #expect(place.use(for: harness.session) == nil)
    }

    /// A poll whose head was read before the probe's upgrade frames is handled before them, even though the frames
    /// reached the session first: it waits, and `5` releases it with `6`.
    @Test func aPollReadBeforeTheUpgradeIsHandledBeforeIt() throws {
        let harness = Harness()
        let session = harness.session
        let get = session.reserveArrival()
        let channel = try harness.probe()
        try channel.writeInbound(Harness.frame("2probe"))
        try channel.writeInbound(Harness.frame("5"))
        harness.loop.run()
        #expect(session.transportState.onWebSocket == false)
        let poll = Outcome(session.poll(ticket: get.use(for: session)))
        harness.loop.run()
        #expect(poll.value == [.noop])
        #expect(session.transportState.onWebSocket)
        _ = try? channel.finish()
    }

    /// The other way round (the official test's order): the frames' places come first, so the poll is refused with
    /// HTTP 400 (transport mismatch) whenever its task reaches the session.
    @Test func aPollReadAfterTheUpgradeIsRefused() throws {
        let harness = Harness()
        let session = harness.session
        let channel = try harness.probe()
        try channel.writeInbound(Harness.frame("2probe"))
        try channel.writeInbound(Harness.frame("5"))
        let get = session.reserveArrival()
        harness.loop.run()
        let poll = Outcome(session.poll(ticket: get.use(for: session)))
        harness.loop.run()
        guard case .failure(let refusal as EngineIOSessionStateMachine.Refusal)? = poll.result else {
            Issue.record("the poll was not refused: \(String(describing: poll.result))")
            return
        }
        #expect(refusal == .transportMismatch)
        _ = try? channel.finish()
    }
}
