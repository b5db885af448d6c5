import Synchronization

/// The sockets of one namespace and their rooms (socket.io-adapter `in-memory-adapter.ts`: `rooms` and `sids`).
///
/// Sockets of a namespace live on different event loops, and any of them may broadcast to a room, so the directory
/// is shared; a `Mutex` guards it and is held only to read or update the maps, never while a packet is written.
/// Every socket is in the room named after its own id (Socket.IO v5 §"Rooms"; socket.io 2 did the same), so
/// `to(socketID)` reaches one socket and `except(socketID)` leaves one out. That room is implied rather than stored
/// (a set and a map entry fewer per idle socket): a connected socket is in it until it leaves it.
final class RoomDirectory: Sendable {
    private struct State {
        var sockets: [String: SocketIOSocket] = [:]
        /// The members of the rooms joined by name; a socket's own room is not here.
        var rooms: [String: Set<String>] = [:]
        /// The rooms each socket joined by name, its own id not among them.
        var socketRooms: [String: Set<String>] = [:]
        /// The connected sockets that left the room of their own id (rare).
        var ownRoomLeft: Set<String> = []

        /// Whether `room` is the own room of a connected socket that is still in it.
        func isOwnRoomOccupied(_ room: String) -> Bool {
            self.sockets[room] != nil && !self.ownRoomLeft.contains(room)
        }

        /// The ids of a room's members: those who joined it by name, and the socket whose own room it is.
        func forEachMember(of room: String, _ body: (String) -> Void) {
            for id in self.rooms[room] ?? [] {
                body(id)
            }
            if self.isOwnRoomOccupied(room) {
                body(room)
            }
        }
    }

    private let state = Mutex(State())

    /// Adds a connected socket, in the room of its own id.
    func add(_ socket: SocketIOSocket) {
        self.state.withLock { state in
            state.sockets[socket.id] = socket
        }
    }

    /// Removes a socket from the namespace and from every room; returns the rooms it was in.
    @discardableResult
    func remove(socketID: String) -> Set<String> {
        self.state.withLock { state in
            guard state.sockets.removeValue(forKey: socketID) != nil else {
                return []
            }
            var rooms = state.socketRooms.removeValue(forKey: socketID) ?? []
            for room in rooms {
                state.rooms[room]?.remove(socketID)
                if state.rooms[room]?.isEmpty == true {
                    state.rooms.removeValue(forKey: room)
                }
            }
            if state.ownRoomLeft.remove(socketID) == nil {
                rooms.insert(socketID)
            }
            return rooms
        }
    }

    /// Puts a connected socket in rooms.
    func join(socketID: String, rooms: some Sequence<String>) {
        self.state.withLock { state in
            guard state.sockets[socketID] != nil else {
                return
            }
            for room in rooms {
                if room == socketID {
                    state.ownRoomLeft.remove(socketID)
                    continue
                }
                state.rooms[room, default: []].insert(socketID)
                state.socketRooms[socketID, default: []].insert(room)
            }
        }
    }

    /// Takes a socket out of a room; an empty room disappears.
    func leave(socketID: String, room: String) {
        self.state.withLock { state in
            if room == socketID {
                if state.sockets[socketID] != nil {
                    state.ownRoomLeft.insert(socketID)
                }
                return
            }
            state.socketRooms[socketID]?.remove(room)
            if state.socketRooms[socketID]?.isEmpty == true {
                state.socketRooms.removeValue(forKey: socketID)
            }
            state.rooms[room]?.remove(socketID)
            if state.rooms[room]?.isEmpty == true {
                state.rooms.removeValue(forKey: room)
            }
        }
    }

    /// The rooms a socket is in (its own id included).
    func rooms(of socketID: String) -> Set<String> {
        self.state.withLock { state in
            var rooms = state.socketRooms[socketID] ?? []
            if state.isOwnRoomOccupied(socketID) {
                rooms.insert(socketID)
            }
            return rooms
        }
    }

    /// The connected socket with this id.
    func socket(id: String) -> SocketIOSocket? {
        self.state.withLock { $0.sockets[id] }
    }

    /// Every connected socket.
    var sockets: [SocketIOSocket] {
        self.state.withLock { Array($0.sockets.values) }
    }

    /// The number of connected sockets.
    var count: Int {
        self.state.withLock { $0.sockets.count }
    }

    /// The names of the rooms that have members (socket-id rooms included).
    var roomNames: [String] {
        self.state.withLock { state in
            var names = Set(state.rooms.keys)
            for id in state.sockets.keys where !state.ownRoomLeft.contains(id) {
                names.insert(id)
            }
            return Array(names)
        }
    }

    /// The targets of a broadcast (socket.io-adapter `apply`): the members of `rooms` (every socket when `rooms` is
    /// empty), without the members of any room in `except`.
    func targets(rooms: Set<String>, except: Set<String>) -> [SocketIOSocket] {
        self.state.withLock { state in
            var excluded: Set<String> = []
            for room in except {
                state.forEachMember(of: room) { excluded.insert($0) }
            }
            var result: [SocketIOSocket] = []
            if rooms.isEmpty {
                result.reserveCapacity(state.sockets.count)
                for (id, socket) in state.sockets where !excluded.contains(id) {
                    result.append(socket)
                }
                return result
            }
            if rooms.count == 1, let room = rooms.first {
                // The common case: one room, no duplicates to remove.
                state.forEachMember(of: room) { id in
                    if !excluded.contains(id), let socket = state.sockets[id] {
                        result.append(socket)
                    }
                }
                return result
            }
            var seen: Set<String> = []
            for room in rooms {
                state.forEachMember(of: room) { id in
                    if !excluded.contains(id), seen.insert(id).inserted, let socket = state.sockets[id] {
                        result.append(socket)
                    }
                }
            }
            return result
        }
    }
}
