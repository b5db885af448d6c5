/// The revision of the Socket.IO protocol spoken over an Engine.IO session.
///
/// - ``v5``: over Engine.IO v4 (Socket.IO 3 and later). The client sends CONNECT for every namespace, with an
///   optional auth object; the server answers `{"sid":…}`; CONNECT_ERROR carries an object.
/// - ``v4``: over Engine.IO v3 (Socket.IO 1 and 2). The server connects `/` implicitly; CONNECT carries no payload
///   and the auth travels as a query string in the namespace (`/admin?token=abc`); the error packet (then named
///   ERROR) carries a JSON string.
///
/// EVENT, ACK, BINARY_EVENT, BINARY_ACK and DISCONNECT are encoded identically in both.
public enum SocketIOProtocolVersion: Int, Sendable, Hashable, CaseIterable, CustomStringConvertible {
    case v4 = 4
    case v5 = 5

    /// The Socket.IO revision carried by an Engine.IO revision.
    public init(engineIO version: EngineIOProtocolVersion) {
        self = version.socketIOProtocolVersion
    }

    public var description: String {
        "Socket.IO v\(self.rawValue)"
    }
}
