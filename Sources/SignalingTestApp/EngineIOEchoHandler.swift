import SignalingServer
import SocketIOCodec

/// An Engine.IO application that sends every message back on the same session, text or binary: the server the
/// official Engine.IO conformance suites expect at `/engine.io/` (docs/engineio-socketio.md#conformance-test-app).
public final class EngineIOEchoHandler: EngineIOSessionHandler {
    private let session: EngineIOSession

    /// Creates the echo handler of a session.
    public init(session: EngineIOSession) {
        self.session = session
    }

    public func sessionReceived(_ message: TextOrBinaryMessage) {
        self.session.send(message)
    }

    public func sessionClosed(reason: EngineIOCloseReason) {}
}
