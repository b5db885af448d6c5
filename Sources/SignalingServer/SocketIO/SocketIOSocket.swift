import Logging
import NIOCore
import SocketIOCodec
import Synchronization

/// One client connected to one namespace (socket.io `Socket`): receive its events, emit to it, put it in rooms,
/// broadcast from it.
///
/// ```swift
/// socket.on("offer") { socket, arguments, ack in
///     guard let target = arguments.first?["to"]?.stringValue else { return }
///     socket.to(target).emit("offer", arguments[0])
/// }
/// socket.emit("welcome", .string(socket.id))
/// let answer = try await socket.emitWithAck("question", "ready?", timeout: .seconds(5))
/// ```
///
/// Handlers run on the socket's event loop (``eventLoop``), in the order the client sent its packets; every method
/// may be called from any thread (off the loop it is queued to the loop, keeping the call order).
public final class SocketIOSocket: @unchecked Sendable {
    /// An event handler: the socket, the event's arguments (without the name), and the acknowledgement callback when
    /// the client asked for one.
    public typealias EventHandler = @Sendable (SocketIOSocket, [JSONValue], SocketIOAck?) -> Void
    /// A handler of every event: the socket, the event name and its arguments.
    public typealias AnyEventHandler = @Sendable (SocketIOSocket, String, [JSONValue]) -> Void
    /// A disconnection handler: the socket and the reason (`client namespace disconnect`,
    /// `server namespace disconnect`, `transport close`, `ping timeout`, `parse error`, `transport error`,
    /// `forced close`).
    public typealias DisconnectHandler = @Sendable (SocketIOSocket, String) -> Void

    /// The socket id: a new random id in Socket.IO v5; the Engine.IO sid (or `<nsp>#<sid>`) in v4.
    public let id: String
    /// The namespace.
    public let namespace: SocketIOServer.Namespace
    /// How the socket connected.
    public let handshake: SocketIOHandshake
    let client: SocketIOClient
    private let connected = Atomic<Bool>(true)

    // MARK: Loop-confined state

    /// Event handlers in registration order. A list rather than a dictionary: a socket has a handful, and an idle
    /// socket's memory is what 20,000 connections multiply.
    private var handlers: [EventHandlerEntry] = []
    private var anyHandlers: [AnyEventHandler] = []
    private var disconnectingHandlers: [DisconnectHandler] = []
    private var disconnectHandlers: [DisconnectHandler] = []
    private var pendingAcks: [Int: PendingAck] = [:]
    private var nextAckID = 0

    /// A handler and its event. A struct rather than a tuple: a closure stored straight in an array element takes
    /// the array's generic representation, which costs a reabstraction context (32 bytes) per handler.
    private struct EventHandlerEntry {
        var event: String
        var handler: EventHandler
    }

    private struct PendingAck {
        var callback: @Sendable (Result<[JSONValue], SocketIOAckError>) -> Void
        var timeout: Scheduled<Void>?
    }

    init(id: String, namespace: SocketIOServer.Namespace, client: SocketIOClient, handshake: SocketIOHandshake) {
        self.id = id
        self.namespace = namespace
        self.client = client
        self.handshake = handshake
    }

    /// The event loop running this socket's handlers.
    public var eventLoop: any EventLoop {
        self.client.eventLoop
    }

    /// Whether the socket is still connected to its namespace.
    public var isConnected: Bool {
        self.connected.load(ordering: .relaxed)
    }

    /// The logger of the connection (with `engineio.sid`).
    public var logger: Logger {
        self.client.logger
    }

    // MARK: - Handlers

    /// Handles an event (Node's `socket.on(event, …)`).
    public func on(_ event: String, _ handler: @escaping EventHandler) {
        self.eventLoop.runOnLoop {
            self.handlers.append(EventHandlerEntry(event: event, handler: handler))
        }
    }

