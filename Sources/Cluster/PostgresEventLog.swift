import CoreMetrics
import Dialects
import Logging
import NIOCore
import NIOSSL
import PostgresNIO
import ServiceLifecycle
import SignalingServer
import SocketIOCodec
import Synchronization

/// The dialects' event log of a cluster node, on PostgreSQL LISTEN/NOTIFY (docs/cluster.md#event-log).
///
/// PostgreSQL delivers the notifications of committed transactions to every listener in commit order, so every
/// node reads the same sequence of messages and its ``ClusterNodeState`` and dialects make the same decisions;
/// each node delivers only to its own clients. A payload over NOTIFY's limit goes through a table, with a reference
/// in the notification. While the database is away the node serves its own clients alone (docs/cluster.md#outage).
public final class PostgresEventLog: DialectEventLog, Service {
    /// NOTIFY payloads must be shorter than 8,000 bytes (PostgreSQL's NOTIFY documentation); larger messages go
    /// through the payload table.
    static let maxInlinePayload = 7_900

    enum Mode: Sendable, Equatable {
        /// No database: events apply at once, as on a single node.
        case standalone
        /// Events go through the log.
        case cluster
    }

    private struct State: Sendable {
        var node: ClusterNodeState
        var mode = Mode.standalone
        var subscribers: [String: WeakSubscriber] = [:]
        /// The Socket.IO servers whose broadcasts are relayed, by scope.
        var servers: [String: SocketIOServer] = [:]
        /// Messages waiting for the publisher, in order.
        var outbox = ClusterOutbox()
        var wake: AsyncStream<Void>.Continuation?
    }

    let configuration: ClusterConfiguration
    /// This process among the runs of its node name (docs/cluster.md#membership).
    private let run = Int64.random(in: 1...Int64.max)
    private let logger: Logger
    private let eventLoop: any EventLoop
    private let state: Mutex<State>
    private let metrics = ClusterMetrics()
    /// How this node's own broadcasts begin in the log (``ClusterMessage/json``, serialized): they were delivered
    /// here when sent, so they are recognized and passed over without being parsed.
    private let ownBroadcastPrefix: String

    public init(configuration: ClusterConfiguration, eventLoop: any EventLoop, logger: Logger) {
        self.configuration = configuration
        self.eventLoop = eventLoop
        self.logger = logger
        self.state = Mutex(
            State(node: ClusterNodeState(name: configuration.nodeName, nodeTimeout: configuration.nodeTimeout))
        )
        self.ownBroadcastPrefix = ClusterMessage.broadcastPrefix(node: configuration.nodeName)
    }

    public func stream(scope: String) -> any DialectEventStream {
        Stream(scope: scope, log: self)
    }

    private struct Stream: DialectEventStream {
        let scope: String
        let log: PostgresEventLog

        func subscribe(_ subscriber: any DialectEventSubscriber) {
            self.log.state.withLock { $0.subscribers[self.scope] = WeakSubscriber(subscriber) }
        }

        func append(_ event: DialectEvent) {
            self.log.append(event, scope: self.scope)
        }
    }

    /// Relays `server`'s broadcasts to the other nodes, and delivers theirs to it, under `scope` (the same on every
    /// node).
    public func relayBroadcasts(of server: SocketIOServer, scope: String) {
        self.state.withLock { $0.servers[scope] = server }
        server.setBroadcastRelay(Relay(scope: scope, log: self))
    }

    private struct Relay: SocketIOBroadcastRelay {
        let scope: String
        let log: PostgresEventLog

        func relay(_ broadcast: SocketIOBroadcast) {
            self.log.state.withLock { state in
                // Alone, there is nobody to relay to.
                guard state.mode == .cluster else {
                    return
                }
                PostgresEventLog.enqueue(
                    .broadcast(node: self.log.configuration.nodeName, scope: self.scope, broadcast: broadcast),
                    in: &state
                )
            }
        }
    }

    private func append(_ event: DialectEvent, scope: String) {
        let direct: (any DialectEventSubscriber)? = self.state.withLock { state in
            guard state.mode == .cluster else {
                return state.subscribers[scope]?.value
            }
            Self.enqueue(.event(node: self.configuration.nodeName, scope: scope, event: event), in: &state)
            return nil
        }
        direct?.apply(event, origin: .thisNode)
    }

