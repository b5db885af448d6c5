import NIOCore

/// The data of an Engine.IO `message` packet: text or bytes (Engine.IO v4 §"Message").
///
/// Each Socket.IO packet travels as one text message; its binary attachments follow as binary messages.
public enum EngineIOMessage: Sendable, Hashable {
    /// A text message (UTF-8 on the wire).
    case text(String)
    /// A binary message: a binary WebSocket frame, or base64 in a polling payload.
    case binary(ByteBuffer)
}
