import HTTPTypes
import NIOCore
import NIOHTTPTypes

/// Takes each request's place in the order of what it is for (an Engine.IO session) as soon as its head is read, on
/// the connection's loop, before the request goes to the responder's task (docs/engineio-socketio.md#arrival-order).
///
/// Sits right after the HTTP/1.1 codec of a connection that was not upgraded, so it sees exactly the requests the
/// responder answers, in order, and leaves one ``HTTPRequestArrivalQueue`` entry per request. A head read while an
/// earlier request is unanswered (pipelining) gets a deferred entry. Places not popped by the time the connection
/// goes are given back.
final class HTTPRequestArrivalHandler: ChannelDuplexHandler {
    typealias InboundIn = HTTPRequestPart
    typealias InboundOut = HTTPRequestPart
    typealias OutboundIn = HTTPResponsePart
    typealias OutboundOut = HTTPResponsePart

    /// Asks the endpoint of a request's path for a place.
    typealias Reserve = (HTTPRequest, SocketAddress?) -> (any HTTPRequestArrival.Reservation)?

    private let queue: HTTPRequestArrivalQueue
    private let reserve: Reserve
    /// Requests read whose response has not ended yet.
    private var unanswered = 0

    init(queue: HTTPRequestArrivalQueue, reserve: @escaping Reserve) {
        self.queue = queue
        self.reserve = reserve
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        if case .head(let head) = self.unwrapInboundIn(data) {
            if self.unanswered == 0 {
                self.queue.push(.taken(self.reserve(head, context.channel.remoteAddress)))
            } else {
                self.queue.push(.deferred)
            }
            self.unanswered += 1
        }
        context.fireChannelRead(data)
    }

    func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        if case .end = self.unwrapOutboundIn(data), self.unanswered > 0 {
            self.unanswered -= 1
        }
        context.write(data, promise: promise)
    }

    func channelInactive(context: ChannelHandlerContext) {
        self.queue.releaseAll()
        context.fireChannelInactive()
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        self.queue.releaseAll()
    }
}

@available(*, unavailable)
extension HTTPRequestArrivalHandler: Sendable {}
