import NIOCore

/// The data of one WebSocket frame carrying one Engine.IO packet (Engine.IO v4 §"Packet encoding/WebSocket").
///
/// Text packets go in text frames. A binary message goes in a binary frame: as the raw bytes in v4, and behind a
/// leading `0x04` (message) type byte in v3 (parser-v3 `encodePacket`, the v3 suite echoes `[4,1,2,3,4]`).
public enum EngineIOWebSocketFrame: Sendable, Hashable {
    /// A text frame.
    case text(String)
    /// A binary frame.
    case binary(ByteBuffer)
}
