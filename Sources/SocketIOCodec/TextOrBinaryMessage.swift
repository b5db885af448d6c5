import NIOCore

/// One message that is either text or bytes: a WebSocket message (RFC 6455 §5.6), and the data of an Engine.IO
/// `message` packet (Engine.IO v4 §"Message"), which travels as one WebSocket message or inside a polling payload.
///
/// The one type for both, so an Engine.IO packet, the WebSocket carrying it and a raw WebSocket dialect speak the
/// same value. Each Socket.IO packet travels as one text message; its binary attachments follow as binary
/// messages. On a WebSocket, a binary Engine.IO message is the raw bytes in v4 and the bytes behind a leading `0x04`
/// (message) type byte in v3 (parser-v3 `encodePacket`, the v3 suite echoes `[4,1,2,3,4]`).
public enum TextOrBinaryMessage: Sendable, Hashable {
    /// A text message (UTF-8 on the wire; base64 is never involved).
    case text(String)
    /// A binary message: a binary WebSocket frame's payload, or base64 in a polling payload.
    case binary(ByteBuffer)
}
