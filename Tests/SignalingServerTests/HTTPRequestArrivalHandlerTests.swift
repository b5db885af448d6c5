import HTTPTypes
import NIOCore
import NIOEmbedded
import NIOHTTPTypes
import Synchronization
import Testing

@testable import SignalingServer

/// Each request head takes its place in the pipeline, one queue entry per request in order; a pipelined head is left
/// for the responder; places never popped are given back when the connection goes
/// (docs/engineio-socketio.md#arrival-order).
@Suite struct HTTPRequestArrivalHandlerTests {
    /// A place that counts how often it is given back.
    final class Place: HTTPRequestArrival.Reservation {
        let path: String
        private let releases = Atomic(0)

        init(path: String) {
            self.path = path
        }

        var releaseCount: Int {
            self.releases.load(ordering: .relaxed)
        }

        func release() {
            self.releases.add(1, ordering: .relaxed)
        }
    }

    static func head(_ path: String) -> HTTPRequestPart {
        .head(HTTPRequest(method: .get, scheme: nil, authority: "127.0.0.1", path: path))
    }

    /// The places the handler took, in order.
    final class Places: Sendable {
        private let places = Mutex<[Place]>([])

        func take(_ path: String) -> Place {
            let place = Place(path: path)
            self.places.withLock { $0.append(place) }
            return place
        }

        var all: [Place] {
            self.places.withLock { $0 }
        }
    }

    static func makeChannel(_ queue: HTTPRequestArrivalQueue, places: Places = Places()) throws -> EmbeddedChannel {
        let channel = EmbeddedChannel()
        try channel.connect(to: SocketAddress(ipAddress: "127.0.0.1", port: 1)).wait()
        try channel.pipeline.syncOperations.addHandler(
            HTTPRequestArrivalHandler(queue: queue) { request, _ in
                request.path == "/none" ? nil : places.take(request.path ?? "")
            }
        )
        return channel
    }

    static func path(_ entry: HTTPRequestArrivalQueue.Entry?) -> String? {
        guard case .taken(let place as Place) = entry else {
            return nil
        }
        return place.path
    }

    @Test func eachHeadTakesItsPlaceWhenRead() throws {
        let queue = HTTPRequestArrivalQueue()
        let channel = try Self.makeChannel(queue)
        try channel.writeInbound(Self.head("/a"))
        #expect(Self.path(queue.pop()) == "/a")
        try channel.writeInbound(HTTPRequestPart.end(nil))
        try channel.writeOutbound(HTTPResponsePart.head(HTTPResponse(status: .ok)))
        try channel.writeOutbound(HTTPResponsePart.end(nil))
        try channel.writeInbound(Self.head("/none"))
        guard case .taken(nil) = queue.pop() else {
            Issue.record("expected an entry without a place")
            return
        }
        #expect(queue.pop() == nil)
        _ = try channel.finish()
    }

    /// A head read while the request before it is unanswered waits for the responder to take its place.
    @Test func aPipelinedHeadIsDeferred() throws {
        let queue = HTTPRequestArrivalQueue()
        let channel = try Self.makeChannel(queue)
        try channel.writeInbound(Self.head("/poll"))
        try channel.writeInbound(HTTPRequestPart.end(nil))
        try channel.writeInbound(Self.head("/post"))
        #expect(Self.path(queue.pop()) == "/poll")
        guard case .deferred = queue.pop() else {
            Issue.record("expected a deferred entry")
            return
        }
        try channel.writeOutbound(HTTPResponsePart.end(nil))
        try channel.writeOutbound(HTTPResponsePart.end(nil))
        try channel.writeInbound(Self.head("/next"))
        #expect(Self.path(queue.pop()) == "/next")
        _ = try channel.finish()
    }

    @Test func placesNotPoppedAreGivenBackWhenTheConnectionCloses() throws {
        let queue = HTTPRequestArrivalQueue()
        let places = Places()
        let channel = try Self.makeChannel(queue, places: places)
        try channel.writeInbound(Self.head("/popped"))
        #expect(Self.path(queue.pop()) == "/popped")
        try channel.writeOutbound(HTTPResponsePart.end(nil))
        try channel.writeInbound(Self.head("/left"))
        _ = try channel.finish()
        #expect(places.all.map(\.path) == ["/popped", "/left"])
        // The popped place is the responder's to use or give back; the other one goes with the connection.
        #expect(places.all.map(\.releaseCount) == [0, 1])
        #expect(queue.pop() == nil)
    }

    @Test func theQueueGivesBackWhatItHolds() {
        let queue = HTTPRequestArrivalQueue()
        let first = Place(path: "/1")
        let second = Place(path: "/2")
        queue.push(.taken(first))
        queue.push(.deferred)
        queue.push(.taken(second))
        queue.push(.taken(nil))
        #expect(Self.path(queue.pop()) == "/1")
        queue.releaseAll()
        #expect(first.releaseCount == 0)
        #expect(second.releaseCount == 1)
        #expect(queue.pop() == nil)
    }
}
