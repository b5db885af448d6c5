import HTTPTypes
import SocketIOCodec

/// What a socket knows about how it connected (Socket.IO's `socket.handshake`, Socket.IO v5 §"Connection to a
/// namespace").
public struct SocketIOHandshake: Sendable {
    /// The authentication payload: the CONNECT packet's object in Socket.IO v5 (`{}` when absent), or the query
    /// string of the namespace as an object in Socket.IO v4 (`/admin?token=abc` gives `{"token":"abc"}`).
    public var auth: JSONValue
    /// The HTTP request that opened the Engine.IO session (its headers and query).
    public var request: EngineIOHandshakeRequest
    /// The Engine.IO revision of the connection.
    public var engineIOVersion: EngineIOProtocolVersion

    /// The Socket.IO revision of the connection.
    public var socketIOVersion: SocketIOProtocolVersion {
        self.engineIOVersion.socketIOProtocolVersion
    }

    /// The headers of the first HTTP request.
    public var headers: HTTPFields {
        self.request.headers
    }

    /// The first value of a query parameter of the first HTTP request.
    public func queryValue(_ name: String) -> String? {
        self.request.queryValue(name)
    }
}
