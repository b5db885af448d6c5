import CoreMetrics
import Logging
import SignalingServer
import SocketIOCodec
import Synchronization

/// The Engine.IO v3 dialects, B (WebRtcRoomServer) and D (socketIM), which share a protocol revision and tell
/// themselves apart by their first signaling event: `createAndJoinRoom` is B, `offer`, `answer`,
/// `_ice_candidate` or `wav` is D. Until then a socket counts in D only (a D callee speaks only after the offer
/// reached it) and hears nothing of B, see ``LegacyDialectsState``; it gets D's welcome `message` and the
/// `iceServers` event on connect, which B's clients ignore.
final class LegacyDialects: Sendable {
    typealias Choice = LegacyDialectsState.Choice

    private let context: DialectContext
    private let state: Mutex<LegacyDialectsState>

    init(context: DialectContext) {
        self.context = context
        self.state = Mutex(LegacyDialectsState(maxMembersPerRoom: context.configuration.maxMembersPerRoom))
    }

    /// Sets the room size of dialect B for the joins that follow (0 is unlimited).
    func setMaxMembersPerRoom(_ limit: Int) {
        self.state.withLock { $0.setMaxMembersPerRoom(limit) }
    }

    /// Serves one Engine.IO v3 socket; `pinned` fixes the dialect (configuration), otherwise it is decided by the
    /// first event.
    func attach(_ socket: SocketIOSocket, pinned: Choice = .undecided) {
        let welcome = self.state.withLock { $0.connected(socketID: socket.id, pinned: pinned) }
        self.context.deliver(welcome)
        if pinned != .webRtcRoom {
            // D's clients get the ICE configuration on connect (B's get it after `created`).
            socket.emit("iceServers", self.context.iceServers(socket.handshake, socket.id))
        }
        let limiter = Mutex(EventRateLimiter(perSecond: self.context.limits.eventsPerSecond))
        socket.onAny { [self] socket, event, arguments in
            guard limiter.withLock({ $0.admit() }) else {
                self.context.metrics.rateLimited.increment()
                return
            }
            self.received(event: event, arguments: arguments, from: socket)
        }
        socket.onDisconnect { [self] socket, _ in
            let deliveries = self.state.withLock { $0.disconnected(socketID: socket.id) }
            self.context.deliver(deliveries)
        }
    }

    private func received(event: String, arguments: [JSONValue], from socket: SocketIOSocket) {
        let (outcome, decided) = self.state.withLock {
            $0.received(event: event, arguments: arguments, from: socket.id)
        }
        switch decided {
        case .webRtcRoom: self.context.metrics.connections[.webrtcroom]?.increment()
        case .socketIM: self.context.metrics.connections[.socketim]?.increment()
        case .undecided, nil: break
        }
        switch outcome {
        case .webRtcRoom(let outcome):
            if outcome.dropped {
                self.context.metrics.dropped.increment()
            }
            self.context.deliver(outcome.deliveries)
            if outcome.sendICEServers {
                socket.emit("iceServers", self.context.iceServers(socket.handshake, socket.id))
            }
        case .socketIM(let deliveries):
            guard let deliveries else {
                self.context.metrics.dropped.increment()
                return
            }
            self.context.deliver(deliveries)
        }
    }
}
