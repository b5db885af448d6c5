import ConnectionLimits
import HTTPTypes
import Hummingbird
import HummingbirdCore
import Logging
import NIOCore
import SocketIOCodec

/// The WebSocket transport and the upgrade from polling (Engine.IO v4 §"WebSocket", §"Upgrade";
/// docs/engineio-socketio.md#websocket, #upgrade), served in the channel pipeline (see
/// ``HTTP1WebSocketEndpointsChannel``).
extension EngineIOServer: WebSocketEndpoint {
    public var webSocketPath: String {
        self.configuration.path
    }

    /// The larger of the two revisions' limits; each connection gets its own revision's (see ``acceptWebSocket``).
    public var maxWebSocketMessageSize: Int {
        EngineIOProtocolVersion.allCases.map { self.configuration.revision($0).maxHttpBufferSize }.max() ?? 0
    }

    /// Accepts a WebSocket that opens a new session (no `sid`) or probes an upgrade of an existing one. A refusal
    /// makes the HTTP layer answer a bare 400 and close the connection, as the reference answers a failed upgrade on
    /// the raw socket.
    public func acceptWebSocket(_ request: HTTPRequest, channel: any Channel) -> EventLoopFuture<WebSocketAcceptance?> {
        let uri = URI(request.path ?? "/")
        let query = EngineIORequestQuery(uri)
        let target: Target
        switch self.verify(method: .get, query: query, isUpgrade: true, clientAddress: channel.remoteAddress) {
        case .failure(let error):
            self.logger.debug(
                "WebSocket upgrade refused",
                metadata: ["engineio.error.code": "\(error.code)", "engineio.error": "\(error.message)"]
            )
            return channel.eventLoop.makeSucceededFuture(nil)
        case .success(let verified):
            target = verified
        }
        let sendTimeout = TimeAmount.milliseconds(Int64(self.configuration.sendTimeoutMilliseconds))
        switch target {
        case .session(let session):
            let revision = self.configuration.revision(session.version)
            let acceptance = WebSocketAcceptance(
                outboundBufferBytes: revision.outboundBufferBytes,
                sendTimeout: sendTimeout,
                maxMessageSize: revision.maxHttpBufferSize
            ) { connection in
                session.probeOpened(connection)
            }
            return channel.eventLoop.makeSucceededFuture(acceptance)
        case .handshake(let version):
            let revision = self.configuration.revision(version)
            let handshakeRequest = EngineIOHandshakeRequest(
                uri: uri.description,
                headers: Self.handshakeHeaders(request.headerFields),
                authority: request.authority
            )
            let acceptance = { @Sendable (pending: PendingSessionPlace) in
                WebSocketAcceptance(
                    outboundBufferBytes: revision.outboundBufferBytes,
                    sendTimeout: sendTimeout,
                    maxMessageSize: revision.maxHttpBufferSize
                ) { connection in
                    pending.opened.value = true
                    self.openSession(
                        version: version,
                        request: handshakeRequest,
                        clientKey: pending.place.clientKey,
                        on: connection
                    )
                }
            }
            guard let allowRequest = self.allowRequest else {
                return channel.eventLoop.makeSucceededFuture(self.reservingPlace(on: channel).map(acceptance))
            }
            let promise = channel.eventLoop.makePromise(of: Bool.self)
            promise.completeWithTask {
                await allowRequest(handshakeRequest)
            }
            return promise.futureResult.hop(to: channel.eventLoop).map { allowed in
                allowed ? self.reservingPlace(on: channel).map(acceptance) : nil
            }
        }
    }

    /// A place under the session caps for the client of `channel`, nil when a cap is reached (the upgrade is then
    /// refused with a bare 400). The place is given back if the connection closes before its session opens.
    private func reservingPlace(on channel: any Channel) -> PendingSessionPlace? {
        guard let place = self.reserveSessionPlace(for: channel.remoteAddress) else {
            return nil
        }
        let pending = PendingSessionPlace(place: place, opened: NIOLoopBoundBox(false, eventLoop: channel.eventLoop))
        channel.closeFuture.whenComplete { _ in
            if !pending.opened.value {
                self.releaseSessionPlace(place)
            }
        }
        return pending
    }

    /// A place taken for a WebSocket handshake, and whether its session opened (then the session gives it back).
    struct PendingSessionPlace: Sendable {
        let place: SessionPlace
        let opened: NIOLoopBoundBox<Bool>
    }

    /// The headers a session keeps from a WebSocket handshake: all but the fields of the WebSocket handshake itself
    /// (`Upgrade`, `Connection`, `Sec-WebSocket-*`), which describe the transport rather than the client and would
    /// cost every idle session a few hundred bytes.
    static func handshakeHeaders(_ fields: HTTPFields) -> HTTPFields {
        var kept = HTTPFields()
        for field in fields {
            let name = field.name.canonicalName
            if name == "upgrade" || name == "connection" || name.hasPrefix("sec-websocket-") {
                continue
            }
            kept.append(field)
        }
        return kept
    }

    /// A new session carried by `connection` from the start, on the connection's loop so that its frames never
    /// change threads.
    private func openSession(
        version: EngineIOProtocolVersion,
        request: EngineIOHandshakeRequest,
        clientKey: ClientAddressKey?,
        on connection: WebSocketConnection
    ) {
        let session = self.makeSession(
            version: version,
            transport: .webSocket,
            supportsBinary: true,
            request: request,
            clientKey: clientKey,
            eventLoop: connection.eventLoop
        )
        let handshake = self.handshake(sid: session.id, version: version, onWebSocket: true)
        session.open(handshake: handshake, webSocket: connection, makeHandler: self.makeHandler)
        connection.attach(session)
    }
}
