import NIOCore
import NIOWebSocket

/// The frames a ``WebSocketConnection`` holds back while one of its writes is in flight
/// (docs/engineio-socketio.md#websocket-writes).
///
/// Engine.IO's own WebSocket transport sends a batch, marks itself not writable and keeps later packets until the
/// socket's write callback fires, then sends what accumulated as one batch. This is that rule, without the channel: a
/// write starts the flight (``startWrite()``); frames sent meanwhile are queued; when the write is done
/// (``writeCompleted()``) the queue is handed back whole, to be written as the next batch. A client that reads one TCP
/// segment and handles every frame in it before it attaches its next listener (the `ws` package does) so sees each
/// batch on its own.
///
/// Queued frames count against the outbound budget as if they were in the channel already: ``bytes`` is their size
/// on the wire.
struct WebSocketWriteQueue {
    /// Whether a write is on its way to the socket.
    private(set) var writeInFlight: Bool
    /// The frames sent while the write is in flight, in order.
    private(set) var frames: [WebSocketFrame] = []
    /// The size of ``frames`` on the wire: headers and payloads.
    private(set) var bytes = 0

    /// - Parameter writeInFlight: whether a write is in flight already (the HTTP 101 response of a new connection).
    init(writeInFlight: Bool = false) {
        self.writeInFlight = writeInFlight
    }

    /// A batch is being written now: later frames wait for it.
    mutating func startWrite() {
        self.writeInFlight = true
    }

    /// Queues a frame behind the write in flight.
    mutating func append(_ frame: WebSocketFrame) {
        precondition(self.writeInFlight, "frames are queued only behind a write in flight")
        self.frames.append(frame)
        self.bytes += Self.wireSize(of: frame)
    }

    /// The write in flight is done: returns the queued frames, the next batch (empty if none). The owner starts a
    /// write with them (``startWrite()``) when there are some.
    mutating func writeCompleted() -> [WebSocketFrame] {
        self.writeInFlight = false
        return self.takeAll()
    }

    /// Empties the queue, for a connection that writes what is queued at once (a close) or never (it is gone).
    mutating func takeAll() -> [WebSocketFrame] {
        let frames = self.frames
        self.frames = []
        self.bytes = 0
        return frames
    }

    /// A server frame's size on the wire (RFC 6455 §5.2: unmasked, a 2-byte header, plus 2 or 8 bytes of extended
    /// length for payloads of 126 bytes or more, or 65536 or more).
    static func wireSize(of frame: WebSocketFrame) -> Int {
        let payload = frame.data.readableBytes
        switch payload {
        case ..<126: return 2 + payload
        case ..<65536: return 4 + payload
        default: return 10 + payload
        }
    }
}
