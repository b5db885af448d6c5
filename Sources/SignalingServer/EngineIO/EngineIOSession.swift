import ConnectionLimits
import HTTPTypes
import Logging
import NIOCore
import SocketIOCodec
import Synchronization

/// One Engine.IO session: the shell that performs what ``EngineIOSessionStateMachine`` decides.
///
/// All state is confined to ``eventLoop``, chosen when the session opens. Polling requests and WebSocket frames
/// arrive on other connections and threads; they hop to the loop (`execute`), so the state machine sees one event at
/// a time, and timers are `scheduleTask`s on the same loop. The application's ``EngineIOSessionHandler`` is called on
/// the loop too.
///
/// The hops of different connections can overtake each other, so each client event takes a ticket where the server
/// reads it (a request head in the pipeline, a WebSocket frame) and the session handles the events in ticket order
/// (``EngineIOArrivalOrder``; docs/engineio-socketio.md#arrival-order).
///
/// ``send(_:)`` and ``close()`` may be called from anywhere: on the loop they act at once, elsewhere they are
/// queued to it. That keeps a room broadcast cheap: one closure per recipient, no task, no lock.
public final class EngineIOSession: @unchecked Sendable {
    /// The session id (`sid`): unguessable, never shown to other clients.
    public let id: String
    /// The protocol revision the client speaks.
    public let version: EngineIOProtocolVersion
    /// The event loop that owns the session's state.
    public let eventLoop: any EventLoop
    /// The HTTP request that opened the session.
    public let request: EngineIOHandshakeRequest
    /// Engine.IO v3: whether polling responses may use binary framing (the handshake had no `b64=1`).
    let supportsBinary: Bool
    /// The place the session holds under the per-address cap (see ``EngineIOSessionRegistry``).
    let clientKey: ClientAddressKey?

    /// Whether a request from `address` may use this session: from the address block that opened it, or when
    /// either is unknown (a connection without an IP address).
    func accepts(from address: SocketAddress?) -> Bool {
        guard let clientKey = self.clientKey, let requestKey = ClientAddressKey(address) else {
            return true
        }
        return clientKey == requestKey
    }
    /// The server's logger; ``logger`` adds the session id when a line is logged, so an idle session keeps no
    /// metadata dictionary of its own.
    private let serverLogger: Logger
    private let registry: EngineIOSessionRegistry
    private let metrics: SignalingMetrics

    /// The logger for this session's lines: the server's, with `engineio.sid`.
    var logger: Logger {
        var logger = self.serverLogger
        logger[metadataKey: "engineio.sid"] = .string(self.id)
        return logger
    }

    // MARK: Loop-confined state

    private var stateMachine: EngineIOSessionStateMachine
    private var handler: (any EngineIOSessionHandler)?
    private var pendingPoll: EventLoopPromise<[EngineIOPacket]>?
    private var webSocket: WebSocketConnection?
    private var probe: WebSocketConnection?
    private var timers = Timers()
    /// The client events that wait for their turn.
    private var arrivals = EngineIOArrivalOrder<Arrival>()
    /// Whether an arrival is being handled (one that comes meanwhile waits for the loop that handles them).
    private var handlingArrivals = false
    /// The safety net for the ticket that holds up the order (see ``arrivalTimeout``).
    private var arrivalTimer: (ticket: UInt64, timer: Scheduled<Void>)?

    /// The next ticket of the arrival order; taken on any thread.
    private let tickets = Atomic<UInt64>(0)

    init(
        id: String,
        version: EngineIOProtocolVersion,
        transport: EngineIOSessionStateMachine.Transport,
        supportsBinary: Bool,
        request: EngineIOHandshakeRequest,
        timing: EngineIOSessionStateMachine.Timing,
        eventLoop: any EventLoop,
        registry: EngineIOSessionRegistry,
        clientKey: ClientAddressKey?,
        metrics: SignalingMetrics,
        logger: Logger
    ) {
        self.id = id
        self.clientKey = clientKey
        self.version = version
        self.supportsBinary = supportsBinary
        self.request = request
        self.eventLoop = eventLoop
        self.registry = registry
        self.metrics = metrics
        self.serverLogger = logger
        self.stateMachine = EngineIOSessionStateMachine(version: version, transport: transport, timing: timing)
    }

