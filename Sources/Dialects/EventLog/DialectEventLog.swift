import SocketIOCodec
import Synchronization

/// Where a dialect's event came from, as the log hands it over.
public enum DialectEventOrigin: Sendable, Equatable {
    /// A client of this node: this node runs the timers the event starts.
    case thisNode
    /// A client of another node, which runs the event's timers.
    case otherNode
    /// The cluster, for a node that stopped (its clients' departures): every node runs the timers, and what they
    /// decide is idempotent.
    case cluster
}

/// What applies a scope's events: a dialect's state and its deliveries to the clients of this node.
public protocol DialectEventSubscriber: AnyObject, Sendable {
    /// Applies one event. Calls for one scope never overlap in a cluster; on a single node they may, and the
    /// dialect's own lock orders them.
    func apply(_ event: DialectEvent, origin: DialectEventOrigin)

    /// The state as JSON, for a node that joins the cluster (docs/cluster.md#joining).
    func snapshot() -> JSONValue

    /// Replaces the state with a ``snapshot()`` of another node's. Returns false, leaving the state alone, for JSON
    /// that is not one.
    func restore(_ snapshot: JSONValue) -> Bool

    /// Disconnects this node's clients and empties the state: the node starts over in the cluster.
    func reset()
}

/// One scope's stream of events (a Socket.IO endpoint's dialects, or dialect C), as its dialects append them.
public protocol DialectEventStream: Sendable {
    /// Names what applies the scope's events; called once, before the first ``append(_:)``. The stream holds it
    /// weakly: the subscriber owns its stream.
    func subscribe(_ subscriber: any DialectEventSubscriber)

    /// Orders an event of a client of this node; the subscriber applies it in the log's order.
    func append(_ event: DialectEvent)
}

/// The order every dialect's events are applied in (docs/cluster.md#event-log): on one node, at once on the caller's
/// thread (``DirectEventLog``); in a cluster, the order PostgreSQL commits them in, the same on every node.
public protocol DialectEventLog: Sendable {
    /// The stream of `scope`.
    func stream(scope: String) -> any DialectEventStream
}

/// A single node's log: an appended event is applied at once, on the appending thread.
public struct DirectEventLog: DialectEventLog {
    public init() {}

    public func stream(scope: String) -> any DialectEventStream {
        Stream()
    }

    private final class Stream: DialectEventStream {
        private let subscriber = Mutex(WeakSubscriber())

        func subscribe(_ subscriber: any DialectEventSubscriber) {
            self.subscriber.withLock { $0.value = subscriber }
        }

        func append(_ event: DialectEvent) {
            self.subscriber.withLock { $0.value }?.apply(event, origin: .thisNode)
        }
    }
}

/// A subscriber held weakly.
public struct WeakSubscriber: Sendable {
    public weak var value: (any DialectEventSubscriber)?

    public init(_ value: (any DialectEventSubscriber)? = nil) {
        self.value = value
    }
}
