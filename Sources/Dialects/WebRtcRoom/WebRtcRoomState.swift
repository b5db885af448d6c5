import SocketIOCodec

/// Dialect B, "WebRtcRoomServer" (docs/dialects.md#webrtcroom), as a pure state machine. Signaling payloads are
/// forwarded verbatim (parsed and re-serialized as JavaScript would, which is what socket.io 2 did), rooms are the
/// dialect's own (so a room named like a socket id is just a room, docs/dialects.md#webrtcroom-rooms), and there are no
/// errors: bad input is dropped and counted.
///
/// Unlike the original, which relayed to any connected socket and took `from` on trust, `offer`, `answer` and
/// `candidate` reach only a socket that shares a room with the sender, and they and `exit` must name the sender as
/// `from` (the id its `created` gave it, which is what every original client sends), so no one speaks for another
/// socket; an `exit` is told only to the room the sender was in.
public struct WebRtcRoomState: Sendable {
    /// Live sockets of this dialect (an undecided Engine.IO v3 socket joins them with its `createAndJoinRoom`).
    var sockets: [String] = []
    var rooms = RoomRegistry<Void>()
    public var maxMembersPerRoom: Int

    public init(maxMembersPerRoom: Int = 0) {
        self.maxMembersPerRoom = maxMembersPerRoom
    }

    /// The outcome of one event.
    public struct Outcome: Sendable, Equatable {
        public var deliveries: [SignalingDelivery] = []
        /// The event was not understood or not valid: dropped.
        public var dropped = false
        /// Send `iceServers` to the sender (after `created`).
        public var sendICEServers = false
    }

    public mutating func connected(socketID: String) {
        if !self.sockets.contains(socketID) {
            self.sockets.append(socketID)
        }
    }

    /// A disconnect leaves every room and tells every other socket `exit {from, room:""}` (the original's
    /// `socket.broadcast.emit`).
    public mutating func disconnected(socketID: String) -> [SignalingDelivery] {
        guard let index = self.sockets.firstIndex(of: socketID) else {
            return []
        }
        self.sockets.remove(at: index)
        self.rooms.remove(socketID)
        return self.sockets.map { SignalingDelivery(to: $0, event: "exit", ["from": .string(socketID), "room": ""]) }
    }

    public mutating func received(event: String, arguments: [JSONValue], from socketID: String) -> Outcome {
        let payload = arguments.first ?? .null
        switch event {
        case "createAndJoinRoom":
            guard let room = payload["room"]?.stringValue else {
                return Outcome(dropped: true)
            }
            let members = self.rooms.members(of: room).map(\.key).filter { $0 != socketID }
            if self.maxMembersPerRoom > 0 && members.count >= self.maxMembersPerRoom {
                return Outcome(dropped: true)
            }
            var outcome = Outcome()
            for member in members {
                outcome.deliveries.append(
                    SignalingDelivery(to: member, event: "joined", ["id": .string(socketID), "room": .string(room)])
                )
            }
            outcome.deliveries.append(
                SignalingDelivery(
                    to: socketID,
                    event: "created",
                    [
                        "id": .string(socketID), "room": .string(room),
                        "peers": .array(members.map { ["id": .string($0)] }),
                    ]
                )
            )
            self.rooms.join(room: room, key: socketID, member: (), exclusive: false)
            outcome.sendICEServers = true
            return outcome
        case "offer", "answer", "candidate":
            guard payload["from"]?.stringValue == socketID, let target = payload["to"]?.stringValue,
                self.sharesRoom(socketID, with: target)
            else {
                return Outcome(dropped: true)
            }
            return Outcome(deliveries: [SignalingDelivery(to: target, event: event, payload)])
        case "exit":
            guard let room = payload["room"]?.stringValue, self.rooms.remove(socketID, from: room) != nil else {
                return Outcome(dropped: true)
            }
            guard payload["from"]?.stringValue == socketID else {
                return Outcome(dropped: true)  // It leaves, but tells no one that another socket left.
            }
            return Outcome(
                deliveries: self.rooms.members(of: room).map { SignalingDelivery(to: $0.key, event: "exit", payload) }
            )
        default:
            return Outcome(dropped: true)
        }
    }

    /// Whether two sockets are members of one room.
    private func sharesRoom(_ socketID: String, with other: String) -> Bool {
        let rooms = self.rooms.rooms(of: other)
        return self.rooms.rooms(of: socketID).contains { rooms.contains($0) }
    }
}
