import HTTPTypes
import Hummingbird
import HummingbirdCore
import NIOCore
import ServiceLifecycle
import SocketIOCodec

/// HTTP long-polling (Engine.IO v4 §"HTTP long-polling"; docs/engineio-socketio.md#polling, #http-errors, #cors,
/// #limits, #v3-payloads).
extension EngineIOServer {
    /// GET: a handshake (no `sid`) or a poll.
    func handleGET(_ request: Request) async -> Response {
        let query = EngineIORequestQuery(request.uri)
        let cors = self.configuration.cors.headers(for: request.headers, legacy: query.isLegacy, preflight: false)
        switch self.verify(method: .get, query: query, isUpgrade: false, clientAddress: HTTPClientAddress.current) {
        case .failure(let error):
            return self.errorResponse(error, cors: cors)
        case .success(.session(let session)):
            return await self.poll(session, cors: cors)
        case .success(.handshake(let version)):
            let handshakeRequest = EngineIOHandshakeRequest(
                uri: request.uri.description,
                headers: request.headers,
                authority: request.head.authority
            )
            if let allowRequest = self.allowRequest, await !allowRequest(handshakeRequest) {
                return self.errorResponse(.forbidden, cors: cors)
            }
            guard let place = self.reserveSessionPlace(for: HTTPClientAddress.current) else {
                return self.errorResponse(.tooManySessions, cors: cors)
            }
            let session = self.makeSession(
                version: version,
                transport: .polling,
                supportsBinary: !query.forcesBase64,
                request: handshakeRequest,
                clientKey: place.clientKey
            )
            let handshake = self.handshake(sid: session.id, version: version, onWebSocket: false)
            let makeHandler = self.makeHandler
            // Opened and polled in one turn of the loop, so that the handshake is answered with the open packet (and
            // what the handler sends on opening), never with a ping that came due in between on a busy machine.
            return await self.poll(session, cors: cors) {
                session.open(handshake: handshake, webSocket: nil, makeHandler: makeHandler)
            }
        }
    }

    /// Waits for the session's next packets and answers with them. The poll reaches the session in the place its head
    /// took (docs/engineio-socketio.md#arrival-order); `opening`, for a new session, runs on the session's loop in the
    /// same turn just before.
    private func poll(
        _ session: EngineIOSession,
        cors: HTTPFields,
        opening: (@Sendable () -> Void)? = nil
    ) async -> Response {
        let future: EventLoopFuture<[EngineIOPacket]>
        if let opening {
            // A handshake's head took no place: the session did not exist yet.
            future = session.eventLoop.flatSubmit {
                opening()
                return session.poll(ticket: nil)
            }
        } else {
            future = session.poll(ticket: EngineIOArrivalReservation.ticket(for: session))
        }
        let packets: [EngineIOPacket]
        do {
            // On graceful shutdown the session closes, which answers the poll with the close packet.
            packets = try await withGracefulShutdownHandler {
                try await future.get()
            } onGracefulShutdown: {
                session.close()
            }
        } catch let refusal as EngineIOSessionStateMachine.Refusal {
            return self.refusalResponse(refusal, cors: cors)
        } catch {
            return Response(status: .internalServerError, headers: cors)
        }
        let (body, framing) = EngineIOPayload(packets).encoded(
            version: session.version,
            supportsBinary: session.supportsBinary
        )
        var headers = cors
        headers[.contentType] = framing.contentType
        headers[.cacheControl] = "no-store"
        return Response(status: .ok, headers: headers, body: ResponseBody(byteBuffer: body))
    }

    /// POST: packets from the client. Answered `ok`; 413 over `maxHttpBufferSize`; 400 for an overlapping POST or
    /// a binary body in v4 (both close the session).
    func handlePOST(_ request: Request) async -> Response {
        let query = EngineIORequestQuery(request.uri)
        let cors = self.configuration.cors.headers(for: request.headers, legacy: query.isLegacy, preflight: false)
        let session: EngineIOSession
        switch self.verify(method: .post, query: query, isUpgrade: false, clientAddress: HTTPClientAddress.current) {
        case .failure(let error):
            return self.errorResponse(error, cors: cors)
        case .success(.handshake):
            return self.errorResponse(.badHandshakeMethod, cors: cors)
        case .success(.session(let found)):
            session = found
        }
        let begun = session.beginPost(ticket: EngineIOArrivalReservation.ticket(for: session))
        do {
            if let refusal = try await begun.get() {
                return self.refusalResponse(refusal, cors: cors)
            }
        } catch {
            return Response(status: .internalServerError, headers: cors)
        }

        // Read the body up to the limit; past it, stop reading (the reference answers 413 and stops reading).
        let completeBody: ByteBuffer?
        do {
            let limit = self.configuration.revision(session.version).maxHttpBufferSize
            completeBody = try await request.body.collect(upTo: limit)
        } catch is NIOTooManyBytesError {
            completeBody = nil
        } catch {
            _ = session.eventLoop.submit {
                session.finishPost(body: nil, framing: .text)
            }
            return Response(status: .badRequest, headers: cors)
        }
        let tooLarge = completeBody == nil
        let framing = EngineIOPayloadFraming(contentType: request.headers[.contentType])
        let finished = session.eventLoop.submit {
            session.finishPost(body: completeBody, framing: framing)
        }
        let accepted = (try? await finished.get()) ?? false
        if tooLarge {
            var headers = cors
            headers[.connection] = "close"
            return Response(status: .contentTooLarge, headers: headers)
        }
        guard accepted else {
            return Response(status: .badRequest, headers: cors)
        }
        var headers = cors
        headers[.contentType] = "text/html"
        return Response(status: .ok, headers: headers, body: ResponseBody(byteBuffer: ByteBuffer(string: "ok")))
    }

    /// A poll's or POST's place in its session's arrival order, taken on the connection's loop as soon as the request
    /// head is read (docs/engineio-socketio.md#arrival-order): for a request with the `sid` of an open session, from
    /// an address the session answers. The route uses it, or it is given back.
    public func reserveArrival(
        for request: HTTPRequest,
        remoteAddress: SocketAddress?
    ) -> (any HTTPRequestArrival.Reservation)? {
        let query = EngineIORequestQuery(URI(request.path ?? "/"))
        guard let sid = query.sid, let session = self.registry.session(id: sid), session.accepts(from: remoteAddress)
        else {
            return nil
        }
        return session.reserveArrival()
    }

    /// Any other method: a CORS preflight when CORS is on (204); otherwise the handshake error (code 2) or, for an
    /// existing session, a bare 500 as the reference answers.
    func handleOtherMethod(_ request: Request) -> Response {
        let query = EngineIORequestQuery(request.uri)
        if request.method == .options && self.configuration.cors.isEnabled {
            var headers = self.configuration.cors.headers(for: request.headers, legacy: query.isLegacy, preflight: true)
            headers[.contentLength] = "0"
            return Response(status: .noContent, headers: headers)
        }
        let cors = self.configuration.cors.headers(for: request.headers, legacy: query.isLegacy, preflight: false)
        switch self.verify(
            method: request.method,
            query: query,
            isUpgrade: false,
            clientAddress: HTTPClientAddress.current
        ) {
        case .failure(let error):
            return self.errorResponse(error, cors: cors)
        case .success:
            return Response(status: .internalServerError, headers: cors)
        }
    }
}
