import Synchronization

/// The sockets of one namespace and their rooms (socket.io-adapter `in-memory-adapter.ts`: `rooms` and `sids`).
///
/// Sockets of a namespace live on different event loops, and any of them may broadcast to a room, so the directory
/// is shared; a `Mutex` guards it and is held only to read or update the maps, never while a packet is written.
/// Every socket is in the room named after its own id (Socket.IO v5 §"Rooms"; socket.io 2 did the same), so
/// `to(socketID)` reaches one socket and `except(socketID)` leaves one out.
final class RoomDirectory: Sendable {
    private struct State {
        var sockets: [String: SocketIOSocket] = [:]
        var rooms: [String: Set<String>] = [:]
        var socketRooms: [String: Set<String>] = [:]
    }

    private let state = Mutex(State())

    /// Adds a connected socket, in the room of its own id.
    func add(_ socket: SocketIOSocket) {
        self.state.withLock { state in
            state.sockets[socket.id] = socket
            state.rooms[socket.id, default: []].insert(socket.id)
            state.socketRooms[socket.id, default: []].insert(socket.id)
        }
    }

    /// Removes a socket from the namespace and from every room; returns the rooms it was in.
    @discardableResult
    func remove(socketID: String) -> Set<String> {
        self.state.withLock { state in
            state.sockets.removeValue(forKey: socketID)
            let rooms = state.socketRooms.removeValue(forKey: socketID) ?? []
            for room in rooms {
                state.rooms[room]?.remove(socketID)
                if state.rooms[room]?.isEmpty == true {
                    state.rooms.removeValue(forKey: room)
                }
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
                state.rooms[room, default: []].insert(socketID)
                state.socketRooms[socketID, default: []].insert(room)
            }
        }
    }

    /// Takes a socket out of a room; an empty room disappears.
    func leave(socketID: String, room: String) {
        self.state.withLock { state in
            state.socketRooms[socketID]?.remove(room)
            state.rooms[room]?.remove(socketID)
            if state.rooms[room]?.isEmpty == true {
                state.rooms.removeValue(forKey: room)
            }
        }
    }

    /// The rooms a socket is in (its own id included).
    func rooms(of socketID: String) -> Set<String> {
        self.state.withLock { $0.socketRooms[socketID] ?? [] }
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
        self.state.withLock { Array($0.rooms.keys) }
    }

    /// The targets of a broadcast (socket.io-adapter `apply`): the members of `rooms` (every socket when `rooms` is
    /// empty), without the members of any room in `except`.
    func targets(rooms: Set<String>, except: Set<String>) -> [SocketIOSocket] {
        self.state.withLock { state in
            var excluded: Set<String> = []
            for room in except {
                if let members = state.rooms[room] {
                    excluded.formUnion(members)
                }
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
                for id in state.rooms[room] ?? [] where !excluded.contains(id) {
                    if let socket = state.sockets[id] {
                        result.append(socket)
                    }
                }
                return result
            }
            var seen: Set<String> = []
            for room in rooms {
                for id in state.rooms[room] ?? [] where !excluded.contains(id) && seen.insert(id).inserted {
                    if let socket = state.sockets[id] {
                        result.append(socket)
                    }
                }
            }
            return result
        }
    }
}
