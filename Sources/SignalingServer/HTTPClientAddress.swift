import NIOCore

/// The remote address of the HTTP connection whose request is being answered: set around the responder by
/// ``HTTP1WebSocketEndpointsChannel``, so that a route (the Engine.IO polling handshake) can count sessions per
/// client without a request context that carries the channel.
public enum HTTPClientAddress {
    @TaskLocal public static var current: SocketAddress?
}
