import SocketIOCodec

extension LegacyDialectsState {
    /// Dialects B and D as JSON, for a cluster snapshot (B's room size is each node's own setting).
    var json: JSONValue {
        let choices = self.choices.sorted { $0.key < $1.key }.map { ($0.key, JSONValue.string($0.value.tag)) }
        return [
            "choices": .object(JSONObject(choices)),
            "webRtcRoom": [
                "sockets": .strings(self.webRtcRoom.sockets), "rooms": self.webRtcRoom.rooms.json { _ in .null },
            ],
            "socketIM": ["sockets": .strings(self.socketIM.sockets)],
        ]
    }

    /// The state of ``json`` with this node's room size for B; `nil` for anything else.
    init?(json: JSONValue, maxMembersPerRoom: Int) {
        guard case .object(let choices)? = json["choices"], let webRtcRoom = json["webRtcRoom"],
            let webRtcSockets = webRtcRoom["sockets"]?.strings, let roomsJSON = webRtcRoom["rooms"],
            let rooms = RoomRegistry<Void>(json: roomsJSON, member: { _ in () }),
            let socketIMSockets = json["socketIM"]?["sockets"]?.strings
        else {
            return nil
        }
        self.init(maxMembersPerRoom: maxMembersPerRoom)
        for choice in choices.members {
            guard let choice = choice.value.stringValue.flatMap(Choice.init(tag:)).map({ (choice.key, $0) }) else {
                return nil
            }
            self.choices[choice.0] = choice.1
        }
        self.webRtcRoom.sockets = webRtcSockets
        self.webRtcRoom.rooms = rooms
        self.socketIM.sockets = socketIMSockets
    }
}

extension LegacyDialectsState.Choice {
    /// The choice's one-letter name in the event log and snapshots.
    var tag: String {
        switch self {
        case .undecided: "u"
        case .webRtcRoom: "b"
        case .socketIM: "d"
        }
    }

    init?(tag: String) {
        switch tag {
        case "u": self = .undecided
        case "b": self = .webRtcRoom
        case "d": self = .socketIM
        default: return nil
        }
    }
}
