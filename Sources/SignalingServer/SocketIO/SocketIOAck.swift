import SocketIOCodec
import Synchronization

/// The acknowledgement callback of an event the client sent with an ack id (Socket.IO v5 §"Acknowledgement").
///
/// Call it once with the answer's arguments: `ack("ok", 42)`; later calls are ignored, as in the reference. It may
/// be called from any thread, also after the handler returned.
public final class SocketIOAck: Sendable {
    /// The ack id the client chose.
    public let id: Int
    private let socket: SocketIOSocket
    private let sent = Atomic<Bool>(false)

    init(id: Int, socket: SocketIOSocket) {
        self.id = id
        self.socket = socket
    }

    /// Sends the acknowledgement (ACK, or BINARY_ACK when an argument holds bytes).
    public func callAsFunction(_ arguments: JSONValue...) {
        self.send(arguments)
    }

    /// Sends the acknowledgement with these arguments.
    public func send(_ arguments: [JSONValue]) {
        guard !self.sent.exchange(true, ordering: .relaxed) else {
            return
        }
        self.socket.sendPacket(.ack(self.id, arguments, namespace: self.socket.namespace.name))
    }
}
