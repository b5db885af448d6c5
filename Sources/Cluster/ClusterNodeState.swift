import Dialects
import SignalingServer
import SocketIOCodec

/// One node's view of the cluster, as a pure state machine over the log's messages, with the time passed in
/// (docs/cluster.md#membership). It owns no connection and no clock; it returns what the node must do.
///
/// - A node starts with ``start(alone:)``; then its own `hello` comes back from the log. Alone (no other node in
///   sync, which the database told the caller), it follows the log from there with empty rooms; otherwise it keeps
///   what follows its hello until a node in sync sends the rooms as they were at the hello (``Action/restore``).
/// - In sync, it applies each client event in log order, and records which node each client belongs to.
/// - A node not heard from for `nodeTimeout` is reported down (once); when the report comes back through the log,
///   every node lets that node's clients depart at the same point of the log. A node that says hello again starts
///   over the same way: the clients of its previous run depart first.
/// - A node that reads a report of its own death has been given up by the others (``Action/evicted``): it must drop
///   its clients and rooms and start again.
public struct ClusterNodeState: Sendable {
    /// What the node must do after a message or a tick.
    public enum Action: Sendable, Equatable {
        /// Deliver another node's broadcast to this node's members of its rooms.
        case deliver(scope: String, broadcast: SocketIOBroadcast)
        /// Apply a dialect event to the scope's state.
        case apply(scope: String, event: DialectEvent, origin: DialectEventOrigin)
        /// Publish a message on the log.
        case publish(ClusterMessage)
        /// Publish the rooms as they are now, for the node that said hello (``ClusterMessage/snapshot``), with
        /// ``ownersJSON`` as its owners.
        case sendSnapshot(for: String)
        /// Replace every scope's state with this snapshot's (scope → state).
        case restore(scopes: JSONValue)
        /// The others reported this node down: drop every client and room, then ``start(alone:)`` again.
        case evicted
    }

    enum Phase: Sendable, Equatable {
        /// Started, its own hello not yet back.
        case starting(alone: Bool)
        /// Its hello is back; waiting for a snapshot, keeping what follows.
        case awaitingSnapshot(kept: [ClusterMessage])
        case synced
        case stopped
    }

    public let name: String
    public let nodeTimeout: Duration
    private(set) var phase = Phase.stopped
    /// When each other live node was last heard from.
    private(set) var lastSeen: [String: ContinuousClock.Instant] = [:]
    /// Nodes reported down (until they say hello again), and those this node reported, not yet back.
    private(set) var down: Set<String> = []
    private(set) var reported: Set<String> = []
    /// node → scope → client id → the event its departure applies.
    private(set) var owners: [String: [String: [String: DialectEvent]]] = [:]

    public init(name: String, nodeTimeout: Duration) {
        self.name = name
        self.nodeTimeout = nodeTimeout
    }

    /// Whether the node follows the log: its rooms are the cluster's.
    public var isSynced: Bool {
        self.phase == .synced
    }

    /// Starts (or starts over) before the node publishes its hello. `alone`: no other node is in sync, so the rooms
    /// start empty.
    public mutating func start(alone: Bool) {
        self.phase = .starting(alone: alone)
        self.owners = [:]
        self.down = []
        self.reported = []
        self.lastSeen = [:]
    }

    /// One message of the log, read at `now`.
    public mutating func received(_ message: ClusterMessage, at now: ContinuousClock.Instant) -> [Action] {
        if message.node != self.name, !self.down.contains(message.node) {
            self.lastSeen[message.node] = now
        }
        if case .broadcast(let node, let scope, let broadcast) = message {
            // Broadcasts carry no room state: each node delivers them to its members whatever its phase, and its
            // own were delivered when they were sent.
            guard node != self.name, !self.down.contains(node), self.phase != .stopped else {
                return []
            }
            return [.deliver(scope: scope, broadcast: broadcast)]
        }
        switch self.phase {
        case .stopped:
            return []
        case .starting(let alone):
            guard case .hello(let node, _) = message, node == self.name else {
                // Before its own hello the node's rooms are not yet defined: the snapshot will contain this.
                return []
            }
            self.phase = alone ? .synced : .awaitingSnapshot(kept: [])
            return []
        case .awaitingSnapshot(var kept):
            guard case .snapshot(_, let target, let scopes) = message, target == self.name else {
                if case .snapshot = message {
                    return []
                }
                kept.append(message)
                self.phase = .awaitingSnapshot(kept: kept)
                return []
            }
            guard case .object(let object) = scopes, let owners = object["owners"].flatMap(Self.owners(json:)),
                let states = object["scopes"]
            else {
                return []
            }
            self.owners = owners
            self.phase = .synced
            var actions: [Action] = [.restore(scopes: states)]
            for message in kept {
                actions += self.applySynced(message)
            }
            return actions
        case .synced:
            return self.applySynced(message)
        }
    }

