import SocketIOCodec

/// The application side of one Engine.IO session: receives its messages and learns when it closes.
///
/// Every call happens on the session's event loop (``EngineIOSession/eventLoop``), one at a time, in the order the
/// client sent the packets. A handler may call ``EngineIOSession/send(_:)`` and ``EngineIOSession/close()`` from
/// inside these calls.
public protocol EngineIOSessionHandler: AnyObject {
    /// The session is open and this handler is installed: the first call, right after the handshake was queued.
    func sessionOpened()
    /// A message arrived from the client.
    func sessionReceived(_ message: TextOrBinaryMessage)
    /// The session closed; nothing more will arrive and sends are dropped.
    func sessionClosed(reason: EngineIOCloseReason)
}

extension EngineIOSessionHandler {
    /// Does nothing by default.
    public func sessionOpened() {}
}
