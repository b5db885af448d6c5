import CoreMetrics
import Logging
import NIOConcurrencyHelpers
import NIOCore
import SignalingServer
import SocketIOCodec
import Synchronization

/// Dialect A bound to a Socket.IO namespace: feeds each socket's events to ``ChatroomState`` under a lock, then
/// performs the deliveries and timers it returns, outside the lock.
public final class ChatroomDialect: Sendable {
    private let context: DialectContext
    private let state: Mutex<ChatroomState>
    private let graceTimers = Mutex<[String: Scheduled<Void>]>([:])

    init(context: DialectContext) {
        self.context = context
        self.state = Mutex(ChatroomState(maxMembersPerRoom: context.configuration.maxMembersPerRoom))
    }

    /// Rooms and members' names, for the status page.
    public var roomSummary: [(room: String, members: [String])] {
        self.state.withLock { $0.roomSummary }
    }

    /// `GET /checkUsername?username=&roomname=`.
    public func isRepeat(username: String, roomname: String) -> Bool {
        self.state.withLock { $0.isRepeat(username: username, roomname: roomname) }
    }

    /// Sets the room size for the joins that follow (0 is unlimited).
    func setMaxMembersPerRoom(_ limit: Int) {
        self.state.withLock { $0.maxMembersPerRoom = limit }
    }

    /// Serves one socket in dialect A.
    func attach(_ socket: SocketIOSocket) {
        self.state.withLock { $0.connected(socketID: socket.id) }
        let limiter = Mutex(EventRateLimiter(perSecond: self.context.limits.eventsPerSecond))
        socket.onAny { [self] socket, event, arguments in
            guard limiter.withLock({ $0.admit() }) else {
                self.context.metrics.rateLimited.increment()
                socket.emit("error", ["type": "rateLimited", "message": "too many events"])
                return
            }
            let effects = self.state.withLock { $0.received(event: event, arguments: arguments, from: socket.id) }
            self.perform(effects, origin: socket)
        }
        socket.onDisconnect { [self] socket, _ in
            let effects = self.state.withLock { $0.disconnected(socketID: socket.id) }
            self.perform(effects, origin: socket)
        }
    }

    private func perform(_ effects: [ChatroomState.Effect], origin: SocketIOSocket) {
        for effect in effects {
            switch effect {
            case .deliver(let delivery):
                if delivery.event == "error" {
                    self.context.metrics.errors.increment()
                }
                self.context.namespace.socket(id: delivery.to)?.emit(delivery.event, delivery.arguments)
            case .sendICEServers(let socketID):
                // The TURN identity is the session, not the name a client picked: any number of clients can pick
                // one, so it would not bound what one client holds.
                self.context.namespace.socket(id: socketID)?.emit(
                    "iceServers",
                    self.context.iceServers(origin.handshake, socketID)
                )
            case .startGrace(let userID, let socketID):
                let scheduled = origin.eventLoop.scheduleTask(in: self.context.configuration.chatroomGrace) { [self] in
                    self.graceTimers.withLock { timers in
                        if timers[userID] != nil {
                            timers[userID] = nil
                        }
                    }
                    let effects = self.state.withLock { $0.graceExpired(userID: userID, socketID: socketID) }
                    self.perform(effects, origin: origin)
                }
                let previous = self.graceTimers.withLock { timers in
                    defer { timers[userID] = scheduled }
                    return timers[userID]
                }
                previous?.cancel()
            case .cancelGrace(let userID):
                self.graceTimers.withLock { $0.removeValue(forKey: userID) }?.cancel()
            }
        }
    }
}
