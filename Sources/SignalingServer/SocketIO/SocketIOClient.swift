import Logging
import NIOCore
import SocketIOCodec

/// The Socket.IO side of one Engine.IO session (socket.io `client.ts`): decodes packets (binary attachments
/// included), connects namespaces and routes packets to their sockets. Confined to the session's event loop.
///
/// A packet that does not decode, or that breaks the protocol (an event for a namespace the client did not join, a
/// CONNECT_ERROR from the client, a second CONNECT in v5), closes this client's Engine.IO session, and nothing else
/// (Socket.IO v5 §"Packet encoding"; docs/engineio-socketio.md#socketio-decoding-errors).
///
/// `@unchecked Sendable`: every member is touched only on the session's event loop (timers are scheduled there).
final class SocketIOClient: EngineIOSessionHandler, @unchecked Sendable {
    let session: EngineIOSession
    let directory: NamespaceDirectory
    let version: SocketIOProtocolVersion
    /// The session's logger (with `engineio.sid`), made when a line is logged.
    var logger: Logger {
        self.session.logger
    }
    private var reassembler: SocketIOBinaryReassembler
    /// The client's sockets, one per namespace joined. A list rather than a dictionary: a client joins one or a
    /// few namespaces, and the dictionary's storage cost every idle connection about 120 bytes.
    private var sockets: [SocketIOSocket] = []
    private var connectTimeout: Scheduled<Void>?
    private var isClosed = false

    init(session: EngineIOSession, directory: NamespaceDirectory) {
        self.session = session
        self.directory = directory
        self.version = session.version.socketIOProtocolVersion
        self.reassembler = SocketIOBinaryReassembler(maxAttachments: directory.configuration.maxAttachments)
    }

    var eventLoop: any EventLoop {
        self.session.eventLoop
    }

    // MARK: - EngineIOSessionHandler

    func sessionOpened() {
        switch self.version {
        case .v4:
            // Socket.IO v4 §"Connection to a namespace": the server connects `/` by itself, right after the open
            // packet; 2.x clients never send CONNECT for `/`.
            self.connect(namespace: SocketIONamespace.root, payload: nil)
        case .v5:
            let milliseconds = Int64(self.directory.configuration.connectTimeoutMilliseconds)
            self.connectTimeout = self.eventLoop.scheduleTask(in: .milliseconds(milliseconds)) {
                self.connectTimeout = nil
                if self.sockets.isEmpty {
                    self.logger.debug("No namespace connected in time: closing")
                    self.session.close()
                }
            }
        }
    }

    func sessionReceived(_ message: TextOrBinaryMessage) {
        guard !self.isClosed else {
            return
        }
        let action: SocketIOBinaryReassembler.Action
        do {
            action = try self.reassembler.receive(message, version: self.version)
        } catch {
            self.fail("Invalid Socket.IO packet", error: error)
            return
        }
        guard case .deliver(let packet) = action else {
            return
        }
        self.handle(packet)
    }

    func sessionClosed(reason: EngineIOCloseReason) {
        self.isClosed = true
        self.connectTimeout?.cancel()
        self.connectTimeout = nil
        let sockets = self.sockets
        self.sockets.removeAll()
        for socket in sockets {
            socket.closed(reason: reason.rawValue)
        }
    }

    // MARK: - Packets

    private func fail(_ message: Logger.Message, error: (any Error)? = nil) {
        self.logger.debug(message, metadata: error.map { ["error": "\($0)"] } ?? [:])
        self.session.close(reason: .parseError)
    }

    private func handle(_ packet: SocketIOAssembledPacket) {
        let header = packet.packet
        let name = self.version == .v4 ? SocketIONamespace.split(header.namespace).name : header.namespace
        switch header.type {
        case .connect:
            self.connect(namespace: header.namespace, payload: packet.data)
        case .disconnect:
            self.socket(in: name)?.clientDisconnected()
        case .event, .binaryEvent:
            guard let socket = self.socket(in: name) else {
                self.fail("Event for a namespace the client did not join")
                return
            }
            socket.receiveEvent(packet)
        case .ack, .binaryAck:
            guard let socket = self.socket(in: name) else {
                self.fail("Acknowledgement for a namespace the client did not join")
                return
            }
            socket.receiveAck(packet)
        case .connectError:
            self.fail("CONNECT_ERROR sent by the client")
        }
    }

    /// Sends a packet without attachments.
    func send(_ packet: SocketIOPacket) {
        self.session.send(.text(packet.encoded()))
    }

    // MARK: - Namespaces

    /// A CONNECT (or the implicit one of v4): refused for an unknown namespace or by a middleware; otherwise the
    /// socket joins the namespace, the CONNECT answer is sent, then the connection handlers run.
    private func connect(namespace rawName: String, payload: JSONValue?) {
        let name: String
        let auth: JSONValue
        switch self.version {
        case .v4:
            let (base, query) = SocketIONamespace.split(rawName)
            name = base
            auth = query.map { SocketIONamespace.queryObject($0) } ?? .object(JSONObject())
        case .v5:
            name = rawName
            auth = payload ?? .object(JSONObject())
        }
        if let existing = self.socket(in: name) {
            if self.version == .v4 {
                // A legacy client reconnecting a namespace it has: confirm again rather than fail.
                self.send(.connect(namespace: name, socketID: existing.id, version: self.version))
                return
            }
            self.fail("CONNECT for a namespace already joined")
            return
        }
        guard let namespace = self.directory.existingNamespace(name) else {
            self.send(.connectError(namespace: name, message: "Invalid namespace", version: self.version))
            return
        }
        let socketID: String
        switch self.version {
        case .v4:
            // socket.io 2: the id of `/` is the Engine.IO sid, others are `<nsp>#<sid>`; clients compute it.
            socketID = name == SocketIONamespace.root ? self.session.id : "\(name)#\(self.session.id)"
        case .v5:
            socketID = EngineIOSessionID.generate()
        }
        let socket = SocketIOSocket(
            id: socketID,
            namespace: namespace,
            client: self,
            handshake: SocketIOHandshake(
                auth: auth,
                request: self.session.request,
                engineIOVersion: self.session.version
            )
        )
        for middleware in namespace.middlewares {
            do {
                try middleware(socket)
            } catch let refusal as SocketIOConnectionRefusal {
                self.send(
                    .connectError(namespace: name, message: refusal.message, data: refusal.data, version: self.version)
                )
                return
            } catch {
                self.send(.connectError(namespace: name, message: "\(error)", version: self.version))
                return
            }
        }
        guard !self.isClosed else {
            return
        }
        self.connectTimeout?.cancel()
        self.connectTimeout = nil
        self.sockets.append(socket)
        namespace.rooms.add(socket)
        self.send(.connect(namespace: name, socketID: socket.id, version: self.version))
        for handler in namespace.connectionHandlers {
            handler(socket)
        }
    }

    /// A socket left its namespace; the Engine.IO session stays open (Socket.IO v5 §"Disconnection").
    func socketDisconnected(_ socket: SocketIOSocket) {
        self.sockets.removeAll { $0 === socket }
    }

    /// The client's socket in the namespace with this name.
    private func socket(in name: String) -> SocketIOSocket? {
        self.sockets.first { $0.namespace.name == name }
    }
}
