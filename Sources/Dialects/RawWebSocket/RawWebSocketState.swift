import SocketIOCodec

/// Dialect C, the raw-WebSocket blog server (docs/dialects.md#rawws, unverified: no source was found), as a pure
/// state machine over one JSON object per text frame. It implements the evident intent (docs/dialects.md#rawws): `join`
/// registers `id` and `nick`; `offer` goes to every other registered client; `answer` and `icecandidate` go to
/// `receiverId`; `leave`, or closing the socket, tells everyone `{type:"leave", payload:{id, nick}}`. Forwarded
/// messages carry the sender's `id` and `nick`. There are no rooms and no error messages: bad input is dropped and
/// counted.
///
/// An id belongs to one connection at a time, as in the original's map keyed by id: a `join` with an id that another
/// connection holds takes it over (a reconnecting client), and the older connection is to be closed at once
/// (``Outcome/close``); from then on its frames are ignored and its close tells nobody anything, since the id lives
/// on. Ids are not authenticated: whoever names an id gets it.
public struct RawWebSocketState: Sendable {
    struct Client: Sendable {
        var id: String
        var nick: String
    }

    /// Registered clients by connection, in join order (the one implicit room of the room core).
    var clients = RoomRegistry<Client>()
    /// The connection holding each registered id.
    var connectionOfID: [String: String] = [:]
    /// Connections whose id a newer connection took over, until they are closed.
    var replaced: Set<String> = []
    static let room = ""

    public init() {}

    /// The outcome of one frame: messages to send (`event` is unused, `arguments[0]` is the JSON object) and
    /// whether the frame was dropped.
    public struct Outcome: Sendable, Equatable {
        public var deliveries: [SignalingDelivery] = []
        public var dropped = false
        /// Send the `{"type":"iceServers",...}` message to the sender (after `join`).
        public var sendICEServers = false
        /// Connections whose id this frame's sender took over: close them now, with a close frame.
        public var close: [String] = []
    }

    public mutating func received(text: String, from connection: String) -> Outcome {
        guard !self.replaced.contains(connection), let message = try? JSONValue(parsing: text),
            case .object(var object) = message, let type = object["type"]?.stringValue
        else {
            return Outcome(dropped: true)
        }
        switch type {
        case "join":
            guard let id = message["id"]?.stringValue ?? message["payload"]?["id"]?.stringValue else {
                return Outcome(dropped: true)
            }
            let nick = message["nick"]?.stringValue ?? message["payload"]?["nick"]?.stringValue ?? ""
            return self.join(id: id, nick: nick, from: connection)
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
            guard let receiver = message["receiverId"]?.stringValue, let target = self.connectionOfID[receiver] else {
                return Outcome(dropped: true)
            }
            return Outcome(deliveries: [SignalingDelivery(to: target, event: "message", forwarded)])
        default:
            return Outcome(dropped: true)
        }
    }

    /// `join {id, nick}`: registers the connection under `id`, taking the id over from a connection that holds it;
    /// a connection that changes its id leaves under the old one.
    private mutating func join(id: String, nick: String, from connection: String) -> Outcome {
        var outcome = Outcome(sendICEServers: true)
        if let holder = self.connectionOfID[id], holder != connection {
            self.clients.remove(holder)
            self.replaced.insert(holder)
            outcome.close = [holder]
        }
        if let previous = self.clients.member(connection), previous.id != id {
            outcome.deliveries = self.closed(connection: connection)
        }
        self.clients.join(room: Self.room, key: connection, member: Client(id: id, nick: nick))
        self.connectionOfID[id] = connection
        return outcome
    }

    /// The connection closed (or sent `leave`): everyone else gets `{type:"leave", payload:{id, nick}}`; a connection
    /// whose id was taken over leaves silently.
    public mutating func closed(connection: String) -> [SignalingDelivery] {
        if self.replaced.remove(connection) != nil {
            return []
        }
        guard let (_, client) = self.clients.remove(connection) else {
            return []
        }
        self.connectionOfID[client.id] = nil
        let leave: JSONValue = ["type": "leave", "payload": ["id": .string(client.id), "nick": .string(client.nick)]]
        return self.clients.members(of: Self.room).map { SignalingDelivery(to: $0.key, event: "message", leave) }
    }
}
