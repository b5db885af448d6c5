import HTTPTypes
import NIOCore

/// A path whose WebSocket upgrades are served by ``WebSocketConnection`` handlers in the channel pipeline (see
/// ``HTTP1WebSocketEndpointsChannel``): an Engine.IO endpoint, or a dialect speaking raw WebSocket.
public protocol WebSocketEndpoint: Sendable {
    /// The path (without the query) whose upgrade requests this endpoint decides; a trailing slash is ignored.
    var webSocketPath: String { get }
    /// The largest message the endpoint accepts, in bytes (an acceptance may set a smaller one for its connection).
    var maxWebSocketMessageSize: Int { get }

    /// Decides, on the channel's event loop, whether an upgrade request is accepted: `nil` refuses it (HTTP 400 and
    /// the connection closes, as the reference Engine.IO server answers a failed upgrade).
    func acceptWebSocket(_ request: HTTPRequest, channel: any Channel) -> EventLoopFuture<WebSocketAcceptance?>

    /// Called on the connection's event loop as soon as the head of an HTTP request on the endpoint's path is read,
    /// before the responder's task gets it: the request's place in whatever order it joins (an Engine.IO session's,
    /// docs/engineio-socketio.md#arrival-order), or nil. The route finds the place in
    /// ``HTTPRequestArrival/current``. The default takes none.
    func reserveArrival(
        for request: HTTPRequest,
        remoteAddress: SocketAddress?
    ) -> (any HTTPRequestArrival.Reservation)?
}

extension WebSocketEndpoint {
    public func reserveArrival(
        for request: HTTPRequest,
        remoteAddress: SocketAddress?
    ) -> (any HTTPRequestArrival.Reservation)? {
        nil
    }
}

/// An accepted WebSocket upgrade: how to set up the connection once the 101 response is written.
public struct WebSocketAcceptance: Sendable {
    /// The most bytes waiting for the socket before the client counts as too slow (see ``WebSocketConnection``).
    public var outboundBufferBytes: Int
    /// How long the connection may stay unwritable before it is dropped.
    public var sendTimeout: TimeAmount
    /// Called on the channel's event loop with the connection, already in the pipeline; attach a delegate here.
    public var opened: @Sendable (WebSocketConnection) -> Void
    /// The largest message of this connection, when it is not the endpoint's
    /// ``WebSocketEndpoint/maxWebSocketMessageSize`` (an Engine.IO session's revision has its own).
    public var maxMessageSize: Int?

    /// - Parameters:
    ///   - outboundBufferBytes: the most bytes waiting for the socket before the client is too slow.
    ///   - sendTimeout: how long the connection may stay unwritable before it is dropped.
    ///   - maxMessageSize: the largest message of this connection; nil is the endpoint's.
    ///   - opened: called on the channel's event loop with the new connection.
    public init(
        outboundBufferBytes: Int,
        sendTimeout: TimeAmount,
        maxMessageSize: Int? = nil,
        opened: @escaping @Sendable (WebSocketConnection) -> Void
    ) {
        self.outboundBufferBytes = outboundBufferBytes
        self.sendTimeout = sendTimeout
        self.maxMessageSize = maxMessageSize
        self.opened = opened
    }
}