    // MARK: - Public API

    /// Sends messages to the client, in order. Dropped if the session is closed.
    public func send(_ messages: [TextOrBinaryMessage]) {
        self.eventLoop.runOnLoop {
            self.sendOnLoop(messages)
        }
    }

    /// Sends one message to the client.
    public func send(_ message: TextOrBinaryMessage) {
        self.send([message])
    }

    /// Closes the session gracefully: buffered messages are delivered, then the close packet.
    public func close() {
        self.close(reason: .serverClose)
    }

    /// Closes the session for the given reason.
    func close(reason: EngineIOCloseReason) {
        self.eventLoop.runOnLoop {
            self.perform(self.stateMachine.close(reason: reason))
        }
    }

    /// Whether the session is open. Only meaningful on ``eventLoop``.
    public var isOpen: Bool {
        self.eventLoop.assertInEventLoop()
        return self.stateMachine.isOpen
    }

    /// Whether a poll is waiting for packets (for tests). Only meaningful on ``eventLoop``.
    var isPollPending: Bool {
        self.eventLoop.assertInEventLoop()
        return self.pendingPoll != nil
    }

    /// Whether a WebSocket is probing an upgrade, and whether the session moved to WebSocket (for tests).
    var transportState: (upgrading: Bool, onWebSocket: Bool) {
        self.eventLoop.assertInEventLoop()
        return (self.stateMachine.isUpgrading, self.stateMachine.transport == .webSocket)
    }

    private func sendOnLoop(_ messages: [TextOrBinaryMessage]) {
        self.eventLoop.assertInEventLoop()
        self.perform(self.stateMachine.send(messages.map { .message($0) }))
    }

    // MARK: - Opening

    /// Opens the session on the loop: queues the handshake and creates the application's handler.
    func open(
        handshake: EngineIOPacket,
        webSocket: WebSocketConnection?,
        makeHandler: (EngineIOSession) -> any EngineIOSessionHandler
    ) {
        self.eventLoop.assertInEventLoop()
        self.webSocket = webSocket
        self.registry.register(self)
        self.metrics.sessionOpened(version: self.version)
        self.logger.debug(
            "Engine.IO session opened",
            metadata: ["engineio.version": "\(self.version.rawValue)"]
        )
        self.perform(self.stateMachine.open(handshake: handshake))
        let handler = makeHandler(self)
        self.handler = handler
        handler.sessionOpened()
    }

    // MARK: - Polling

    /// A poll (GET) arrived, from any thread: returns the packets to answer with, once there are some. `ticket` is
    /// the place its head took (nil: handled at once).
    func poll(ticket: UInt64?) -> EventLoopFuture<[EngineIOPacket]> {
        let promise = self.eventLoop.makePromise(of: [EngineIOPacket].self)
        if ticket == nil, self.eventLoop.inEventLoop {
            // Unordered and already on the loop (a handshake's first poll): in this turn, so nothing comes between.
            self.arrived(nil, .poll(promise))
        } else {
            self.eventLoop.execute {
                self.arrived(ticket, .poll(promise))
            }
        }
        return promise.futureResult
    }

    private func pollArrived() -> EventLoopFuture<[EngineIOPacket]> {
        self.eventLoop.assertInEventLoop()
        switch self.stateMachine.pollRequestArrived() {
        case .accepted(let actions):
            let promise = self.eventLoop.makePromise(of: [EngineIOPacket].self)
            self.pendingPoll = promise
            self.perform(actions)
            return promise.futureResult
        case .refused(let refusal, let actions):
            self.perform(actions)
            return self.eventLoop.makeFailedFuture(refusal)
        }
    }

    /// A POST arrived, from any thread; its body is not read yet. Returns the refusal, if any. `ticket` is the place
    /// its head took (nil: handled at once).
    func beginPost(ticket: UInt64?) -> EventLoopFuture<EngineIOSessionStateMachine.Refusal?> {
        let promise = self.eventLoop.makePromise(of: EngineIOSessionStateMachine.Refusal?.self)
        self.eventLoop.execute {
            self.arrived(ticket, .post(promise))
        }
        return promise.futureResult
    }

