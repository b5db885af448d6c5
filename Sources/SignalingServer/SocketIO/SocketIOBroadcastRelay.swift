import SocketIOCodec
import Synchronization

/// An event broadcast to rooms of a namespace, as it is relayed to the other nodes of a cluster (socket.io-adapter's
/// `broadcast` with its rooms and exceptions, docs/cluster.md#broadcasts). It carries the packet as the sender
/// encoded it, so that the other nodes hand their members the same messages without encoding them again.
public struct SocketIOBroadcast: Sendable, Equatable {
    public var namespace: String
    /// The rooms whose members receive the event; empty for every socket of the namespace.
    public var rooms: Set<String>
    /// The rooms whose members are left out.
    public var except: Set<String>
    /// The packet's Engine.IO messages (``SocketIOAssembledPacket/engineIOMessages``): its text, then each binary
    /// attachment.
    public var messages: [TextOrBinaryMessage]

    public init(namespace: String, rooms: Set<String>, except: Set<String>, messages: [TextOrBinaryMessage]) {
        self.namespace = namespace
        self.rooms = rooms
        self.except = except
        self.messages = messages
    }

    /// The broadcast of an event with these arguments.
    public init(namespace: String, rooms: Set<String>, except: Set<String>, event: String, arguments: [JSONValue]) {
        self.init(
            namespace: namespace,
            rooms: rooms,
            except: except,
            messages: SocketIOAssembledPacket.event(event, arguments, namespace: namespace).engineIOMessages
        )
    }
}

/// Carries a server's broadcasts to the other nodes, which deliver each to their own members of its rooms
/// (``SocketIOServer/deliver(_:)``).
public protocol SocketIOBroadcastRelay: Sendable {
    func relay(_ broadcast: SocketIOBroadcast)
}

/// The relay of a server, set once a cluster is configured (none on a single node).
final class SocketIOBroadcastRelayBox: Sendable {
    private let relay = Mutex<(any SocketIOBroadcastRelay)?>(nil)

    func set(_ relay: any SocketIOBroadcastRelay) {
        self.relay.withLock { $0 = relay }
    }

    var current: (any SocketIOBroadcastRelay)? {
        self.relay.withLock { $0 }
    }
}
