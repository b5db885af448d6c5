import SocketIOCodec

/// The targets of a broadcast (socket.io `BroadcastOperator`): the members of some rooms (or every socket of the
/// namespace when none is named) except the members of other rooms.
///
/// ```swift
/// socket.to("room1").emit("message", "hi")      // everyone in room1 but the sender
/// socket.broadcast.emit("joined", .string(id))  // everyone in the namespace but the sender
/// io.namespace("/").to("a").to("b").except("c").emit("x")
/// ```
///
/// The packet is encoded once and the same Engine.IO messages are handed to every target.
public struct SocketIOBroadcastOperator: Sendable {
    /// The namespace.
    public let namespace: SocketIOServer.Namespace
    /// The rooms whose members receive the event; empty for every socket.
    public private(set) var rooms: Set<String> = []
    /// The rooms whose members are left out.
    public private(set) var exceptRooms: Set<String> = []

    init(namespace: SocketIOServer.Namespace, rooms: Set<String> = [], exceptRooms: Set<String> = []) {
        self.namespace = namespace
        self.rooms = rooms
        self.exceptRooms = exceptRooms
    }

    /// Adds a room to the targets.
    public func to(_ room: String) -> SocketIOBroadcastOperator {
        var copy = self
        copy.rooms.insert(room)
        return copy
    }

    /// Adds rooms to the targets.
    public func to(_ rooms: some Sequence<String>) -> SocketIOBroadcastOperator {
        var copy = self
        copy.rooms.formUnion(rooms)
        return copy
    }

    /// Leaves out the members of a room.
    public func except(_ room: String) -> SocketIOBroadcastOperator {
        var copy = self
        copy.exceptRooms.insert(room)
        return copy
    }

    /// Emits an event to the targets.
    public func emit(_ event: String, _ arguments: JSONValue...) {
        self.emit(event, arguments)
    }

    /// Emits an event to the targets: this node's at once, the other nodes' of a cluster through its relay, all
    /// with the messages encoded here once.
    public func emit(_ event: String, _ arguments: [JSONValue]) {
        let broadcast = SocketIOBroadcast(
            namespace: self.namespace.name,
            rooms: self.rooms,
            except: self.exceptRooms,
            event: event,
            arguments: arguments
        )
        self.namespace.broadcast(broadcast.messages, rooms: self.rooms, except: self.exceptRooms)
        self.namespace.relay.current?.relay(broadcast)
    }

    /// The connected sockets among the targets (Node's `fetchSockets()`).
    public var sockets: [SocketIOSocket] {
        self.namespace.rooms.targets(rooms: self.rooms, except: self.exceptRooms)
    }
}
