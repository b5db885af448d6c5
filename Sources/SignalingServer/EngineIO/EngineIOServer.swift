import ConnectionLimits
import HTTPTypes
import Hummingbird
import HummingbirdCore
import Logging
import NIOCore
import SocketIOCodec

/// An Engine.IO endpoint (Engine.IO v4 and v3 on one path, chosen per session from `EIO`): HTTP long-polling, WebSocket
/// and the upgrade between them, with the reference server's handshake, heartbeats, errors and CORS.
///
/// ```swift
/// let engine = EngineIOServer(configuration: configuration, eventLoopGroup: group, logger: logger) { session in
///     EchoHandler(session: session)  // an EngineIOSessionHandler
/// }
/// engine.addRoutes(to: router)
/// let app = Application(router: router, server: .http1WebSocketEndpoints([engine]))
/// ```
///
/// Every session lives on one event loop of `eventLoopGroup` (see ``EngineIOSession``); the registry of sessions is
/// shared and lock-guarded.
public final class EngineIOServer: Sendable {
    /// Decides whether a handshake is accepted; a refusal gets HTTP 403 `{"code":4,"message":"Forbidden"}`.
    public typealias AllowRequest = @Sendable (EngineIOHandshakeRequest) async -> Bool

    /// The configuration.
    public let configuration: SignalingServerConfiguration
    let registry: EngineIOSessionRegistry
    let eventLoopGroup: any EventLoopGroup
    let logger: Logger
    let metrics: SignalingMetrics
    let makeHandler: @Sendable (EngineIOSession) -> any EngineIOSessionHandler
    let allowRequest: AllowRequest?

    /// Creates an endpoint.
    ///
    /// - Parameters:
    ///   - configuration: path, timings, limits, CORS.
    ///   - eventLoopGroup: the loops sessions are spread over.
    ///   - metrics: the signaling metrics.
    ///   - logger: the logger; session lines carry `engineio.sid`.
    ///   - allowRequest: an optional check of each handshake.
    ///   - makeHandler: called on a new session's loop right after its handshake; returns the application side of the
    ///     session.
    public init(
        configuration: SignalingServerConfiguration,
        eventLoopGroup: any EventLoopGroup,
        metrics: SignalingMetrics = SignalingMetrics(),
        logger: Logger,
        allowRequest: AllowRequest? = nil,
        makeHandler: @escaping @Sendable (EngineIOSession) -> any EngineIOSessionHandler
    ) {
        self.configuration = configuration
        self.registry = EngineIOSessionRegistry(
            ledger: SharedConnectionLedger(
                totalLimit: configuration.maxSessions,
                perAddressLimit: configuration.maxSessionsPerAddress
            )
        )
        self.eventLoopGroup = eventLoopGroup
        self.metrics = metrics
        self.logger = logger
        self.allowRequest = allowRequest
        self.makeHandler = makeHandler
    }

    /// The number of open sessions.
    public var sessionCount: Int {
        self.registry.count
    }

    /// The open session with this id.
    public func session(id: String) -> EngineIOSession? {
        self.registry.session(id: id)
    }

    /// Closes every session (graceful shutdown): buffered packets are delivered, then the close packet.
    public func closeAllSessions() {
        for session in self.registry.all {
            session.close()
        }
    }

    /// The timers and budgets of a session of one protocol revision (each gets its reference server's heartbeat).
    func timing(_ version: EngineIOProtocolVersion) -> EngineIOSessionStateMachine.Timing {
        let revision = self.configuration.revision(version)
        return EngineIOSessionStateMachine.Timing(
            pingInterval: revision.pingIntervalMilliseconds,
            pingTimeout: revision.pingTimeoutMilliseconds,
            upgradeTimeout: self.configuration.upgradeTimeoutMilliseconds,
            closeTimeout: self.configuration.closeTimeoutMilliseconds,
            outboundBufferLimit: self.configuration.outboundBufferLimit,
            outboundBufferBytes: revision.outboundBufferBytes
        )
    }

    /// The handshake of a new session (Engine.IO v4 §"Handshake"): `upgrades` is `["websocket"]` on polling when
    /// upgrades and WebSocket are enabled, `[]` otherwise.
    func handshake(sid: String, version: EngineIOProtocolVersion, onWebSocket: Bool) -> EngineIOPacket {
        let upgrades =
            !onWebSocket && self.configuration.allowUpgrades && self.configuration.transports.contains(.websocket)
            ? ["websocket"] : []
        let revision = self.configuration.revision(version)
        return EngineIOHandshake(
            sid: sid,
            upgrades: upgrades,
            pingInterval: revision.pingIntervalMilliseconds,
            pingTimeout: revision.pingTimeoutMilliseconds,
            maxPayload: revision.maxHttpBufferSize
        ).openPacket(version: version)
    }

    // MARK: - Routes

