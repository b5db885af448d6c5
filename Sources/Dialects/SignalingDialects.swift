import CoreMetrics
import Hummingbird
import Logging
import SignalingServer
import SocketIOCodec

/// Builds the `iceServers` payload for a connection (its handshake tells the host it used) and the identity its TURN
/// credentials carry: the id of the socket it is sent to.
public typealias ICEServersHook = @Sendable (SocketIOHandshake, String) -> JSONValue

/// The signaling dialects of the four seed servers on one room core, installed on the main Socket.IO namespace.
///
/// Choosing a dialect (configuration `dialects.selection`, default `auto`): an Engine.IO v4 connection speaks A
/// (chatroom-server, whose clients use socket.io-client 4); an Engine.IO v3 connection speaks B (WebRtcRoomServer)
/// or D (socketIM), decided by its first signaling event (see ``LegacyDialects``). Dialect C (raw WebSocket) has
/// its own route, see ``RawWebSocketDialect``.
///
/// Every socket's events go through the event log (`eventLog`): on one node they are applied at once; in a cluster,
/// in the order every node applies them (docs/cluster.md#event-log).
public final class SignalingDialects: DialectEventSubscriber {
    public let chatroom: ChatroomDialect
    let namespace: SocketIOServer.Namespace
    let legacy: LegacyDialects
    let configuration: SignalingDialectsConfiguration
    let metrics = DialectMetrics()
    let limits: DialectLimits

    public init(
        server: SocketIOServer,
        configuration: SignalingDialectsConfiguration,
        iceServers: @escaping ICEServersHook,
        eventLog: any DialectEventLog = DirectEventLog(),
        logger: Logger
    ) {
        let namespace = server.mainNamespace
        self.namespace = namespace
        let events = eventLog.stream(scope: "socket.io:" + server.engine.configuration.path)
        self.configuration = configuration
        let limits = DialectLimits(eventsPerSecond: configuration.eventsPerSecond)
        self.limits = limits
        let context = DialectContext(
            namespace: namespace,
            events: events,
            configuration: configuration,
            limits: limits,
            iceServers: iceServers,
            metrics: self.metrics,
            logger: logger
        )
        self.chatroom = ChatroomDialect(context: context)
        self.legacy = LegacyDialects(context: context)
        events.subscribe(self)
        namespace.onConnection { [self] socket in
            switch self.configuration.selection {
            case .chatroom:
                self.metrics.connections[.chatroom]?.increment()
                self.chatroom.attach(socket)
            case .webrtcroom:
                self.metrics.connections[.webrtcroom]?.increment()
                self.legacy.attach(socket, pinned: .webRtcRoom)
            case .socketim:
                self.metrics.connections[.socketim]?.increment()
                self.legacy.attach(socket, pinned: .socketIM)
            case .auto:
                if socket.handshake.engineIOVersion == .v4 {
                    self.metrics.connections[.chatroom]?.increment()
                    self.chatroom.attach(socket)
                } else {
                    self.legacy.attach(socket)
                }
            }
        }
    }

    public func apply(_ event: DialectEvent, origin: DialectEventOrigin) {
        switch event {
        case .chatroomConnected, .chatroomReceived, .chatroomDisconnected, .chatroomGraceExpired:
            self.chatroom.apply(event, origin: origin)
        case .legacyConnected, .legacyReceived, .legacyDisconnected:
            self.legacy.apply(event, origin: origin)
        case .rawReceived, .rawClosed:
            break
        }
    }

    public func snapshot() -> JSONValue {
        ["chatroom": self.chatroom.snapshot, "legacy": self.legacy.snapshot]
    }

    public func restore(_ snapshot: JSONValue) -> Bool {
        guard let chatroom = snapshot["chatroom"], let legacy = snapshot["legacy"] else {
            return false
        }
        return self.chatroom.restore(chatroom) && self.legacy.restore(legacy)
    }

    public func reset() {
        for socket in self.namespace.sockets {
            socket.dropConnection()
        }
        self.chatroom.reset()
        self.legacy.reset()
    }

    /// Puts new limits in force (a configuration reload): the room size for every join that follows, in every
    /// dialect; the event rate for sockets that connect from now on (a connected socket keeps its own limiter).
    /// Rooms already above the new size keep their members.
    public func apply(maxMembersPerRoom: Int, eventsPerSecond: Int) {
        self.limits.eventsPerSecond = eventsPerSecond
        self.chatroom.setMaxMembersPerRoom(maxMembersPerRoom)
        self.legacy.setMaxMembersPerRoom(maxMembersPerRoom)
    }

    /// Dialect A's HTTP endpoint, at `/checkUsername` and `/api/checkUsername` (its clients call the latter
    /// through a proxy that strips `/api`, docs/dialects.md#chatroom-checkusername):
    /// `{"success":true,"isRepeat":<bool>}`.
    public func addRoutes<Context: RequestContext>(to router: Router<Context>) {
        for path in ["/checkUsername", "/api/checkUsername"] {
            router.get(RouterPath(path)) { [chatroom] request, _ -> Response in
                let username = request.uri.queryParameters["username"].map(String.init) ?? ""
                let roomname = request.uri.queryParameters["roomname"].map(String.init) ?? ""
                let isRepeat = chatroom.isRepeat(username: username, roomname: roomname)
                return Response(
                    status: .ok,
                    headers: [.contentType: "application/json; charset=utf-8", .accessControlAllowOrigin: "*"],
                    body: ResponseBody(byteBuffer: ByteBuffer(string: "{\"success\":true,\"isRepeat\":\(isRepeat)}"))
                )
            }
        }
    }
}
