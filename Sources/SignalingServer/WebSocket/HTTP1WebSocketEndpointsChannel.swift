import ConnectionLimits
import HTTPTypes
import Hummingbird
import HummingbirdCore
import Logging
import NIOCore
import NIOHTTP1
import NIOHTTPTypes
import NIOHTTPTypesHTTP1
import NIOWebSocket

/// Hummingbird's HTTP/1.1 child channel with WebSocket upgrades served in the pipeline: a request for an upgrade on
/// the path of a ``WebSocketEndpoint`` becomes a ``WebSocketConnection`` handler on the channel's event loop, with no
/// task, stream or writer per connection; every other request goes to the Hummingbird responder as usual.
///
/// That keeps an idle WebSocket at a few kilobytes (the channel, its handlers and the session) and a message on the
/// loop that owns its connection, which is what the signaling plane's memory and latency come down to.
public struct HTTP1WebSocketEndpointsChannel: ServerChildChannel, HTTPChannelHandler {
    /// What became of a connection's first request.
    public enum UpgradeResult: Sendable {
        /// Upgraded: a ``WebSocketConnection`` serves the channel from now on.
        case webSocket
        /// A plain HTTP request: served by the responder.
        case notUpgraded(NIOAsyncChannel<HTTPRequestPart, HTTPResponsePart>)
        /// An upgrade that was refused: answered with 400 and closed.
        case failedUpgrade(NIOAsyncChannel<HTTPRequestPart, HTTPResponsePart>)
        /// Over a connection cap: answered with 503 and closed before any request was read.
        case refused
    }

    public struct Value: ServerChildChannelValue {
        let upgradeResult: EventLoopFuture<UpgradeResult>
        public let channel: any Channel
        /// The places the connection's request heads took, for the responder (see ``HTTPRequestArrivalHandler``).
        let arrivals: HTTPRequestArrivalQueue
    }

    public private(set) var responder: HTTPChannelHandler.Responder
    let endpoints: [String: any WebSocketEndpoint]
    /// The endpoint of every other path, on a listener of its own (dialect C's port, as `ws`'s `Server({port})`).
    let anyPath: (any WebSocketEndpoint)?
    let maxFrameSize: Int
    let configuration: HTTP1Channel.Configuration
    let limits: HTTPConnectionLimits

    /// - Parameters:
    ///   - responder: the Hummingbird responder for every request that is not a WebSocket upgrade.
    ///   - endpoints: the WebSocket endpoints, by path.
    ///   - anyPath: the endpoint of upgrades on any other path (its own `webSocketPath` is not consulted).
    ///   - configuration: the HTTP/1.1 settings (decoder limits, extra handlers).
    ///   - limits: the connection caps and timeouts.
    public init(
        responder: @escaping HTTPChannelHandler.Responder,
        endpoints: [any WebSocketEndpoint],
        anyPath: (any WebSocketEndpoint)? = nil,
        configuration: HTTP1Channel.Configuration = .init(),
        limits: HTTPConnectionLimits = HTTPConnectionLimits()
    ) {
        var byPath: [String: any WebSocketEndpoint] = [:]
        for endpoint in endpoints {
            byPath[Self.normalize(endpoint.webSocketPath)] = endpoint
        }
        self.endpoints = byPath
        self.anyPath = anyPath
        let all = endpoints + (anyPath.map { [$0] } ?? [])
        self.maxFrameSize = min(max(all.map(\.maxWebSocketMessageSize).max() ?? 0, 1 << 14), Int(UInt32.max))
        self.configuration = configuration
        self.limits = limits
        self.responder = Self.redirectingUpgrades(responder)
    }