    /// Adds the polling endpoint to a router: GET, POST, and the other methods, which get the reference's errors.
    /// WebSocket upgrades on the same path are served by ``HTTP1WebSocketEndpointsChannel`` with this server among
    /// its endpoints.
    public func addRoutes<Context: RequestContext>(to router: Router<Context>) {
        let path = RouterPath(self.configuration.routePath)
        router.on(path, method: .get) { request, _ -> Response in
            await self.handleGET(request)
        }
        router.on(path, method: .post) { request, _ -> Response in
            await self.handlePOST(request)
        }
        for method in [HTTPRequest.Method.put, .delete, .patch, .options, .head] {
            router.on(path, method: method) { request, _ -> Response in
                self.handleOtherMethod(request)
            }
        }
    }

    // MARK: - Verification

    /// What a verified request is for.
    enum Target {
        /// A new session.
        case handshake(EngineIOProtocolVersion)
        /// An existing session.
        case session(EngineIOSession)
    }

    /// Checks a request the way the reference `verify` does (docs/engineio-socketio.md#http-errors): the transport,
    /// then the session id (unknown: code 1; transport mismatch: code 3), or for a handshake the method (code 2), a
    /// WebSocket transport without upgrade (code 3) and the protocol revision (code 5).
    ///
    /// A session answers only requests from the address (IPv6: the /64) that opened it: its id is not a secret in
    /// every dialect (Engine.IO v3 sockets are named by it, and dialect B hands socket ids to room members), so
    /// without this a peer could poll or post as another session. Another address gets code 1, as an unknown id.
    func verify(
        method: HTTPRequest.Method,
        query: EngineIORequestQuery,
        isUpgrade: Bool,
        clientAddress: SocketAddress?
    ) -> Result<Target, EngineIOError> {
        guard let transportName = query.transport,
            let transport = SignalingServerConfiguration.Transport(rawValue: transportName),
            self.configuration.transports.contains(transport)
        else {
            return .failure(.unknownTransport)
        }
        if isUpgrade && transport != .websocket {
            return .failure(.badRequest)
        }
        if let sid = query.sid {
            guard let session = self.registry.session(id: sid), session.accepts(from: clientAddress) else {
                return .failure(.unknownSessionID)
            }
            if !isUpgrade && transport != .polling {
                return .failure(.badRequest)
            }
            return .success(.session(session))
        }
        guard method == .get else {
            return .failure(.badHandshakeMethod)
        }
        if transport == .websocket && !isUpgrade {
            return .failure(.badRequest)
        }
        guard let version = query.handshakeVersion(allowEIO3: self.configuration.allowEIO3) else {
            return .failure(.unsupportedProtocolVersion)
        }
        return .success(.handshake(version))
    }

    /// The response for an error, with the CORS headers.
    func errorResponse(_ error: EngineIOError, cors: HTTPFields) -> Response {
        var headers = cors
        headers[.contentType] = "application/json"
        return Response(status: error.status, headers: headers, body: ResponseBody(byteBuffer: error.body))
    }

    /// The response for a refusal by a session's state machine.
    func refusalResponse(_ refusal: EngineIOSessionStateMachine.Refusal, cors: HTTPFields) -> Response {
        switch refusal {
        case .unknownSession:
            return self.errorResponse(.unknownSessionID, cors: cors)
        case .transportMismatch:
            return self.errorResponse(.badRequest, cors: cors)
        case .overlap:
            return Response(status: .badRequest, headers: cors)
        }
    }

    /// A session's place under the caps: the key it counts against (nil for a client without an IP address).
    struct SessionPlace: Sendable {
        let clientKey: ClientAddressKey?
    }

    /// Takes a place for a new session of the client at `address` under the session caps; nil (counted and logged)
    /// when a cap is reached. The place goes back when the session unregisters, or with ``releaseSessionPlace(_:)``
    /// when no session is made after all.
    func reserveSessionPlace(for address: SocketAddress?) -> SessionPlace? {
        switch self.registry.ledger.open(from: address) {
        case .admitted(let key):
            return SessionPlace(clientKey: key)
        case .refused(let reason):
            self.metrics.sessionRefused(reason)
            self.logger.debug(
                "Engine.IO handshake refused: session cap reached",
                metadata: ["client.address": "\(address.map { "\($0)" } ?? "?")", "cap": "\(reason)"]
            )
            return nil
        }
    }

    /// Gives back a place taken by ``reserveSessionPlace(for:)`` for a session that was never made.
    func releaseSessionPlace(_ place: SessionPlace) {
        self.registry.ledger.close(place.clientKey)
    }

    /// A new session on `eventLoop`, or on a loop of the group, holding the place `clientKey` under the caps.
    func makeSession(
        version: EngineIOProtocolVersion,
        transport: EngineIOSessionStateMachine.Transport,
        supportsBinary: Bool,
        request: EngineIOHandshakeRequest,
        clientKey: ClientAddressKey?,
        eventLoop: (any EventLoop)? = nil
    ) -> EngineIOSession {
        EngineIOSession(
            id: EngineIOSessionID.generate(),
            version: version,
            transport: transport,
            supportsBinary: supportsBinary,
            request: request,
            timing: self.timing(version),
            eventLoop: eventLoop ?? self.eventLoopGroup.any(),
            registry: self.registry,
            clientKey: clientKey,
            metrics: self.metrics,
            logger: self.logger
        )
    }
}
