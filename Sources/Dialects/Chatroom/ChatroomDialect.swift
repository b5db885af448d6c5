import CoreMetrics
import Logging
import NIOCore
import SignalingServer
import SocketIOCodec
import Synchronization

/// Dialect A bound to a Socket.IO namespace: appends each socket's events to the event log, and applies the log's
/// events to ``ChatroomState`` under a lock, then performs the deliveries and timers it returns, outside the lock.
public final class ChatroomDialect: Sendable {
    private let context: DialectContext
    private let state: Mutex<ChatroomState>
    private let graceTimers = Mutex<[String: Task<Void, Never>]>([:])

    init(context: DialectContext) {
        self.context = context
        self.state = Mutex(ChatroomState(maxMembersPerRoom: context.configuration.maxMembersPerRoom))
    }

    /// Rooms and members' names, for the status page.
    public var roomSummary: [(room: String, members: [String])] {
        self.state.withLock { $0.roomSummary }
    }

    /// `GET /checkUsername?username=&roomname=`: in a cluster, over the members of every node.
    public func isRepeat(username: String, roomname: String) -> Bool {
        self.state.withLock { $0.isRepeat(username: username, roomname: roomname) }
    }

    /// Sets the room size for the joins that follow (0 is unlimited).
    func setMaxMembersPerRoom(_ limit: Int) {
        self.state.withLock { $0.maxMembersPerRoom = limit }
    }

    /// Serves one socket in dialect A.
    func attach(_ socket: SocketIOSocket) {
        self.context.events.append(.chatroomConnected(socketID: socket.id))
        let limiter = Mutex(EventRateLimiter(perSecond: self.context.limits.eventsPerSecond))
        socket.onAny { [self] socket, event, arguments in
            guard limiter.withLock({ $0.admit() }) else {
                self.context.metrics.rateLimited.increment()
                socket.emit("error", ["type": "rateLimited", "message": "too many events"])
                return
            }
            self.context.events.append(.chatroomReceived(socketID: socket.id, event: event, arguments: arguments))
        }
        socket.onDisconnect { [self] socket, _ in
            self.context.events.append(.chatroomDisconnected(socketID: socket.id))
        }
    }

    /// Applies one of dialect A's events from the log.
    func apply(_ event: DialectEvent, origin: DialectEventOrigin) {
        let effects: [ChatroomState.Effect]
        switch event {
        case .chatroomConnected(let socketID):
            self.state.withLock { $0.connected(socketID: socketID) }
            return
        case .chatroomReceived(let socketID, let name, let arguments):
            effects = self.state.withLock { $0.received(event: name, arguments: arguments, from: socketID) }
        case .chatroomDisconnected(let socketID):
            effects = self.state.withLock { $0.disconnected(socketID: socketID) }
        case .chatroomGraceExpired(let userID, let socketID):
            effects = self.state.withLock { $0.graceExpired(userID: userID, socketID: socketID) }
        default:
            return
        }
        // The node whose client caused the event runs its timers; a departure the cluster decided, every node.
        self.perform(effects, runsTimers: origin != .otherNode)
    }

    /// The state as JSON, for a node that joins the cluster.
    var snapshot: JSONValue {
        self.state.withLock { $0.json }
    }

    /// Replaces the state with another node's snapshot; false for JSON that is not one.
    func restore(_ snapshot: JSONValue) -> Bool {
        self.state.withLock { state in
            guard let restored = ChatroomState(json: snapshot, maxMembersPerRoom: state.maxMembersPerRoom) else {
                return false
            }
            state = restored
            return true
        }
    }

    /// Empties the state and stops the grace timers (the node starts over; its sockets are disconnected).
    func reset() {
        self.state.withLock { $0 = ChatroomState(maxMembersPerRoom: $0.maxMembersPerRoom) }
        let timers = self.graceTimers.withLock { timers in
            defer { timers = [:] }
            return timers.values
        }
        for timer in timers {
            timer.cancel()
        }
    }

    private func perform(_ effects: [ChatroomState.Effect], runsTimers: Bool) {
        for effect in effects {
            switch effect {
            case .deliver(let delivery):
                guard let socket = self.context.namespace.socket(id: delivery.to) else {
                    continue
                }
                if delivery.event == "error" {
                    self.context.metrics.errors.increment()
                }
                socket.emit(delivery.event, delivery.arguments)
            case .sendICEServers(let socketID):
                // The TURN identity is the session, not the name a client picked: any number of clients can pick
                // one, so it would not bound what one client holds.
                if let socket = self.context.namespace.socket(id: socketID) {
                    socket.emit("iceServers", self.context.iceServers(socket.handshake, socketID))
                }
            case .startGrace(let userID, let socketID):
                guard runsTimers else {
                    continue
                }
                self.startGrace(userID: userID, socketID: socketID)
            case .cancelGrace(let userID):
                self.graceTimers.withLock { $0.removeValue(forKey: userID) }?.cancel()
            }
        }
    }

    private func startGrace(userID: String, socketID: String) {
        let grace = self.context.configuration.chatroomGrace
        let task = Task { [self] in
            guard (try? await Task.sleep(for: .nanoseconds(grace.nanoseconds))) != nil else {
                return
            }
            self.graceTimers.withLock { _ = $0.removeValue(forKey: userID) }
            self.context.events.append(.chatroomGraceExpired(userID: userID, socketID: socketID))
        }
        let previous = self.graceTimers.withLock { timers in
            defer { timers[userID] = task }
            return timers[userID]
        }
        previous?.cancel()
    }
}