    public func setup(channel: any Channel, logger: Logger) -> EventLoopFuture<Value> {
        let key: ClientAddressKey?
        switch self.limits.ledger.open(from: channel.remoteAddress) {
        case .refused(let reason):
            self.limits.metrics.refused(reason)
            logger.debug(
                "HTTP connection refused: connection cap reached",
                metadata: ["client.address": "\(channel.remoteAddress.map { "\($0)" } ?? "?")", "cap": "\(reason)"]
            )
            Self.refuse(channel, giveUpAfter: self.limits.headTimeout)
            return channel.eventLoop.makeSucceededFuture(
                Value(
                    upgradeResult: channel.eventLoop.makeSucceededFuture(.refused),
                    channel: channel,
                    arrivals: HTTPRequestArrivalQueue()
                )
            )
        case .admitted(let admittedKey):
            key = admittedKey
        }
        let ledger = self.limits.ledger
        let metrics = self.limits.metrics
        metrics.opened()
        channel.closeFuture.whenComplete { _ in
            ledger.close(key)
            metrics.closed()
        }
        return channel.eventLoop.makeCompletedFuture {
            // Every channel keeps its last receive buffer for the next read, sized by the allocator: NIO's default
            // starts at 2 KiB, a quarter of what an idle WebSocket may cost in all. Signaling messages and upgrade
            // requests are mostly far smaller; a bigger read grows the buffer (up to 64 KiB) as before.
            try channel.syncOptions?.setOption(
                .recvAllocator,
                value: AdaptiveRecvByteBufferAllocator(minimum: 64, initial: 512, maximum: 65536)
            )
            let upgradeAttempted = NIOLoopBoundBox(false, eventLoop: channel.eventLoop)
            let arrivals = HTTPRequestArrivalQueue()
            let connectionGuard = NIOLoopBound(HTTPConnectionGuard(limits: self.limits), eventLoop: channel.eventLoop)
            let acceptance = NIOLoopBoundBox<(WebSocketAcceptance, maxMessageSize: Int)?>(
                nil,
                eventLoop: channel.eventLoop
            )
            let upgrader = NIOTypedWebSocketServerUpgrader<UpgradeResult>(
                maxFrameSize: self.maxFrameSize,
                // The connection turns decoder errors into close frames itself (one handler less per connection).
                enableAutomaticErrorHandling: false,
                shouldUpgrade: { channel, head in
                    upgradeAttempted.value = true
                    return self.decide(head, channel: channel).map { accepted in
                        acceptance.value = accepted
                        if accepted != nil {
                            // From here on Engine.IO's ping/pong (or the endpoint) governs the connection.
                            channel.pipeline.syncOperations.removeHandler(connectionGuard.value, promise: nil)
                        }
                        return accepted.map { _ in HTTPHeaders() }
                    }
                },
                upgradePipelineHandler: { channel, _ in
                    channel.eventLoop.makeCompletedFuture {
                        guard let (accepted, maxMessageSize) = acceptance.value else {
                            throw NIOWebSocketUpgradeError.unsupportedWebSocketTarget
                        }
                        let connection = WebSocketConnection(
                            eventLoop: channel.eventLoop,
                            maxMessageSize: maxMessageSize,
                            outboundBufferBytes: accepted.outboundBufferBytes,
                            sendTimeout: accepted.sendTimeout
                        )
                        // NIO's frame decoder goes (it was added just now and has read nothing); the frame reader
                        // does its work without keeping state between frames.
                        let decoder = try channel.pipeline.syncOperations.context(
                            handlerType: ByteToMessageHandler<WebSocketFrameDecoder>.self
                        )
                        channel.pipeline.syncOperations.removeHandler(context: decoder, promise: nil)
                        try channel.pipeline.syncOperations.addHandler(
                            WebSocketFrameReader(maxFrameSize: self.maxFrameSize)
                        )
                        try channel.pipeline.syncOperations.addHandler(connection)
                        accepted.opened(connection)
                        return .webSocket
                    }
                }
            )
            let upgradeConfiguration = NIOTypedHTTPServerUpgradeConfiguration(
                upgraders: [upgrader],
                notUpgradingCompletionHandler: { channel in
                    channel.eventLoop.makeCompletedFuture {
                        try channel.pipeline.syncOperations.addHandler(HTTP1ToHTTPServerCodec(secure: false))
                        try channel.pipeline.syncOperations.addHandler(
                            HTTPRequestArrivalHandler(queue: arrivals) { request, remoteAddress in
                                self.reserveArrival(for: request, remoteAddress: remoteAddress)
                            }
                        )
                        try channel.pipeline.syncOperations.addHandlers(self.configuration.additionalChannelHandlers())
                        try channel.pipeline.syncOperations.addHandler(
                            HTTPConnectionStateHandler(
                                idleTimeout: self.configuration.idleTimeout.map { Duration($0) },
                                logger: logger
                            )
                        )
                        let asyncChannel = try NIOAsyncChannel<HTTPRequestPart, HTTPResponsePart>(
                            wrappingChannelSynchronously: channel,
                            configuration: .init(isOutboundHalfClosureEnabled: true)
                        )
                        return upgradeAttempted.value ? .failedUpgrade(asyncChannel) : .notUpgraded(asyncChannel)
                    }
                }
            )
            var pipelineConfiguration = NIOUpgradableHTTPServerPipelineConfiguration(
                upgradeConfiguration: upgradeConfiguration
            )
            pipelineConfiguration.enablePipelining = false
            pipelineConfiguration.enableErrorHandling = false
            pipelineConfiguration.enableResponseHeaderValidation = false
            pipelineConfiguration.decoderConfiguration.maxHeaderFieldSize =
                self.configuration.httpDecoder.maxHeaderFieldSize
            pipelineConfiguration.decoderConfiguration.maxHeaderListSize =
                self.configuration.httpDecoder.maxHeaderListSize
            pipelineConfiguration.decoderConfiguration.maxHeaderFieldCount =
                self.configuration.httpDecoder.maxHeaderFieldCount
            let upgradeResult = try channel.pipeline.syncOperations.configureUpgradableHTTPServerPipeline(
                configuration: pipelineConfiguration
            )
            // Right after the request decoder, so that it sees parsed heads and the decoder's errors.
            let upgradeHandler = try channel.pipeline.syncOperations.handler(
                type: NIOTypedHTTPServerUpgradeHandler<UpgradeResult>.self
            )
            try channel.pipeline.syncOperations.addHandler(connectionGuard.value, position: .before(upgradeHandler))
            return Value(upgradeResult: upgradeResult, channel: channel, arrivals: arrivals)
        }
    }

