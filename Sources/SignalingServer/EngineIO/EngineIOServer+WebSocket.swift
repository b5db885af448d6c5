import Hummingbird
import HummingbirdCore
import HummingbirdWebSocket
import Logging
import NIOCore
import NIOWebSocket
import SocketIOCodec

/// The WebSocket transport and the upgrade from polling (Engine.IO v4 §"WebSocket", §"Upgrade"; the protocol notes
/// §1.5, §1.7).
extension EngineIOServer {
    /// Whether a WebSocket upgrade request is accepted. A refusal makes the HTTP layer answer a bare 400 and close
    /// the connection, as the reference answers a failed upgrade on the raw socket.
    func shouldUpgrade(_ request: Request) -> RouterShouldUpgrade {
        let query = EngineIORequestQuery(request.uri)
        switch self.verify(method: request.method, query: query, isUpgrade: true) {
        case .failure(let error):
            self.logger.debug(
                "WebSocket upgrade refused",
                metadata: ["engineio.error.code": "\(error.code)", "engineio.error": "\(error.message)"]
            )
            return .dontUpgrade
        case .success:
            return .upgrade([:])
        }
    }

    /// Runs one accepted WebSocket: a new session (no `sid`) or an upgrade probe for an existing one.
    func runWebSocket(
        inbound: WebSocketInboundStream,
        outbound: WebSocketOutboundWriter,
        request: Request
    ) async throws {
        let query = EngineIORequestQuery(request.uri)
        let session: EngineIOSession
        let transport: EngineIOWebSocketTransport
        if let sid = query.sid {
            guard let existing = self.registry.session(id: sid) else {
                return
            }
            session = existing
            transport = EngineIOWebSocketTransport(eventLoop: session.eventLoop)
            let attached = try await session.eventLoop.submit {
                session.attachProbe(transport)
            }.get()
            guard attached else {
                // Already upgrading or upgraded: accepted, then closed at once.
                return
            }
        } else {
            guard let version = query.handshakeVersion(allowEIO3: self.configuration.allowEIO3) else {
                return
            }
            let handshakeRequest = EngineIOHandshakeRequest(
                uri: request.uri.description,
                query: query.parameters,
                headers: request.headers,
                authority: request.head.authority
            )
            if let allowRequest = self.allowRequest, await !allowRequest(handshakeRequest) {
                return
            }
            session = self.makeSession(
                version: version,
                transport: .webSocket,
                supportsBinary: true,
                request: handshakeRequest
            )
            transport = EngineIOWebSocketTransport(eventLoop: session.eventLoop)
            let handshake = self.handshake(sid: session.id, version: version, onWebSocket: true)
            let makeHandler = self.makeHandler
            try await session.eventLoop.submit {
                session.open(handshake: handshake, webSocket: transport, makeHandler: makeHandler)
            }.get()
        }
        try await self.pump(session: session, transport: transport, inbound: inbound, outbound: outbound)
    }

    /// Moves frames both ways until the socket closes: a reader task hands inbound frames to the session's loop, a
    /// writer task writes what the session queued.
    private func pump(
        session: EngineIOSession,
        transport: EngineIOWebSocketTransport,
        inbound: WebSocketInboundStream,
        outbound: WebSocketOutboundWriter
    ) async throws {
        let maxSize = self.configuration.maxHttpBufferSize
        try await withThrowingTaskGroup(of: Bool.self) { group in
            group.addTask {
                defer {
                    session.eventLoop.execute {
                        session.webSocketClosed(transport)
                    }
                }
                for try await message in inbound.messages(maxSize: maxSize) {
                    let frame: EngineIOWebSocketFrame
                    switch message {
                    case .text(let text):
                        frame = .text(text)
                    case .binary(let bytes):
                        frame = .binary(bytes)
                    }
                    session.eventLoop.execute {
                        session.webSocketReceived(frame, on: transport)
                    }
                }
                return false
            }
            group.addTask {
                while true {
                    let batch = try await session.eventLoop.flatSubmit {
                        transport.next()
                    }.get()
                    switch batch {
                    case .frames(let frames):
                        for frame in frames {
                            switch frame {
                            case .text(let text):
                                try await outbound.write(.text(text))
                            case .binary(let bytes):
                                try await outbound.write(.binary(bytes))
                            }
                        }
                    case .close:
                        // Start the closing handshake here: the client's answering close frame ends the reader's
                        // loop, so the connection does not depend on the reader noticing cancellation.
                        try? await outbound.close(.normalClosure, reason: nil)
                        return true
                    case .finished:
                        return false
                    }
                }
            }
            // Whichever side ends first ends the connection: the reader when the client closes, the writer when
            // the session closes the socket.
            if try await group.next() == true {
                // The writer closed: give the client a moment to answer the close frame, then stop reading.
                group.addTask {
                    try? await Task.sleep(for: .seconds(5))
                    return false
                }
                _ = try await group.next()
            }
            group.cancelAll()
        }
    }
}
