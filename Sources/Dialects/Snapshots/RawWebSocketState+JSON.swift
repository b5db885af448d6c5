import SocketIOCodec

extension RawWebSocketState {
    /// Dialect C's clients as JSON, for a cluster snapshot.
    var json: JSONValue {
        [
            "clients": self.clients.json { ["id": .string($0.id), "nick": .string($0.nick)] },
            "connectionOfID": .map(self.connectionOfID),
            "replaced": .strings(self.replaced.sorted()),
        ]
    }

    /// The state of ``json``; `nil` for anything else.
    init?(json: JSONValue) {
        guard let clientsJSON = json["clients"],
            let clients = RoomRegistry<Client>(
                json: clientsJSON,
                member: { member in
                    guard let id = member["id"]?.stringValue, let nick = member["nick"]?.stringValue else {
                        return nil
                    }
                    return Client(id: id, nick: nick)
                }
            ),
            let connectionOfID = json["connectionOfID"]?.stringMap, let replaced = json["replaced"]?.strings
        else {
            return nil
        }
        self.init()
        self.clients = clients
        self.connectionOfID = connectionOfID
        self.replaced = Set(replaced)
    }
}
