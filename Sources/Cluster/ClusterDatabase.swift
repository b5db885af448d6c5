import Logging
import PostgresNIO

/// The SQL of a cluster node (docs/cluster.md#database): the NOTIFY batches, the payload table for messages over
/// NOTIFY's limit, and the node table that tells a starting node whether it is alone.
struct ClusterDatabase: Sendable {
    let configuration: ClusterConfiguration
    let logger: Logger

    /// Serializes joins within the cluster (a session advisory lock on the channel's name) and creates the tables
    /// under it, so two nodes starting at once neither both think they are alone nor race to create them.
    func lockMembership(on connection: PostgresConnection) async throws {
        try await connection.query(
            "SELECT pg_advisory_lock(hashtext(\(self.configuration.channel)))",
            logger: self.logger
        )
        try await connection.query(
            """
            CREATE TABLE IF NOT EXISTS switchboard_cluster_nodes (
                channel text NOT NULL, node text NOT NULL, seen timestamptz NOT NULL, PRIMARY KEY (channel, node))
            """,
            logger: self.logger
        )
        // Tables made before the column existed get it too.
        try await connection.query(
            "ALTER TABLE switchboard_cluster_nodes ADD COLUMN IF NOT EXISTS run bigint NOT NULL DEFAULT 0",
            logger: self.logger
        )
        try await connection.query(
            """
            CREATE TABLE IF NOT EXISTS switchboard_cluster_payloads (
                id bigserial PRIMARY KEY, channel text NOT NULL, body text NOT NULL,
                created timestamptz NOT NULL DEFAULT now())
            """,
            logger: self.logger
        )
    }

    func unlockMembership(on connection: PostgresConnection) async throws {
        try await connection.query(
            "SELECT pg_advisory_unlock(hashtext(\(self.configuration.channel)))",
            logger: self.logger
        )
    }

    /// The nodes in sync now, this node's name included, by the database's clock, the most recently heard from
    /// first, each with the run (process) that wrote its row: a node in sync records itself at every heartbeat, so a
    /// row older than three heartbeats is a node that stopped or lost the database (and no longer follows the log).
    func syncedNodes(on connection: PostgresConnection) async throws -> [(node: String, run: Int64)] {
        let milliseconds = Int(self.configuration.heartbeatInterval * 3 / .milliseconds(1))
        let rows = try await connection.query(
            """
            SELECT node, run FROM switchboard_cluster_nodes
            WHERE channel = \(self.configuration.channel)
            AND seen > now() - make_interval(secs => \(milliseconds) / 1000.0)
            ORDER BY seen DESC, node
            """,
            logger: self.logger
        )
        var nodes: [(node: String, run: Int64)] = []
        for try await (node, run) in rows.decode((String, Int64).self) {
            nodes.append((node, run))
        }
        return nodes
    }

    /// Records that this node (this process: `run`) is alive and in sync.
    func markSynced(run: Int64, on connection: PostgresConnection) async throws {
        try await connection.query(
            """
            INSERT INTO switchboard_cluster_nodes (channel, node, seen, run)
            VALUES (\(self.configuration.channel), \(self.configuration.nodeName), now(), \(run))
            ON CONFLICT (channel, node) DO UPDATE SET seen = now(), run = excluded.run
            """,
            logger: self.logger
        )
    }

    /// Publishes payloads in order: runs of short ones in one statement (one transaction, so in order), each long
    /// one stored and published as `SEQUENCE @ID`.
    func publish(_ payloads: [String], on connection: PostgresConnection) async throws {
        var short: [String] = []
        for payload in payloads {
            guard payload.utf8.count > PostgresEventLog.maxInlinePayload else {
                short.append(payload)
                continue
            }
            try await self.notify(short, on: connection)
            short = []
            let space = payload.firstIndex(of: " ") ?? payload.startIndex
            let reference = String(payload[..<space]) + " @"
            let body = String(payload[payload.index(after: space)...])
            try await connection.query(
                """
                WITH stored AS (INSERT INTO switchboard_cluster_payloads (channel, body)
                    VALUES (\(self.configuration.channel), \(body)) RETURNING id)
                SELECT pg_notify(\(self.configuration.channel), \(reference) || stored.id::text) FROM stored
                """,
                logger: self.logger
            )
        }
        try await self.notify(short, on: connection)
    }

    private func notify(_ payloads: [String], on connection: PostgresConnection) async throws {
        guard !payloads.isEmpty else {
            return
        }
        try await connection.query(
            "SELECT pg_notify(\(self.configuration.channel), payload) FROM unnest(\(payloads)::text[]) AS payload",
            logger: self.logger
        )
    }

    /// A stored payload's body.
    func payload(id: Int64, on connection: PostgresConnection) async throws -> String? {
        let rows = try await connection.query(
            "SELECT body FROM switchboard_cluster_payloads WHERE id = \(id)",
            logger: self.logger
        )
        for try await body in rows.decode(String.self) {
            return body
        }
        return nil
    }

    /// Deletes stored payloads every node has had a minute to read.
    func removeOldPayloads(on connection: PostgresConnection) async throws {
        try await connection.query(
            """
            DELETE FROM switchboard_cluster_payloads
            WHERE channel = \(self.configuration.channel) AND created < now() - interval '1 minute'
            """,
            logger: self.logger
        )
    }
}
