import SocketIOCodec

/// Thrown by a namespace middleware to refuse a connection: the client gets CONNECT_ERROR with this message (and
/// data) (Socket.IO v5 §"Connection to a namespace"; in v4 the ERROR packet carries the message as a string).
public struct SocketIOConnectionRefusal: Error, Sendable, Hashable {
    /// The `message` of the CONNECT_ERROR payload.
    public var message: String
    /// The optional `data` of the CONNECT_ERROR payload (v5 only).
    public var data: JSONValue?

    /// Creates a refusal.
    public init(_ message: String, data: JSONValue? = nil) {
        self.message = message
        self.data = data
    }
}