    private mutating func applySynced(_ message: ClusterMessage) -> [Action] {
        switch message {
        case .event(let node, let scope, let event):
            guard !self.down.contains(node) else {
                // A node reported down is ignored until it says hello again: its clients have departed.
                return []
            }
            if let client = event.client {
                self.owners[node, default: [:]][scope, default: [:]][client.id] = client.departure
            } else if let departed = event.departedClient {
                self.owners[node]?[scope]?[departed] = nil
            }
            return [.apply(scope: scope, event: event, origin: node == self.name ? .thisNode : .otherNode)]
        case .heartbeat, .broadcast:
            return []
        case .nodeDown(_, let down):
            self.reported.remove(down)
            guard down != self.name else {
                self.phase = .stopped
                return [.evicted]
            }
            guard self.down.insert(down).inserted else {
                return []
            }
            self.lastSeen[down] = nil
            return self.departures(of: down)
        case .hello(let node, let responder):
            guard node != self.name else {
                return []
            }
            self.down.remove(node)
            self.reported.remove(node)
            // One snapshot is enough: only the node the newcomer asked answers (every node, if it asked none).
            let answers = responder == nil || responder == self.name
            return self.departures(of: node) + (answers ? [.sendSnapshot(for: node)] : [])
        case .snapshot:
            return []
        }
    }

    /// The departures of every client of `node`, in a fixed order (every node must apply the same sequence).
    private mutating func departures(of node: String) -> [Action] {
        guard let scopes = self.owners.removeValue(forKey: node) else {
            return []
        }
        var actions: [Action] = []
        for scope in scopes.keys.sorted() {
            for (_, departure) in scopes[scope, default: [:]].sorted(by: { $0.key < $1.key }) {
                actions.append(.apply(scope: scope, event: departure, origin: .cluster))
            }
        }
        return actions
    }

    /// The database went away: the clients of every other node depart here, and the node stops following the log
    /// until it starts over.
    public mutating func isolate() -> [Action] {
        self.phase = .stopped
        var actions: [Action] = []
        for node in self.owners.keys.sorted() where node != self.name {
            actions += self.departures(of: node)
        }
        self.owners = [:]
        self.lastSeen = [:]
        return actions
    }

    /// The nodes not heard from for the node timeout, each reported once.
    public mutating func tick(at now: ContinuousClock.Instant) -> [Action] {
        guard self.phase == .synced else {
            return []
        }
        var actions: [Action] = []
        for (node, seen) in self.lastSeen.sorted(by: { $0.key < $1.key })
        where now - seen > self.nodeTimeout && !self.down.contains(node) && !self.reported.contains(node) {
            self.reported.insert(node)
            actions.append(.publish(.nodeDown(node: self.name, down: node)))
        }
        return actions
    }

    // MARK: - Owners in a snapshot

    /// Which node each client belongs to, as JSON: `{node: {scope: {client: departure event}}}`.
    public var ownersJSON: JSONValue {
        .object(
            JSONObject(
                self.owners.sorted(by: { $0.key < $1.key }).map { node, scopes in
                    (
                        node,
                        .object(
                            JSONObject(
                                scopes.sorted(by: { $0.key < $1.key }).map { scope, clients in
                                    (
                                        scope,
                                        .object(
                                            JSONObject(
                                                clients.sorted(by: { $0.key < $1.key }).map { ($0.key, $0.value.json) }
                                            )
                                        )
                                    )
                                }
                            )
                        )
                    )
                }
            )
        )
    }

    static func owners(json: JSONValue) -> [String: [String: [String: DialectEvent]]]? {
        guard case .object(let nodes) = json else {
            return nil
        }
        var owners: [String: [String: [String: DialectEvent]]] = [:]
        for node in nodes.members {
            guard case .object(let scopes) = node.value else {
                return nil
            }
            for scope in scopes.members {
                guard case .object(let clients) = scope.value else {
                    return nil
                }
                for client in clients.members {
                    guard let departure = DialectEvent(json: client.value) else {
                        return nil
                    }
                    owners[node.key, default: [:]][scope.key, default: [:]][client.key] = departure
                }
            }
        }
        return owners
    }
}
