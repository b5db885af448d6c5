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
        self.context.events.append(.legacyConnected(socketID: socket.id, pinned: pinned))
        let limiter = Mutex(EventRateLimiter(perSecond: self.context.limits.eventsPerSecond))
        socket.onAny { [self] socket, event, arguments in
            guard limiter.withLock({ $0.admit() }) else {
                self.context.metrics.rateLimited.increment()
                return
            }
            self.context.events.append(.legacyReceived(socketID: socket.id, event: event, arguments: arguments))
        }
        socket.onDisconnect { [self] socket, _ in
            self.context.events.append(.legacyDisconnected(socketID: socket.id))
        }
    }

    /// Applies one of dialects B and D's events from the log.
    func apply(_ event: DialectEvent, origin: DialectEventOrigin) {
        switch event {
        case .legacyConnected(let socketID, let pinned):
            let welcome = self.state.withLock { $0.connected(socketID: socketID, pinned: pinned) }
            self.context.deliver(welcome)
            if pinned != .webRtcRoom, let socket = self.context.namespace.socket(id: socketID) {
                // D's clients get the ICE configuration on connect (B's get it after `created`).
                socket.emit("iceServers", self.context.iceServers(socket.handshake, socketID))
            }
        case .legacyReceived(let socketID, let name, let arguments):
            self.received(event: name, arguments: arguments, from: socketID, counted: origin == .thisNode)
        case .legacyDisconnected(let socketID):
            self.context.deliver(self.state.withLock { $0.disconnected(socketID: socketID) })
        default:
            break
        }
    }

    /// The state as JSON, for a node that joins the cluster.
    var snapshot: JSONValue {
        self.state.withLock { $0.json }
    }

    /// Replaces the state with another node's snapshot; false for JSON that is not one.
    func restore(_ snapshot: JSONValue) -> Bool {
        self.state.withLock { state in
            let size = state.webRtcRoom.maxMembersPerRoom
            guard let restored = LegacyDialectsState(json: snapshot, maxMembersPerRoom: size) else {
                return false
            }
            state = restored
            return true
        }
    }

    /// Empties the state (the node starts over; its sockets are disconnected).
    func reset() {
        self.state.withLock { $0 = LegacyDialectsState(maxMembersPerRoom: $0.webRtcRoom.maxMembersPerRoom) }
    }

    /// One event; `counted` when its socket is this node's, whose metrics count it.
    private func received(event: String, arguments: [JSONValue], from socketID: String, counted: Bool) {
        let (outcome, decided) = self.state.withLock {
            $0.received(event: event, arguments: arguments, from: socketID)
        }
        if counted {
            switch decided {
            case .webRtcRoom: self.context.metrics.connections[.webrtcroom]?.increment()
            case .socketIM: self.context.metrics.connections[.socketim]?.increment()
            case .undecided, nil: break
            }
        }
        switch outcome {
        case .webRtcRoom(let outcome):
            if outcome.dropped && counted {
                self.context.metrics.dropped.increment()
            }
            self.context.deliver(outcome.deliveries)
            if outcome.sendICEServers, let socket = self.context.namespace.socket(id: socketID) {
                socket.emit("iceServers", self.context.iceServers(socket.handshake, socketID))
            }
        case .socketIM(let deliveries):
            guard let deliveries else {
                if counted {
                    self.context.metrics.dropped.increment()
                }
                return
            }
            self.context.deliver(deliveries)
        }
    }
}
