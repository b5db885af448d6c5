import SignalingServer
import SocketIOCodec

/// The small Socket.IO application the official Socket.IO v5 conformance suite expects
/// (docs/engineio-socketio.md#conformance-test-app), plus a few events the interop tests use. The `switchboard` binary
/// installs it only when `signaling.testApp` is on; it is not meant for production.
///
/// Namespaces `/` and `/custom` (every other namespace is refused with "Invalid namespace"):
/// - on connection: emits `auth` with the CONNECT auth payload (`{}` if none);
/// - `message`: emits `message-back` with the same arguments;
/// - `message-with-ack`: acknowledges with the same arguments.
///
/// Interop additions, on both namespaces:
/// - `server-ack` `(event, ...arguments)`: the server emits `event` with the arguments to the client asking for an
///   acknowledgement, then emits `server-ack-result` with the client's acknowledgement arguments (or
///   `{"error":"…"}`);
/// - `join` `(room)`: joins the room and acknowledges with the room name;
/// - `leave` `(room)`: leaves the room and acknowledges;
/// - `to-room` `(room, event, ...arguments)`: emits `event` to the room's other members, and acknowledges with the
///   number of other members;
/// - `disconnect-me` `(close)`: the server disconnects the socket (and the whole connection when `close` is true).
public enum SocketIOTestApp {
    /// The namespaces the application serves.
    public static let namespaces = [SocketIONamespace.root, "/custom"]

    /// Installs the application on a server.
    public static func install(on server: SocketIOServer) {
        for name in Self.namespaces {
            server.namespace(name).onConnection { socket in
                socket.emit("auth", socket.handshake.auth)
                Self.addHandlers(to: socket)
            }
        }
    }

    private static func addHandlers(to socket: SocketIOSocket) {
        socket.on("message") { socket, arguments, _ in
            socket.emit("message-back", arguments)
        }
        socket.on("message-with-ack") { _, arguments, ack in
            ack?.send(arguments)
        }
        socket.on("server-ack") { socket, arguments, ack in
            guard let event = arguments.first?.stringValue else {
                return
            }
            socket.emit(event, Array(arguments.dropFirst()), timeout: .seconds(5)) { result in
                switch result {
                case .success(let answer):
                    socket.emit("server-ack-result", answer)
                case .failure(let error):
                    socket.emit("server-ack-result", ["error": .string("\(error)")])
                }
            }
            ack?()
        }
        socket.on("join") { socket, arguments, ack in
            guard let room = arguments.first?.stringValue else {
                return
            }
            socket.join(room)
            ack?(.string(room))
        }
        socket.on("leave") { socket, arguments, ack in
            guard let room = arguments.first?.stringValue else {
                return
            }
            socket.leave(room)
            ack?(.string(room))
        }
        socket.on("to-room") { socket, arguments, ack in
            guard arguments.count >= 2, let room = arguments[0].stringValue, let event = arguments[1].stringValue
            else {
                return
            }
            let targets = socket.to(room)
            ack?(.number(JSONNumber(targets.sockets.count)))
            targets.emit(event, Array(arguments.dropFirst(2)))
        }
        socket.on("disconnect-me") { socket, arguments, _ in
            socket.disconnect(close: arguments.first?.boolValue ?? false)
        }
    }
}