    public func handle(value: Value, logger: Logger) async {
        do {
            switch try await value.upgradeResult.get() {
            case .webSocket:
                // The connection lives on in the pipeline; nothing waits for it here.
                return
            case .notUpgraded(let http1):
                var connection = self
                connection.responder = self.answeringInArrivalOrder(value.arrivals)
                await HTTPClientAddress.$current.withValue(value.channel.remoteAddress) {
                    await connection.handleHTTP(asyncChannel: http1, logger: logger)
                }
            case .failedUpgrade(let http1):
                await Self.refuseUpgrade(http1, logger: logger)
            case .refused:
                return
            }
        } catch let error as ChannelError where error == .inputClosed {
            logger.trace("Connection closed before its first request")
        } catch {
            logger.debug("HTTP upgrade failed", metadata: ["error": "\(error)"])
        }
    }

    // MARK: - Arrival order

    /// The endpoint of a request's path takes its place (docs/engineio-socketio.md#arrival-order); on the connection's
    /// loop when the head is read, or in the responder for a pipelined request.
    private func reserveArrival(
        for request: HTTPRequest,
        remoteAddress: SocketAddress?
    ) -> (any HTTPRequestArrival.Reservation)? {
        let path = Self.normalize(String((request.path ?? "/").prefix { $0 != "?" }))
        return self.endpoints[path]?.reserveArrival(for: request, remoteAddress: remoteAddress)
    }

    /// The responder of one connection: each request is answered with the place its head took in
    /// ``HTTPRequestArrival/current``, and a place the route did not use is given back after the response.
    private func answeringInArrivalOrder(_ arrivals: HTTPRequestArrivalQueue) -> HTTPChannelHandler.Responder {
        let responder = self.responder
        return { request, responseWriter, channel in
            let reservation: (any HTTPRequestArrival.Reservation)?
            switch arrivals.pop() {
            case .taken(let taken):
                reservation = taken
            case .deferred:
                reservation = self.reserveArrival(for: request.head, remoteAddress: channel.remoteAddress)
            case nil:
                reservation = nil
            }
            defer {
                reservation?.release()
            }
            // The writer cannot be copied; the closure takes it out of this optional.
            var writer = Optional(responseWriter)
            try await HTTPRequestArrival.$current.withValue(reservation) {
                try await responder(request, writer.take()!, channel)
            }
        }
    }

