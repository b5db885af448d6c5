/// The revision of the Engine.IO protocol spoken on a session.
///
/// - ``v4``: Engine.IO protocol v4 (`EIO=4`), used by Socket.IO 3 and later with Socket.IO protocol v5.
/// - ``v3``: Engine.IO protocol v3 (`EIO=3` or no `EIO`), used by Socket.IO 1 and 2 clients with Socket.IO protocol
///   v4.
///
/// The revisions differ on the wire in the polling payload framing (v4: records separated by `0x1E`; v3: length
/// prefixes counted in UTF-16 code units, or a binary framing), in binary WebSocket frames (v3 prefixes a `0x04`
/// type byte) and in the heartbeat direction (v4: the server pings; v3: the client pings).
public enum EngineIOProtocolVersion: Int, Sendable, Hashable, CaseIterable, CustomStringConvertible {
    case v3 = 3
    case v4 = 4

    /// Resolves the `EIO` query parameter of a request.
    ///
    /// `"4"` is v4; `"3"` is v3, and so is a missing parameter (Socket.IO-Client-Swift 13 sends none). Any other
    /// value is `nil`: the server should answer HTTP 400 with `{"code":5,"message":"Unsupported protocol version"}`.
    /// (The reference server maps every value other than `4` to v3; rejecting garbage is stricter and is the rule
    /// recommended by docs/engineio-socketio.md#version-selection.)
    public init?(queryValue: String?) {
        switch queryValue {
        case "4":
            self = .v4
        case "3", nil:
            self = .v3
        default:
            return nil
        }
    }

    /// The Socket.IO protocol revision carried over this Engine.IO revision (v4 → v5, v3 → v4).
    public var socketIOProtocolVersion: SocketIOProtocolVersion {
        switch self {
        case .v3:
            return .v4
        case .v4:
            return .v5
        }
    }

    public var description: String {
        "Engine.IO v\(self.rawValue)"
    }
}