    private func postArrived() -> EngineIOSessionStateMachine.Refusal? {
        self.eventLoop.assertInEventLoop()
        switch self.stateMachine.postRequestArrived() {
        case .accepted(let actions):
            self.perform(actions)
            return nil
        case .refused(let refusal, let actions):
            self.perform(actions)
            return refusal
        }
    }

    /// The body of the POST begun with ``beginPost(ticket:)`` was read (`nil` if reading it failed or it was too
    /// large). Returns `false` when the body is refused (HTTP 400).
    func finishPost(body: ByteBuffer?, framing: EngineIOPayloadFraming) -> Bool {
        self.eventLoop.assertInEventLoop()
        self.stateMachine.postRequestFinished()
        guard let body else {
            return true
        }
        let payload: EngineIOPayload
        do {
            payload = try EngineIOPayload(decoding: body, version: self.version, framing: framing)
        } catch {
            self.logger.debug("Invalid polling payload", metadata: ["error": "\(error)"])
            if error == .binaryPayloadNotSupported {
                self.perform(self.stateMachine.close(reason: .transportError))
                return false
            }
            self.perform(self.stateMachine.receivedInvalidPacket())
            return true
        }
        for packet in payload.packets {
            self.perform(self.stateMachine.receive(packet))
        }
        return true
    }

    // MARK: - WebSocket

    /// A WebSocket with this session's id was accepted, on its channel's loop: it probes an upgrade, or is closed at
    /// once if the session cannot upgrade. The session may live on another loop; the probe's place in the order is
    /// taken before any of its frames can be read.
    func probeOpened(_ connection: WebSocketConnection) {
        let ticket = self.takeTicket()
        connection.attach(self)
        self.eventLoop.runOnLoop {
            self.arrived(ticket, .probe(connection))
        }
    }

    /// Returns `false` if the session cannot upgrade.
    private func attachProbe(_ transport: WebSocketConnection) -> Bool {
        self.eventLoop.assertInEventLoop()
        guard self.probe == nil, let actions = self.stateMachine.upgradeRequested() else {
            return false
        }
        self.probe = transport
        self.perform(actions)
        return true
    }

    /// A message arrived on one of the session's WebSockets.
    private func webSocketReceived(_ message: TextOrBinaryMessage, on transport: WebSocketConnection) {
        self.eventLoop.assertInEventLoop()
        let packet: EngineIOPacket
        do {
            packet = try EngineIOPacket(webSocketFrame: message, version: self.version)
        } catch {
            self.logger.debug("Invalid WebSocket packet", metadata: ["error": "\(error)"])
            if transport === self.webSocket {
                self.perform(self.stateMachine.receivedInvalidPacket())
            } else if transport === self.probe {
                self.perform(self.stateMachine.probeReceivedInvalidPacket())
            }
            return
        }
        if transport === self.webSocket {
            self.perform(self.stateMachine.receive(packet))
        } else if transport === self.probe {
            self.perform(self.stateMachine.probeReceived(packet))
        }
    }

    /// One of the session's WebSockets closed (the client went away or the server closed it).
    private func webSocketClosedOnLoop(_ transport: WebSocketConnection) {
        self.eventLoop.assertInEventLoop()
        if transport === self.webSocket {
            self.perform(self.stateMachine.webSocketClosed())
        } else if transport === self.probe {
            self.probe = nil
            self.perform(self.stateMachine.probeClosed())
        }
    }

    // MARK: - Actions

    private func perform(_ actions: [EngineIOSessionStateMachine.Action]) {
        for action in actions {
            self.perform(action)
        }
    }

