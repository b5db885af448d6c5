extension ConfigurationSchema {
    /// The `cluster.*` keys: rooms shared by several nodes through PostgreSQL (docs/cluster.md).
    static let clusterKeys: [ConfigurationKey] = [
        ConfigurationKey(
            "cluster.postgresURL",
            .string(allowEmpty: true),
            default: .string(""),
            isSecret: true,
            "PostgreSQL server the nodes of a cluster share, postgres://USER:PASSWORD@HOST:PORT/DATABASE "
                + "(?sslmode=require for TLS). Empty: a single node, nothing shared."
        ),
        ConfigurationKey(
            "cluster.nodeName",
            .string(allowEmpty: true),
            default: .string(""),
            "This node's name, unique in the cluster. Empty: the host name and the HTTP port."
        ),
        ConfigurationKey(
            "cluster.channel",
            .string(allowEmpty: false),
            default: .string("switchboard"),
            "PostgreSQL LISTEN/NOTIFY channel of the cluster: nodes with different channels form different clusters "
                + "on one database. Lowercase letters, digits and underscores, at most 63 characters."
        ),
        ConfigurationKey(
            "cluster.heartbeatIntervalMilliseconds",
            .integer(50...60_000),
            default: .integer(1_000),
            "Milliseconds between a node's heartbeats."
        ),
        ConfigurationKey(
            "cluster.nodeTimeoutMilliseconds",
            .integer(200...600_000),
            default: .integer(5_000),
            "Milliseconds without a heartbeat after which the other nodes let a node's clients depart."
        ),
    ]
}
