import CoreMetrics
import Logging
import SignalingServer
import SocketIOCodec
import Synchronization

/// The Engine.IO v3 dialects, B (WebRtcRoomServer) and D (socketIM), which share a protocol revision and tell
/// themselves apart by their first signaling event: `createAndJoinRoom` is B, `offer`, `answer`,
/// `_ice_candidate` or `wav` is D. Until then a socket counts in both (D's broadcasts and B's disconnect `exit`
/// reach it), and it gets D's welcome `message` and the `iceServers` event on connect, which B's clients ignore.
final class LegacyDialects: Sendable {
    enum Choice: Sendable {
        case undecided
        case webRtcRoom
        case socketIM
    }

    private struct State {
        var webRtcRoom: WebRtcRoomState
        var socketIM = SocketIMState()
        var choices: [String: Choice] = [:]
    }

    private let context: DialectContext
    private let state: Mutex<State>

    init(context: DialectContext) {
        self.context = context
        self.state = Mutex(
            State(webRtcRoom: WebRtcRoomState(maxMembersPerRoom: context.configuration.maxMembersPerRoom))
        )
    }

    /// Serves one Engine.IO v3 socket; `pinned` fixes the dialect (configuration), otherwise it is decided by the
    /// first event.
    func attach(_ socket: SocketIOSocket, pinned: Choice = .undecided) {
        let welcome = self.state.withLock { state -> [SignalingDelivery] in
            state.choices[socket.id] = pinned
            switch pinned {
            case .undecided:
                state.webRtcRoom.connected(socketID: socket.id)
                return state.socketIM.connected(socketID: socket.id)
            case .webRtcRoom:
                state.webRtcRoom.connected(socketID: socket.id)
                return []
            case .socketIM:
                return state.socketIM.connected(socketID: socket.id)
            }
        }
        self.context.deliver(welcome)
        if pinned != .webRtcRoom {
            // D's clients get the ICE configuration on connect (B's get it after `created`).
            socket.emit("iceServers", self.context.iceServers(socket.handshake, socket.id))
        }
        let limiter = Mutex(EventRateLimiter(perSecond: self.context.configuration.eventsPerSecond))
        socket.onAny { [self] socket, event, arguments in
            guard limiter.withLock({ $0.admit() }) else {
                self.context.metrics.rateLimited.increment()
                return
            }
            self.received(event: event, arguments: arguments, from: socket)
        }
        socket.onDisconnect { [self] socket, _ in
            let deliveries = self.state.withLock { state -> [SignalingDelivery] in
                let choice = state.choices.removeValue(forKey: socket.id)
                state.socketIM.disconnected(socketID: socket.id)
                if choice == .socketIM {
                    return []
                }
                return state.webRtcRoom.disconnected(socketID: socket.id)
            }
            self.context.deliver(deliveries)
        }
    }

    private func received(event: String, arguments: [JSONValue], from socket: SocketIOSocket) {
        enum Result {
            case webRtcRoom(WebRtcRoomState.Outcome)
            case socketIM([SignalingDelivery]?)
        }
        let result = self.state.withLock { state -> Result in
            var choice = state.choices[socket.id] ?? .undecided
            if choice == .undecided {
                switch event {
                case "createAndJoinRoom":
                    choice = .webRtcRoom
                    state.socketIM.disconnected(socketID: socket.id)
                    self.context.metrics.connections[.webrtcroom]?.increment()
                case "offer", "answer", "_ice_candidate", "wav":
                    choice = .socketIM
                    state.webRtcRoom.forget(socketID: socket.id)
                    self.context.metrics.connections[.socketim]?.increment()
                default:
                    return .socketIM(nil)
                }
                state.choices[socket.id] = choice
            }
            switch choice {
            case .webRtcRoom, .undecided:
                return .webRtcRoom(state.webRtcRoom.received(event: event, arguments: arguments, from: socket.id))
            case .socketIM:
                return .socketIM(state.socketIM.received(event: event, arguments: arguments, from: socket.id))
            }
        }
        switch result {
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