    // MARK: - Upgrades

    /// Asks the endpoint of the request's path, if any; returns its acceptance with its message size limit.
    private func decide(
        _ head: HTTPRequestHead,
        channel: any Channel
    ) -> EventLoopFuture<(WebSocketAcceptance, maxMessageSize: Int)?> {
        let path = Self.normalize(String(head.uri.prefix { $0 != "?" }))
        guard let endpoint = self.endpoints[path] ?? self.anyPath,
            let request = try? HTTPRequest(head, secure: false, splitCookie: false)
        else {
            return channel.eventLoop.makeSucceededFuture(nil)
        }
        let maxMessageSize = endpoint.maxWebSocketMessageSize
        return endpoint.acceptWebSocket(request, channel: channel).map { accepted in
            accepted.map { ($0, min($0.maxMessageSize ?? maxMessageSize, maxMessageSize)) }
        }
    }

    /// `/socket.io/` and `/socket.io` are the same path.
    static func normalize(_ path: String) -> String {
        var path = path
        while path.count > 1 && path.hasSuffix("/") {
            path.removeLast()
        }
        return path
    }

    /// The answer to a connection over a cap, before reading anything: 503 and close. A connection that does not
    /// take the answer (a TLS handshake that never completes) is closed after `giveUpAfter` regardless.
    private static func refuse(_ channel: any Channel, giveUpAfter delay: TimeAmount) {
        let response = "HTTP/1.1 503 Service Unavailable\r\nConnection: close\r\nContent-Length: 0\r\n\r\n"
        let giveUp = channel.eventLoop.scheduleTask(in: delay) {
            channel.close(promise: nil)
        }
        channel.writeAndFlush(ByteBuffer(string: response)).whenComplete { _ in
            giveUp.cancel()
            channel.close(promise: nil)
        }
    }

    /// The answer to a refused upgrade: 400, no body, and the connection closes.
    private static func refuseUpgrade(
        _ asyncChannel: NIOAsyncChannel<HTTPRequestPart, HTTPResponsePart>,
        logger: Logger
    ) async {
        do {
            try await asyncChannel.executeThenClose { _, outbound in
                let head = HTTPResponse(status: .badRequest, headerFields: [.connection: "close", .contentLength: "0"])
                try await outbound.write(contentsOf: [.head(head), .end(nil)])
            }
        } catch {
            logger.trace("Could not answer a refused upgrade", metadata: ["error": "\(error)"])
        }
    }

    /// NIO only upgrades a connection's first request: a later request asking for a WebSocket is redirected to the
    /// same URI and the connection closed, so the client retries on a fresh connection (as Hummingbird does).
    private static func redirectingUpgrades(
        _ responder: @escaping HTTPChannelHandler.Responder
    ) -> HTTPChannelHandler.Responder {
        struct RedirectedUpgrade: Error {}
        return { request, responseWriter, channel in
            guard request.headers[.upgrade]?.lowercased() == "websocket" else {
                try await responder(request, responseWriter, channel)
                return
            }
            var location = request.uri.path
            if let query = request.uri.query {
                location += "?\(query)"
            }
            let response = HTTPResponse(
                status: .temporaryRedirect,
                headerFields: [.connection: "close", .location: location]
            )
            try await responseWriter.writeResponse(response)
            throw RedirectedUpgrade()
        }
    }
}

extension HTTPServerBuilder {
    /// HTTP/1.1 with WebSocket upgrades on the paths of `endpoints` (and on any other path when `anyPath` is set),
    /// each served in the pipeline (see ``HTTP1WebSocketEndpointsChannel``).
    public static func http1WebSocketEndpoints(
        _ endpoints: [any WebSocketEndpoint],
        anyPath: (any WebSocketEndpoint)? = nil,
        configuration: HTTP1Channel.Configuration = .init(),
        limits: HTTPConnectionLimits = HTTPConnectionLimits()
    ) -> HTTPServerBuilder {
        HTTPServerBuilder { responder in
            HTTP1WebSocketEndpointsChannel(
                responder: responder,
                endpoints: endpoints,
                anyPath: anyPath,
                configuration: configuration,
                limits: limits
            )
        }
    }
}
