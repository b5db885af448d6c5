/// The place an HTTP request holds in the order of what it is for, taken the moment its head was read
/// (docs/engineio-socketio.md#arrival-order).
///
/// An Engine.IO session must handle a poll, a POST and a WebSocket frame in the order they reached the server, but a
/// request is answered in a Swift task that starts some time after its head was read. So
/// ``HTTP1WebSocketEndpointsChannel`` asks the endpoint of the request's path for a place while the head is still in
/// the pipeline (``WebSocketEndpoint/reserveArrival(for:remoteAddress:)``), and the route finds it in ``current``.
public enum HTTPRequestArrival {
    /// A place in an order (an Engine.IO session's), which the request either uses or gives back.
    public protocol Reservation: AnyObject, Sendable {
        /// Gives the place back unused: the request will not reach what it reserved for (it was refused before, its
        /// connection closed, it failed). Does nothing once the place was used or given back.
        func release()
    }

    /// The place of the request being answered, if its endpoint took one: set around the responder by
    /// ``HTTP1WebSocketEndpointsChannel`` (as ``HTTPClientAddress/current`` is), which gives it back after the
    /// response if the route did not use it.
    @TaskLocal public static var current: (any Reservation)?
}
