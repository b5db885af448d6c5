/// The `cluster.*` settings of a node (docs/cluster.md#configuration).
public struct ClusterConfiguration: Sendable {
    /// The PostgreSQL server every node of the cluster shares.
    public var postgres: PostgresURL
    /// This node's name, unique in the cluster.
    public var nodeName: String
    /// The LISTEN/NOTIFY channel, and the key of this cluster's rows in the shared tables: nodes with different
    /// channels form different clusters on one database.
    public var channel: String
    /// How often the node says it is alive.
    public var heartbeatInterval: Duration
    /// How long a silent node lives on in the others' eyes before its clients depart.
    public var nodeTimeout: Duration

    public init(
        postgres: PostgresURL,
        nodeName: String,
        channel: String = "switchboard",
        heartbeatInterval: Duration = .seconds(1),
        nodeTimeout: Duration = .seconds(5)
    ) {
        self.postgres = postgres
        self.nodeName = nodeName
        self.channel = channel
        self.heartbeatInterval = heartbeatInterval
        self.nodeTimeout = nodeTimeout
    }
}
