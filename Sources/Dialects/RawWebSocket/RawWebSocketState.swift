import SocketIOCodec

/// Dialect C, the raw-WebSocket blog server (seed-protocols.md §4, unverified: no source was found), as a pure
/// state machine over one JSON object per text frame. It implements the evident intent (§6.15): `join` registers
/// `id` and `nick`; `offer` goes to every other registered client; `answer` and `icecandidate` go to `receiverId`;
/// `leave`, or closing the socket, tells everyone `{type:"leave", payload:{id, nick}}`. Forwarded messages carry the
/// sender's `id` and `nick`. There are no rooms and no error messages: bad input is dropped and counted.
public struct RawWebSocketState: Sendable {
    struct Client: Sendable {
        var id: String
        var nick: String
    }

    /// Registered clients by connection, in join order (the one implicit room of the room core).
    private(set) var clients = RoomRegistry<Client>()
    static let room = ""

    public init() {}

    /// The outcome of one frame: messages to send (`event` is unused, `arguments[0]` is the JSON object) and
    /// whether the frame was dropped.
    public struct Outcome: Sendable, Equatable {
        public var deliveries: [SignalingDelivery] = []
        public var dropped = false
        /// Send the `{"type":"iceServers",...}` message to the sender (after `join`).
        public var sendICEServers = false
    }

    public mutating func received(text: String, from connection: String) -> Outcome {
        guard let message = try? JSONValue(parsing: text), case .object(var object) = message,
            let type = object["type"]?.stringValue
        else {
            return Outcome(dropped: true)
        }
        switch type {
        case "join":
            guard let id = message["id"]?.stringValue ?? message["payload"]?["id"]?.stringValue else {
                return Outcome(dropped: true)
            }
            let nick = message["nick"]?.stringValue ?? message["payload"]?["nick"]?.stringValue ?? ""
            self.clients.join(room: Self.room, key: connection, member: Client(id: id, nick: nick))
            return Outcome(sendICEServers: true)
        case "leave":
            return Outcome(deliveries: self.closed(connection: connection))
        case "offer", "answer", "icecandidate":
            guard let sender = self.clients.member(connection) else {
                return Outcome(dropped: true)
            }
            object["id"] = .string(sender.id)
            object["nick"] = .string(sender.nick)
            let forwarded = JSONValue.object(object)
            if type == "offer" {
                return Outcome(
                    deliveries: self.clients.members(of: Self.room).filter { $0.key != connection }.map {
                        SignalingDelivery(to: $0.key, event: "message", forwarded)
                    }
                )
            }
            guard let receiver = message["receiverId"]?.stringValue,
                let target = self.clients.members(of: Self.room).first(where: { $0.member.id == receiver })
            else {
                return Outcome(dropped: true)
            }
            return Outcome(deliveries: [SignalingDelivery(to: target.key, event: "message", forwarded)])
        default:
            return Outcome(dropped: true)
        }
    }

    /// The connection closed (or sent `leave`): everyone else gets `{type:"leave", payload:{id, nick}}`.
    public mutating func closed(connection: String) -> [SignalingDelivery] {
        guard let (_, client) = self.clients.remove(connection) else {
            return []
        }
        let leave: JSONValue = ["type": "leave", "payload": ["id": .string(client.id), "nick": .string(client.nick)]]
        return self.clients.members(of: Self.room).map { SignalingDelivery(to: $0.key, event: "message", leave) }
    }
}