    private static func enqueue(_ message: ClusterMessage, in state: inout State) {
        // The publisher takes the whole outbox when woken: only the first message since its last take wakes it.
        if state.outbox.append(message), state.outbox.messages.count == 1 {
            state.wake?.yield()
        }
    }

    /// The waiting messages as payloads, `SEQUENCE JSON`.
    private func takeOutbox() -> [String] {
        self.state.withLock { state in
            state.outbox.takePayloads()
        }
    }

    // MARK: - Running

    /// Joins the cluster, follows the log, and rejoins with back-off after the database went away.
    public func run() async throws {
        var backoff = Duration.milliseconds(250)
        while !Task.isCancelled && !Task.isShuttingDownGracefully {
            let started = ContinuousClock.now
            do {
                try await cancelWhenGracefulShutdown {
                    try await self.session()
                }
            } catch  where Task.isCancelled || Task.isShuttingDownGracefully {
                break
            } catch ClusterError.nodeNameInUse {
                // Two processes of one name would each take the other's messages for their own.
                self.logger.error(
                    """
                    cluster: another process of this cluster.nodeName was in sync in the last three heartbeats (a \
                    second node of the same name, or this node's previous run); serving this node's clients alone
                    """,
                    metadata: ["node": "\(self.configuration.nodeName)"]
                )
            } catch {
                self.logger.warning(
                    "cluster: database unreachable; serving this node's clients alone",
                    metadata: [
                        "postgres": "\(self.configuration.postgres.redacted)", "error": "\(String(reflecting: error))",
                    ]
                )
            }
            self.isolate()
            if ContinuousClock.now - started > self.configuration.nodeTimeout {
                backoff = .milliseconds(250)
            }
            try? await Task.sleep(for: backoff)
            backoff = min(backoff * 2, .seconds(5))
        }
        self.isolate()
    }

    /// One connected run: connects, joins, then follows the log until a connection fails or the node is evicted.
    private func session() async throws {
        var connections: [PostgresConnection] = []
        var failure: (any Error)?
        do {
            for id in 1...3 {
                connections.append(try await self.connect(id: id))
            }
            try await self.follow(listener: connections[0], publisher: connections[1], queries: connections[2])
        } catch {
            failure = error
        }
        for connection in connections {
            // Whichever way the session ended: postgres-nio asserts that a connection is closed before it goes.
            try? await connection.close()
        }
        if let failure {
            throw failure
        }
    }