    /// Handles an event whose first argument decodes as `T` (through its JSON form); events whose first argument
    /// does not decode are dropped with a debug log line.
    public func on<T: Decodable & Sendable>(
        _ event: String,
        as type: T.Type,
        _ handler: @escaping @Sendable (SocketIOSocket, T, SocketIOAck?) -> Void
    ) {
        self.on(event) { socket, arguments, ack in
            do {
                let value = try (arguments.first ?? .null).decode(as: T.self)
                handler(socket, value, ack)
            } catch {
                socket.logger.debug(
                    "Dropping an event whose argument does not decode",
                    metadata: ["socketio.event": "\(event)", "error": "\(error)"]
                )
            }
        }
    }

    /// Handles every event, before the per-event handlers (Node's `socket.onAny`).
    public func onAny(_ handler: @escaping AnyEventHandler) {
        self.eventLoop.runOnLoop {
            self.anyHandlers.append(handler)
        }
    }

    /// Runs when the socket is about to disconnect, while it is still in its rooms (Node's `disconnecting`).
    public func onDisconnecting(_ handler: @escaping DisconnectHandler) {
        self.eventLoop.runOnLoop {
            self.disconnectingHandlers.append(handler)
        }
    }

    /// Runs when the socket disconnected, after it left its rooms (Node's `disconnect`).
    public func onDisconnect(_ handler: @escaping DisconnectHandler) {
        self.eventLoop.runOnLoop {
            self.disconnectHandlers.append(handler)
        }
    }

    // MARK: - Emitting

    /// Emits an event to this client.
    public func emit(_ event: String, _ arguments: JSONValue...) {
        self.emit(event, arguments)
    }

    /// Emits an event to this client (EVENT, or BINARY_EVENT when an argument holds bytes).
    public func emit(_ event: String, _ arguments: [JSONValue]) {
        self.sendPacket(.event(event, arguments, namespace: self.namespace.name))
    }

    /// Emits the `message` event (Node's `socket.send`).
    public func send(_ arguments: JSONValue...) {
        self.emit("message", arguments)
    }

    /// Emits an event and asks the client to acknowledge it (Socket.IO v5 §"Acknowledgement"); `callback` gets the
    /// client's arguments, or an error after `timeout` or when the socket disconnects. Called on the socket's loop.
    public func emit(
        _ event: String,
        _ arguments: [JSONValue],
        timeout: Duration = .seconds(10),
        ack callback: @escaping @Sendable (Result<[JSONValue], SocketIOAckError>) -> Void
    ) {
        self.eventLoop.runOnLoop {
            guard self.isConnected else {
                callback(.failure(.disconnected))
                return
            }
            let ackID = self.nextAckID
            self.nextAckID += 1
            let milliseconds = Int64(
                timeout.components.seconds * 1000 + timeout.components.attoseconds / 1_000_000_000_000_000
            )
            let scheduled = self.eventLoop.scheduleTask(in: .milliseconds(milliseconds)) {
                if let pending = self.pendingAcks.removeValue(forKey: ackID) {
                    pending.callback(.failure(.timeout))
                }
            }
            self.pendingAcks[ackID] = PendingAck(callback: callback, timeout: scheduled)
            self.sendPacket(.event(event, arguments, namespace: self.namespace.name, ackID: ackID))
        }
    }

    /// Emits an event and waits for the client's acknowledgement (Node's `socket.emitWithAck`).
    ///
    /// - Throws: ``SocketIOAckError/timeout`` or ``SocketIOAckError/disconnected``.
    public func emitWithAck(
        _ event: String,
        _ arguments: JSONValue...,
        timeout: Duration = .seconds(10)
    ) async throws -> [JSONValue] {
        try await withCheckedThrowingContinuation { continuation in
            self.emit(event, arguments, timeout: timeout) { result in
                continuation.resume(with: result)
            }
        }
    }

    func sendPacket(_ packet: SocketIOAssembledPacket) {
        guard self.isConnected else {
            return
        }
        self.client.session.send(packet.engineIOMessages)
    }

