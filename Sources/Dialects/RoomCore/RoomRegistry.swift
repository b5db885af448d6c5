/// The one room core every dialect maps onto: named rooms of members, in join order, with their data.
///
/// A dialect picks what a member key is (A: the client's user id; B: the socket id; C: the client id; D: the socket
/// id in one implicit room), what it stores per member, and whether a member may be in several rooms at once (B
/// allows it, A does not). Pure value type: the dialect owns it behind its lock and turns its answers into
/// deliveries after the lock is released.
public struct RoomRegistry<Member: Sendable>: Sendable {
    var rooms: [String: [(key: String, member: Member)]] = [:]
    var roomsOfKey: [String: [String]] = [:]

    public init() {}

    /// The members of `room` in join order (empty when the room does not exist).
    public func members(of room: String) -> [(key: String, member: Member)] {
        self.rooms[room] ?? []
    }

    /// Every room name.
    public var roomNames: [String] {
        Array(self.rooms.keys)
    }

    /// Whether the room exists (has members).
    public func contains(room: String) -> Bool {
        self.rooms[room] != nil
    }

    /// The rooms a member is in, in join order.
    public func rooms(of key: String) -> [String] {
        self.roomsOfKey[key] ?? []
    }

    /// A member's data (from its first room).
    public func member(_ key: String) -> Member? {
        guard let room = self.roomsOfKey[key]?.first else {
            return nil
        }
        return self.rooms[room]?.first(where: { $0.key == key })?.member
    }

    /// Adds a member to `room` (or replaces its data there). With `exclusive`, the member first leaves every other
    /// room.
    public mutating func join(room: String, key: String, member: Member, exclusive: Bool = true) {
        if exclusive {
            for other in self.rooms(of: key) where other != room {
                self.remove(key, from: other)
            }
        }
        if let index = self.rooms[room]?.firstIndex(where: { $0.key == key }) {
            self.rooms[room]?[index].member = member
        } else {
            self.rooms[room, default: []].append((key, member))
            self.roomsOfKey[key, default: []].append(room)
        }
    }

    /// Changes a member's data in every room it is in.
    public mutating func update(_ key: String, _ change: (inout Member) -> Void) {
        for room in self.rooms(of: key) {
            if let index = self.rooms[room]?.firstIndex(where: { $0.key == key }) {
                change(&self.rooms[room]![index].member)
            }
        }
    }

    /// Removes a member from one room; an empty room disappears.
    @discardableResult
    public mutating func remove(_ key: String, from room: String) -> Member? {
        guard let index = self.rooms[room]?.firstIndex(where: { $0.key == key }),
            let removed = self.rooms[room]?.remove(at: index)
        else {
            return nil
        }
        if self.rooms[room]?.isEmpty == true {
            self.rooms[room] = nil
        }
        self.roomsOfKey[key]?.removeAll { $0 == room }
        if self.roomsOfKey[key]?.isEmpty == true {
            self.roomsOfKey[key] = nil
        }
        return removed.member
    }

    /// Removes a member from every room. Returns its first room and data.
    @discardableResult
    public mutating func remove(_ key: String) -> (room: String, member: Member)? {
        var first: (String, Member)?
        for room in self.rooms(of: key) {
            if let member = self.remove(key, from: room), first == nil {
                first = (room, member)
            }
        }
        return first
    }
}
