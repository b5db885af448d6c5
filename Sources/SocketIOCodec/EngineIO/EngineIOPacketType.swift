/// The type of an Engine.IO packet (Engine.IO v4 §"Protocol", v3 §"Packet"), the same in both revisions.
///
/// On the wire a text packet starts with the type as an ASCII digit; a v3 binary packet starts with the type as a
/// raw byte.
public enum EngineIOPacketType: UInt8, Sendable, Hashable, CaseIterable {
    /// Sent by the server to open a session, with the handshake JSON.
    case open = 0
    /// Asks to close the transport or session.
    case close = 1
    /// Heartbeat request (sent by the server in v4, by the client in v3), or `2probe` during an upgrade.
    case ping = 2
    /// Heartbeat answer, or `3probe` during an upgrade.
    case pong = 3
    /// Application data.
    case message = 4
    /// Completes the upgrade to WebSocket.
    case upgrade = 5
    /// Does nothing; used to release a pending poll during an upgrade.
    case noop = 6

    /// The type whose ASCII digit is `byte` (`"0"`–`"6"`).
    init?(asciiDigit byte: UInt8) {
        guard byte >= UInt8(ascii: "0") else {
            return nil
        }
        self.init(rawValue: byte - UInt8(ascii: "0"))
    }

    /// The ASCII digit of the type.
    var asciiDigit: UInt8 {
        self.rawValue + UInt8(ascii: "0")
    }
}