    // MARK: - Rooms and broadcasting

    /// Joins a room.
    public func join(_ room: String) {
        self.namespace.rooms.join(socketID: self.id, rooms: CollectionOfOne(room))
    }

    /// Joins rooms.
    public func join(_ rooms: [String]) {
        self.namespace.rooms.join(socketID: self.id, rooms: rooms)
    }

    /// Leaves a room.
    public func leave(_ room: String) {
        self.namespace.rooms.leave(socketID: self.id, room: room)
    }

    /// The rooms the socket is in, its own id included.
    public var rooms: Set<String> {
        self.namespace.rooms.rooms(of: self.id)
    }

    /// The members of a room except this socket (Node's `socket.to(room)`).
    public func to(_ room: String) -> SocketIOBroadcastOperator {
        self.broadcast.to(room)
    }

    /// Every socket of the namespace except this one and the members of `room`.
    public func except(_ room: String) -> SocketIOBroadcastOperator {
        self.broadcast.except(room)
    }

    /// Every socket of the namespace except this one (Node's `socket.broadcast`).
    public var broadcast: SocketIOBroadcastOperator {
        SocketIOBroadcastOperator(namespace: self.namespace, exceptRooms: [self.id])
    }

    // MARK: - Disconnection

    /// Disconnects the socket from its namespace (the client gets DISCONNECT); with `close`, also closes the whole
    /// connection (Node's `socket.disconnect(true)`).
    public func disconnect(close: Bool = false) {
        self.eventLoop.runOnLoop {
            guard self.isConnected else {
                return
            }
            self.client.send(.disconnect(namespace: self.namespace.name))
            self.cleanUp(reason: "server namespace disconnect")
            self.client.socketDisconnected(self)
            if close {
                self.client.session.close()
            }
        }
    }

    /// Ends the client's whole connection as a failing transport would, with neither a DISCONNECT nor an Engine.IO
    /// close packet, so that the client's reconnection takes over (a cluster node starting over, docs/cluster.md).
    public func dropConnection() {
        self.client.session.close(reason: .transportClose)
    }

    // MARK: - Inbound (on the loop, from the client)

    func receiveEvent(_ packet: SocketIOAssembledPacket) {
        guard self.isConnected, let first = packet.data?[0] else {
            return
        }
        let name = first.stringValue ?? first.serialized()
        let arguments = packet.arguments
        let ack = packet.packet.ackID.map { SocketIOAck(id: $0, socket: self) }
        for handler in self.anyHandlers {
            handler(self, name, arguments)
        }
        for entry in self.handlers where entry.event == name {
            entry.handler(self, arguments, ack)
        }
    }

    func receiveAck(_ packet: SocketIOAssembledPacket) {
        guard let ackID = packet.packet.ackID, let pending = self.pendingAcks.removeValue(forKey: ackID) else {
            return
        }
        pending.timeout?.cancel()
        pending.callback(.success(packet.arguments))
    }

    /// The client sent DISCONNECT for this namespace.
    func clientDisconnected() {
        self.cleanUp(reason: "client namespace disconnect")
        self.client.socketDisconnected(self)
    }

    /// The Engine.IO session closed.
    func closed(reason: String) {
        self.cleanUp(reason: reason)
    }

    private func cleanUp(reason: String) {
        guard self.connected.exchange(false, ordering: .relaxed) else {
            return
        }
        for handler in self.disconnectingHandlers {
            handler(self, reason)
        }
        self.namespace.rooms.remove(socketID: self.id)
        let acks = self.pendingAcks.values
        self.pendingAcks.removeAll()
        for pending in acks {
            pending.timeout?.cancel()
            pending.callback(.failure(.disconnected))
        }
        let handlers = self.disconnectHandlers
        self.handlers.removeAll()
        self.anyHandlers.removeAll()
        self.disconnectingHandlers.removeAll()
        self.disconnectHandlers.removeAll()
        for handler in handlers {
            handler(self, reason)
        }
    }
}