    private func follow(
        listener: PostgresConnection,
        publisher: PostgresConnection,
        queries: PostgresConnection
    )
        async throws
    {
        let (wakes, wake) = AsyncStream.makeStream(of: Void.self, bufferingPolicy: .bufferingNewest(1))
        let database = ClusterDatabase(configuration: self.configuration, logger: self.logger)
        // Held until this node is in sync; a failure before that closes `queries`, which releases it.
        try await database.lockMembership(on: queries)
        let synced = try await database.syncedNodes(on: queries)
        // Another run of this name in sync: a second process of the name, or this node's previous run (its own rows
        // from before an outage carry this run and do not count).
        guard !synced.contains(where: { $0.node == self.configuration.nodeName && $0.run != self.run }) else {
            throw ClusterError.nodeNameInUse
        }
        // The node heard from last answers the hello: the likeliest to be alive still.
        let responder = synced.first { $0.node != self.configuration.nodeName }?.node
        let alone = responder == nil
        // The log is read on the listener's event loop (ClusterLogReader); `end` carries what ends the session.
        let (ended, end) = AsyncStream.makeStream(of: (any Error).self)
        let reader = ClusterLogReader(log: self, eventLoop: listener.eventLoop, end: end) { id in
            try await database.payload(id: id, on: queries)
        }
        let listening = listener.addListener(channel: self.configuration.channel) { _, notification in
            reader.received(notification.payload)
        }
        defer { listening.stop() }
        listener.closeFuture.whenComplete { _ in end.yield(ClusterError.listenEnded) }
        // postgres-nio sends its own LISTEN for the listener first; once this one is answered, both are.
        try await listener.query(
            PostgresQuery(unsafeSQL: "LISTEN \"\(self.configuration.channel)\""),
            logger: self.logger
        )
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask {
                for await error in ended {
                    throw error
                }
                throw ClusterError.listenEnded
            }
            self.rejoin(responder: responder, wake: wake)
            group.addTask {
                for await _ in wakes {
                    let batch = self.takeOutbox()
                    try await database.publish(batch, on: publisher)
                    self.metrics.published.increment(by: batch.count)
                }
            }
            try await self.awaitSync()
            try await database.markSynced(run: self.run, on: queries)
            try await database.unlockMembership(on: queries)
            self.logger.info(
                "cluster: node \(self.configuration.nodeName) listening",
                metadata: ["channel": "\(self.configuration.channel)", "alone": "\(alone)"]
            )
            group.addTask {
                try await self.beat(database: database, queries: queries)
            }
            try await group.next()
            group.cancelAll()
        }
    }

    private func connect(id: Int) async throws -> PostgresConnection {
        let url = self.configuration.postgres
        var configuration = PostgresConnection.Configuration(
            host: url.host,
            port: url.port,
            username: url.user,
            password: url.password,
            database: url.database,
            tls: url.requiresTLS ? .require(try NIOSSLContext(configuration: .makeClientConfiguration())) : .disable
        )
        configuration.options.connectTimeout = .seconds(5)
        return try await PostgresConnection.connect(
            on: self.eventLoop,
            configuration: configuration,
            id: id,
            logger: self.logger
        )
    }

    /// Starts over in the cluster: this node's clients are disconnected and its rooms emptied, then its hello goes
    /// out, asking `responder` for the rooms; what follows it is kept until they arrive (or, with no node to ask,
    /// alone, applied at once).
    private func rejoin(responder: String?, wake: AsyncStream<Void>.Continuation) {
        let subscribers = self.state.withLock { state in
            // The hello goes first: every event of this node after the switch must follow it in the log.
            state.mode = .cluster
            state.node.start(alone: responder == nil)
            state.wake = wake
            _ = state.outbox.takeMessages()
            Self.enqueue(.hello(node: self.configuration.nodeName, responder: responder), in: &state)
            return state.subscribers.values.compactMap(\.value)
        }
        for subscriber in subscribers {
            subscriber.reset()
        }
    }

    private func awaitSync() async throws {
        // A node in sync answers a hello within milliseconds; one that does not within the node timeout is gone.
        let deadline = ContinuousClock.now + self.configuration.nodeTimeout
        while !self.state.withLock({ $0.node.isSynced }) {
            guard ContinuousClock.now < deadline else {
                throw ClusterError.noSnapshot
            }
            try await Task.sleep(for: .milliseconds(20))
        }
    }

    private func beat(database: ClusterDatabase, queries: PostgresConnection) async throws {
        var beats = 0
        while true {
            let (actions, dropped, capacity) = self.state.withLock { state in
                Self.enqueue(.heartbeat(node: self.configuration.nodeName), in: &state)
                return (state.node.tick(at: .now), state.outbox.takeDropped(), state.outbox.capacity)
            }
            if dropped > 0 {
                self.metrics.dropped.increment(by: dropped)
                self.logger.warning(
                    "cluster: the database does not keep up; client messages dropped",
                    metadata: ["dropped": "\(dropped)", "capacity": "\(capacity)"]
                )
            }
            self.perform(actions)
            try await database.markSynced(run: self.run, on: queries)
            beats += 1
            if beats % 30 == 0 {
                try await database.removeOldPayloads(on: queries)
            }
            try await Task.sleep(for: self.configuration.heartbeatInterval)
        }
    }

    // MARK: - Reading the log

    /// What reading one notification left to do.
    enum Reading: Equatable {
        case applied
        /// The message is stored in the payload table under this id (``applyStored(_:id:)``).
        case stored(id: Int64)
    }

    /// Applies one notification of the log (`SEQUENCE JSON`), or returns the id of the stored payload it refers to
    /// (`SEQUENCE @ID`), which must be applied before the notifications after it. Throws when the other nodes have
    /// evicted this node.
    func read(_ payload: String) throws -> Reading {
        guard let space = payload.firstIndex(of: " ") else {
            return .applied
        }
        let body = payload[payload.index(after: space)...]
        if body.hasPrefix(self.ownBroadcastPrefix) {
            self.metrics.received.increment()
            return .applied
        }
        if body.hasPrefix("@"), let id = Int64(body.dropFirst()) {
            return .stored(id: id)
        }
        try self.apply(body)
        return .applied
    }

    /// Applies the stored payload `id` (`nil`: it was already removed).
    func applyStored(_ body: String?, id: Int64) throws {
        guard let body else {
            self.logger.warning("cluster: a stored payload is gone", metadata: ["id": "\(id)"])
            return
        }
        try self.apply(Substring(body))
    }

    private func apply(_ body: Substring) throws {
        guard let json = try? JSONValue(parsing: body), let message = ClusterMessage(json: json) else {
            self.metrics.malformed.increment()
            return
        }
        self.metrics.received.increment()
        let actions = self.state.withLock { $0.node.received(message, at: .now) }
        if case .nodeDown(_, let down) = message, down != self.configuration.nodeName {
            self.logger.warning("cluster: node down; its clients depart", metadata: ["node": "\(down)"])
        }
        self.perform(actions)
        if actions.contains(.evicted) {
            throw ClusterError.evicted
        }
    }

    private func perform(_ actions: [ClusterNodeState.Action]) {
        for action in actions {
            switch action {
            case .apply(let scope, let event, let origin):
                self.subscriber(scope)?.apply(event, origin: origin)
            case .deliver(let scope, let broadcast):
                self.state.withLock { $0.servers[scope] }?.deliver(broadcast)
            case .publish(let message):
                self.state.withLock { Self.enqueue(message, in: &$0) }
            case .sendSnapshot(let target):
                let scopes = self.state.withLock { state in
                    state.subscribers.compactMap { scope, subscriber in subscriber.value.map { (scope, $0) } }
                }
                let states = JSONObject(scopes.sorted { $0.0 < $1.0 }.map { ($0.0, $0.1.snapshot()) })
                self.state.withLock { state in
                    let snapshot: JSONValue = .object(["owners": state.node.ownersJSON, "scopes": .object(states)])
                    Self.enqueue(
                        .snapshot(node: self.configuration.nodeName, for: target, scopes: snapshot),
                        in: &state
                    )
                }
            case .restore(let scopes):
                guard case .object(let states) = scopes else {
                    continue
                }
                for member in states.members where self.subscriber(member.key)?.restore(member.value) == false {
                    self.logger.error("cluster: a snapshot's state is not valid", metadata: ["scope": "\(member.key)"])
                }
            case .evicted:
                self.logger.warning("cluster: the other nodes reported this node down; starting over")
            }
        }
    }

    private func subscriber(_ scope: String) -> (any DialectEventSubscriber)? {
        self.state.withLock { $0.subscribers[scope]?.value }
    }

    /// The database is away: the other nodes' clients depart here, and this node's events apply at once, starting
    /// with those still waiting to be published (a batch in flight when the connection failed is lost).
    private func isolate() {
        let actions: [ClusterNodeState.Action] = self.state.withLock { state in
            guard state.mode == .cluster else {
                return []
            }
            state.mode = .standalone
            state.wake?.finish()
            state.wake = nil
            let synced = state.node.isSynced
            let waiting = state.outbox.takeMessages().compactMap { message -> ClusterNodeState.Action? in
                guard case .event(_, let scope, let event) = message, synced else {
                    return nil
                }
                return .apply(scope: scope, event: event, origin: .thisNode)
            }
            return state.node.isolate() + waiting
        }
        self.perform(actions)
    }
}

/// Why a cluster session ended.
enum ClusterError: Error {
    case listenEnded
    /// More notifications waited behind a stored payload's fetch than ``ClusterLogReader/maxWaiting``.
    case logBehind
    case nodeNameInUse
    case noSnapshot
    case evicted
}
