import SocketIOCodec
import Synchronization

extension SocketIOServer {
    /// A Socket.IO namespace (Socket.IO v5 §"Namespaces"): its connection handlers, middlewares, sockets and rooms.
    ///
    /// ```swift
    /// let admin = io.namespace("/admin")
    /// admin.use { socket in
    ///     guard socket.handshake.auth["token"]?.stringValue == "secret" else {
    ///         throw SocketIOConnectionRefusal("Not authorized")
    ///     }
    /// }
    /// admin.onConnection { socket in socket.emit("hello", "admin") }
    /// admin.to("room1").emit("news", 1)
    /// ```
    public final class Namespace: Sendable {
        /// A middleware: runs before a socket connects; throwing ``SocketIOConnectionRefusal`` refuses it.
        public typealias Middleware = @Sendable (SocketIOSocket) throws -> Void
        /// A connection handler: runs once per connected socket, after the CONNECT answer was sent.
        public typealias ConnectionHandler = @Sendable (SocketIOSocket) -> Void

        /// The namespace's name (`/`, `/admin`).
        public let name: String
        let rooms = RoomDirectory()
        /// Where broadcasts go to the other nodes of a cluster.
        let relay: SocketIOBroadcastRelayBox
        private let handlers = Mutex<(middlewares: [Middleware], connection: [ConnectionHandler])>(([], []))

        init(name: String, relay: SocketIOBroadcastRelayBox) {
            self.name = name
            self.relay = relay
        }

        /// Adds a connection handler (Node's `nsp.on("connection", …)`).
        public func onConnection(_ handler: @escaping ConnectionHandler) {
            self.handlers.withLock { $0.connection.append(handler) }
        }

        /// Adds a middleware (Node's `nsp.use(…)`), run in order before each connection.
        public func use(_ middleware: @escaping Middleware) {
            self.handlers.withLock { $0.middlewares.append(middleware) }
        }

        var middlewares: [Middleware] {
            self.handlers.withLock { $0.middlewares }
        }

        var connectionHandlers: [ConnectionHandler] {
            self.handlers.withLock { $0.connection }
        }

        // MARK: - Sockets and rooms

        /// The connected socket with this id.
        public func socket(id: String) -> SocketIOSocket? {
            self.rooms.socket(id: id)
        }

        /// Every connected socket.
        public var sockets: [SocketIOSocket] {
            self.rooms.sockets
        }

        /// The number of connected sockets.
        public var socketCount: Int {
            self.rooms.count
        }

        /// The sockets in a room.
        public func sockets(in room: String) -> [SocketIOSocket] {
            self.rooms.targets(rooms: [room], except: [])
        }

        // MARK: - Broadcasting

        /// Every socket of the namespace, as a broadcast target.
        public var broadcast: SocketIOBroadcastOperator {
            SocketIOBroadcastOperator(namespace: self)
        }

        /// The sockets in a room (Node's `nsp.to(room)`).
        public func to(_ room: String) -> SocketIOBroadcastOperator {
            self.broadcast.to(room)
        }

        /// Every socket except those in a room (Node's `nsp.except(room)`).
        public func except(_ room: String) -> SocketIOBroadcastOperator {
            self.broadcast.except(room)
        }

        /// Emits an event to every socket of the namespace.
        public func emit(_ event: String, _ arguments: JSONValue...) {
            self.broadcast.emit(event, arguments)
        }

        /// Emits an event to every socket of the namespace.
        public func emit(_ event: String, _ arguments: [JSONValue]) {
            self.broadcast.emit(event, arguments)
        }

        /// Sends an encoded packet's messages to the targets, the same messages to each (socket.io-adapter
        /// `broadcast`).
        func broadcast(_ messages: [TextOrBinaryMessage], rooms: Set<String>, except: Set<String>) {
            let targets = self.rooms.targets(rooms: rooms, except: except)
            for socket in targets {
                socket.client.session.send(messages)
            }
        }
    }
}
