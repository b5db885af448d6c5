import HTTPTypes

/// The HTTP request that opened an Engine.IO session, kept for the application (Socket.IO's `socket.handshake`):
/// its target, query and headers.
public struct EngineIOHandshakeRequest: Sendable {
    /// The request target: path and query (`/socket.io/?EIO=4&transport=polling`).
    public var uri: String
    /// The query parameters in order, percent-decoded.
    public var query: [(name: String, value: String)]
    /// The request headers.
    public var headers: HTTPFields
    /// The host the client addressed (HTTP/1.1 `Host`, HTTP/2 `:authority`), which HTTPTypes keeps out of
    /// `headers`.
    public var authority: String?

    /// Creates a handshake request.
    public init(uri: String, query: [(name: String, value: String)], headers: HTTPFields, authority: String? = nil) {
        self.uri = uri
        self.query = query
        self.headers = headers
        self.authority = authority
    }

    /// The first value of a query parameter.
    public func queryValue(_ name: String) -> String? {
        self.query.first { $0.name == name }?.value
    }

    /// Whether the request came from another origin (it has an `Origin` header): Socket.IO's `xdomain`.
    public var isCrossDomain: Bool {
        self.headers[.origin] != nil
    }
}
