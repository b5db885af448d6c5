import Hummingbird
import Logging
import NIOCore
import SocketIOCodec
import Synchronization

/// A Socket.IO server (Socket.IO v5 over Engine.IO v4, and v4 over Engine.IO v3, on one endpoint) with an API shaped
/// like the Node original:
///
/// ```swift
/// let io = SocketIOServer(configuration: configuration, eventLoopGroup: group, logger: logger)
/// io.namespace("/").onConnection { socket in
///     socket.on("join") { socket, arguments, ack in
///         guard let room = arguments.first?.stringValue else { return }
///         socket.to(room).emit("joined", ["id": .string(socket.id)])
///         socket.join(room)
///         ack?("ok")
///     }
///     socket.onDisconnect { socket, reason in
///         socket.broadcast.emit("left", .string(socket.id))
///     }
/// }
/// io.addRoutes(to: router)
/// let app = Application(router: router, server: .http1WebSocketEndpoints([io.webSocketEndpoint]))
/// ```
///
/// Namespaces must be created (``namespace(_:)``) before clients connect to them; a CONNECT to any other namespace
/// is refused with `{"message":"Invalid namespace"}`.
///
/// Handlers run on the event loop of the client's Engine.IO session, one event at a time per client, like Node's
/// single thread per process: they must not block. Emitting and broadcasting may happen from anywhere.
public final class SocketIOServer: Sendable {
    /// The Engine.IO endpoint underneath.
    public let engine: EngineIOServer
    let directory: NamespaceDirectory

    /// Creates a server.
    ///
    /// - Parameters:
    ///   - configuration: the endpoint's settings (path, timings, limits, CORS, attachments).
    ///   - eventLoopGroup: the loops the connections are spread over.
    ///   - metrics: the signaling metrics.
    ///   - logger: the logger.
    public init(
        configuration: SignalingServerConfiguration,
        eventLoopGroup: any EventLoopGroup,
        metrics: SignalingMetrics = SignalingMetrics(),
        logger: Logger
    ) {
        let directory = NamespaceDirectory(configuration: configuration, logger: logger)
        self.directory = directory
        self.engine = EngineIOServer(
            configuration: configuration,
            eventLoopGroup: eventLoopGroup,
            metrics: metrics,
            logger: logger
        ) { session in
            SocketIOClient(session: session, directory: directory)
        }
    }

    /// The namespace with this name, created on first use (Node's `io.of(name)`). The main namespace is `/`.
    public func namespace(_ name: String) -> Namespace {
        self.directory.namespace(name)
    }

    /// The main namespace `/`.
    public var mainNamespace: Namespace {
        self.directory.namespace(SocketIONamespace.root)
    }

    /// Adds the polling endpoint to a router (see ``EngineIOServer/addRoutes(to:)``).
    public func addRoutes<Context: RequestContext>(to router: Router<Context>) {
        self.engine.addRoutes(to: router)
    }

    /// The WebSocket endpoint, for ``HTTP1WebSocketEndpointsChannel``.
    public var webSocketEndpoint: any WebSocketEndpoint {
        self.engine
    }

    /// Relays this server's room broadcasts to the other nodes of a cluster from now on.
    public func setBroadcastRelay(_ relay: any SocketIOBroadcastRelay) {
        self.directory.relay.set(relay)
    }

    /// Delivers a broadcast another node relayed to this node's members of its rooms.
    public func deliver(_ broadcast: SocketIOBroadcast) {
        guard SocketIONamespace.isValid(broadcast.namespace),
            let namespace = self.directory.existingNamespace(broadcast.namespace)
        else {
            return
        }
        namespace.broadcast(broadcast.messages, rooms: broadcast.rooms, except: broadcast.except)
    }

    /// Disconnects every client (graceful shutdown).
    public func closeAllConnections() {
        self.engine.closeAllSessions()
    }
}

/// The namespaces of a server.
final class NamespaceDirectory: Sendable {
    let configuration: SignalingServerConfiguration
    let logger: Logger
    let relay = SocketIOBroadcastRelayBox()
    private let namespaces = Mutex<[String: SocketIOServer.Namespace]>([:])

    init(configuration: SignalingServerConfiguration, logger: Logger) {
        self.configuration = configuration
        self.logger = logger
    }

    func namespace(_ name: String) -> SocketIOServer.Namespace {
        precondition(SocketIONamespace.isValid(name), "a namespace starts with / and has no comma: \(name)")
        return self.namespaces.withLock { namespaces in
            if let existing = namespaces[name] {
                return existing
            }
            let created = SocketIOServer.Namespace(name: name, relay: self.relay)
            namespaces[name] = created
            return created
        }
    }

    func existingNamespace(_ name: String) -> SocketIOServer.Namespace? {
        self.namespaces.withLock { $0[name] }
    }
}
