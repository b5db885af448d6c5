import SocketIOCodec

extension ChatroomState {
    /// The rooms, users and sockets as JSON, for a cluster snapshot (the room size is each node's own setting).
    var json: JSONValue {
        let clients = self.clients.sorted { $0.key < $1.key }.map { socket, user in
            (socket, user.map(JSONValue.string) ?? .null)
        }
        return .object(["clients": .object(JSONObject(clients)), "rooms": self.rooms.json(member: \.json)])
    }

    /// The state of ``json`` with this node's room size; `nil` for anything else.
    init?(json: JSONValue, maxMembersPerRoom: Int) {
        guard case .object(let clients)? = json["clients"], let roomsJSON = json["rooms"],
            let rooms = RoomRegistry(json: roomsJSON, member: User.init(json:))
        else {
            return nil
        }
        self.init(maxMembersPerRoom: maxMembersPerRoom)
        for client in clients.members {
            switch client.value {
            case .null: self.clients[client.key] = .some(nil)
            case .string(let user): self.clients[client.key] = user
            default: return nil
            }
        }
        self.rooms = rooms
    }
}

extension ChatroomState.User {
    var json: JSONValue {
        let peers = self.peers.sorted { $0.key < $1.key }.map { type, connectors in
            (type, JSONValue.array(connectors.map { .strings([$0.connectorID, $0.socketID]) }))
        }
        return [
            "id": .string(self.id), "username": .string(self.username), "roomname": .string(self.roomname),
            "socketID": .string(self.socketID), "peers": .object(JSONObject(peers)),
        ]
    }

    init?(json: JSONValue) {
        guard let id = json["id"]?.stringValue, let username = json["username"]?.stringValue,
            let roomname = json["roomname"]?.stringValue, let socketID = json["socketID"]?.stringValue,
            case .object(let peers)? = json["peers"]
        else {
            return nil
        }
        self.init(id: id, username: username, roomname: roomname, socketID: socketID)
        for type in peers.members {
            guard let connectors = type.value.arrayValue else {
                return nil
            }
            for connector in connectors {
                guard let pair = connector.strings, pair.count == 2 else {
                    return nil
                }
                self.peers[type.key, default: []].append((pair[0], pair[1]))
            }
        }
    }
}