    private func perform(_ action: EngineIOSessionStateMachine.Action) {
        switch action {
        case .respondToPoll(let packets):
            let poll = self.pendingPoll
            self.pendingPoll = nil
            poll?.succeed(packets)
        case .writeToWebSocket(let packets):
            guard let webSocket = self.webSocket else {
                return
            }
            webSocket.send(packets.map { $0.webSocketFrame(version: self.version) })
        case .closeWebSocket:
            self.webSocket?.close()
        case .writeToProbe(let packet):
            self.probe?.send(packet.webSocketFrame(version: self.version))
        case .promoteProbe:
            self.webSocket = self.probe
            self.probe = nil
            self.metrics.sessionUpgraded()
            self.logger.debug("Engine.IO session upgraded to WebSocket")
        case .closeProbe:
            self.probe?.close()
            self.probe = nil
        case .deliver(let message):
            self.handler?.sessionReceived(message)
        case .schedule(let timer, let milliseconds):
            self.timers.removeValue(forKey: timer)?.cancel()
            let scheduled = self.eventLoop.scheduleTask(in: .milliseconds(Int64(milliseconds))) {
                self.timerFired(timer)
            }
            self.timers.set(timer, scheduled)
        case .cancel(let timer):
            self.timers.removeValue(forKey: timer)?.cancel()
        case .notifyClosed(let reason):
            if reason == .outboundBufferFull {
                self.logger.warning(
                    "Dropping a slow client: its outbound buffer is full",
                    metadata: ["engineio.outboundBufferLimit": "\(self.stateMachine.timing.outboundBufferLimit)"]
                )
            } else {
                self.logger.debug("Engine.IO session closed", metadata: ["engineio.reason": "\(reason)"])
            }
            self.metrics.sessionClosed(reason: reason)
            let handler = self.handler
            self.handler = nil
            handler?.sessionClosed(reason: reason)
        case .unregister:
            self.timers.cancelAll()
            self.registry.unregister(id: self.id)
            self.pendingPoll?.succeed([.noop])
            self.pendingPoll = nil
            self.probe?.close()
            self.probe = nil
        }
    }

    // MARK: - Arrival order

    /// A client event, handled in the order it reached the server (docs/engineio-socketio.md#arrival-order).
    enum Arrival {
        case poll(EventLoopPromise<[EngineIOPacket]>)
        case post(EventLoopPromise<EngineIOSessionStateMachine.Refusal?>)
        case probe(WebSocketConnection)
        case message(TextOrBinaryMessage, WebSocketConnection)
        case webSocketClosed(WebSocketConnection)
    }

    /// How long the order waits for a ticket that neither arrives nor is released before it skips it. A safety net:
    /// every path that takes a ticket uses or releases it, within the time it takes a request to reach its route.
    static let arrivalTimeout = TimeAmount.seconds(1)
    /// How many events may wait for their turn; past it the ticket holding them up is skipped at once.
    static let maxWaitingArrivals = 1024

    /// The next place in the order, on any thread, at the moment the server reads an event.
    func takeTicket() -> UInt64 {
        self.tickets.wrappingAdd(1, ordering: .relaxed).oldValue
    }

    /// A place for an HTTP request whose head was just read
    /// (see ``EngineIOServer/reserveArrival(for:remoteAddress:)``).
    func reserveArrival() -> EngineIOArrivalReservation {
        EngineIOArrivalReservation(session: self, ticket: self.takeTicket())
    }

    /// The request of `ticket` will not reach the session; from any thread.
    func releaseArrival(_ ticket: UInt64) {
        self.eventLoop.runOnLoop {
            self.arrivals.release(ticket)
            self.handleReadyArrivals()
        }
    }

    /// An event reached the loop with its ticket (nil: unordered, handled at once).
    private func arrived(_ ticket: UInt64?, _ arrival: Arrival) {
        self.eventLoop.assertInEventLoop()
        guard let ticket else {
            self.handle(arrival)
            return
        }
        if !self.handlingArrivals, self.arrivals.admitAtOnce(ticket) {
            // Its turn, and nothing waits: the common case, without queueing.
            self.handlingArrivals = true
            self.handle(arrival)
            self.handlingArrivals = false
            if self.arrivals.waitingCount > 0 {
                self.handleReadyArrivals()
            }
            return
        }
        self.arrivals.enqueue(ticket, arrival)
        self.handleReadyArrivals()
    }

    /// Handles the events whose turn has come, then arms the safety net for the ticket that holds up the rest.
    private func handleReadyArrivals() {
        guard !self.handlingArrivals else {
            return
        }
        self.handlingArrivals = true
        while true {
            while let arrival = self.arrivals.nextReady() {
                self.handle(arrival)
            }
            guard self.arrivals.waitingCount > Self.maxWaitingArrivals, let stalled = self.arrivals.stalledTicket else {
                break
            }
            self.skipArrival(stalled, why: "too many events wait for it")
        }
        self.handlingArrivals = false
        let stalled = self.arrivals.stalledTicket
        if stalled != self.arrivalTimer?.ticket {
            self.arrivalTimer?.timer.cancel()
            self.arrivalTimer = stalled.map { ticket in
                let timer = self.eventLoop.scheduleTask(in: Self.arrivalTimeout) {
                    self.arrivalTimer = nil
                    self.skipArrival(ticket, why: "timed out")
                    self.handleReadyArrivals()
                }
                return (ticket, timer)
            }
        }
    }

