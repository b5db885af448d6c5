import SocketIOCodec

extension RoomRegistry {
    /// The registry as JSON, for a cluster snapshot: `{"rooms": {room: [[key, member], …]}, "roomsOfKey": {key:
    /// [room, …]}}`, both in join order.
    func json(member: (Member) -> JSONValue) -> JSONValue {
        let rooms = self.rooms.sorted { $0.key < $1.key }.map { room, members in
            (room, JSONValue.array(members.map { .array([.string($0.key), member($0.member)]) }))
        }
        let roomsOfKey = self.roomsOfKey.sorted { $0.key < $1.key }.map { key, rooms in
            (key, JSONValue.array(rooms.map(JSONValue.string)))
        }
        return .object(["rooms": .object(JSONObject(rooms)), "roomsOfKey": .object(JSONObject(roomsOfKey))])
    }

    /// The registry of ``json(member:)``; `nil` for anything else.
    init?(json: JSONValue, member: (JSONValue) -> Member?) {
        guard case .object(let rooms)? = json["rooms"], case .object(let roomsOfKey)? = json["roomsOfKey"] else {
            return nil
        }
        self.init()
        for room in rooms.members {
            guard case .array(let entries) = room.value else {
                return nil
            }
            for entry in entries {
                guard let key = entry[0]?.stringValue, let value = entry[1].flatMap(member) else {
                    return nil
                }
                self.rooms[room.key, default: []].append((key, value))
            }
        }
        for key in roomsOfKey.members {
            guard let names = key.value.arrayValue?.compactMap(\.stringValue) else {
                return nil
            }
            self.roomsOfKey[key.key] = names
        }
    }
}

extension JSONValue {
    /// A list of strings as JSON.
    public static func strings(_ values: some Sequence<String>) -> JSONValue {
        .array(values.map(JSONValue.string))
    }

    /// The strings of a JSON array of strings; `nil` when it is not one.
    public var strings: [String]? {
        guard let values = self.arrayValue else {
            return nil
        }
        let strings = values.compactMap(\.stringValue)
        return strings.count == values.count ? strings : nil
    }

    /// A string-to-string map as a JSON object.
    static func map(_ values: [String: String]) -> JSONValue {
        .object(JSONObject(values.sorted { $0.key < $1.key }.map { ($0.key, .string($0.value)) }))
    }

    /// The string-to-string map of a JSON object; `nil` when it is not one.
    var stringMap: [String: String]? {
        guard case .object(let object) = self else {
            return nil
        }
        var map: [String: String] = [:]
        for member in object.members {
            guard let value = member.value.stringValue else {
                return nil
            }
            map[member.key] = value
        }
        return map
    }
}