    private func skipArrival(_ ticket: UInt64, why: String) {
        guard self.arrivals.stalledTicket == ticket else {
            return
        }
        self.logger.warning(
            "Skipping an Engine.IO event that never reached the session",
            metadata: ["engineio.arrival": "\(ticket)", "engineio.arrival.reason": "\(why)"]
        )
        self.arrivals.skip(ticket)
    }

    private func handle(_ arrival: Arrival) {
        switch arrival {
        case .poll(let promise):
            promise.completeWith(self.pollArrived())
        case .post(let promise):
            promise.succeed(self.postArrived())
        case .probe(let connection):
            if !self.attachProbe(connection) {
                // Already upgrading or upgraded: accepted, then closed at once.
                connection.close()
            }
        case .message(let message, let connection):
            self.webSocketReceived(message, on: connection)
        case .webSocketClosed(let connection):
            self.webSocketClosedOnLoop(connection)
        }
    }

    private func timerFired(_ timer: EngineIOSessionStateMachine.Timer) {
        self.timers.removeValue(forKey: timer)
        switch timer {
        case .heartbeat:
            self.perform(self.stateMachine.heartbeatTimerFired())
        case .upgradeTimeout:
            self.perform(self.stateMachine.upgradeTimeoutFired())
        case .upgradeNoop:
            self.perform(self.stateMachine.upgradeNoopTimerFired())
        case .closeTimeout:
            self.perform(self.stateMachine.closeTimeoutFired())
        }
    }
}

/// The session's WebSockets report here, on their channel's loop; the session's own loop handles each event (the
/// same loop for a session opened on WebSocket, a hop for a polling session probing an upgrade). A message and a
/// close take their place in the arrival order here, where they are read.
extension EngineIOSession: WebSocketConnectionDelegate {
    public func webSocket(_ connection: WebSocketConnection, received message: TextOrBinaryMessage) {
        let ticket = self.takeTicket()
        if self.eventLoop.inEventLoop {
            self.arrived(ticket, .message(message, connection))
        } else {
            self.eventLoop.execute {
                self.arrived(ticket, .message(message, connection))
            }
        }
    }

    public func webSocketOutboundBufferFull(_ connection: WebSocketConnection) {
        self.eventLoop.runOnLoop {
            if connection === self.webSocket {
                self.perform(self.stateMachine.close(reason: .outboundBufferFull))
            } else if connection === self.probe {
                // Closing it ends the probe (`webSocketClosed`); the session stays on polling.
                connection.close()
            }
        }
    }

    public func webSocketClosed(_ connection: WebSocketConnection) {
        let ticket = self.takeTicket()
        self.eventLoop.runOnLoop {
            self.arrived(ticket, .webSocketClosed(connection))
        }
    }
}

extension EngineIOSession {
    /// The session's scheduled timers. The heartbeat has a slot of its own: it is the only timer of an idle session,
    /// which then keeps no dictionary (whose storage cost every idle session about 130 bytes).
    fileprivate struct Timers {
        private var heartbeat: Scheduled<Void>?
        private var others: [EngineIOSessionStateMachine.Timer: Scheduled<Void>] = [:]

        mutating func set(_ timer: EngineIOSessionStateMachine.Timer, _ scheduled: Scheduled<Void>) {
            if timer == .heartbeat {
                self.heartbeat = scheduled
            } else {
                self.others[timer] = scheduled
            }
        }

        @discardableResult
        mutating func removeValue(forKey timer: EngineIOSessionStateMachine.Timer) -> Scheduled<Void>? {
            if timer == .heartbeat {
                defer { self.heartbeat = nil }
                return self.heartbeat
            }
            return self.others.removeValue(forKey: timer)
        }

        mutating func cancelAll() {
            self.heartbeat?.cancel()
            self.heartbeat = nil
            for scheduled in self.others.values {
                scheduled.cancel()
            }
            self.others.removeAll()
        }
    }
}
