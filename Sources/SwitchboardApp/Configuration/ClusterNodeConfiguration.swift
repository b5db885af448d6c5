import Cluster

#if canImport(Glibc)
import Glibc
#endif

/// The `cluster.*` keys: off (`nil`) when `cluster.postgresURL` is empty.
extension ClusterConfiguration {
    init?(_ values: ConfigurationValues, httpPort: Int) throws(ConfigurationError) {
        let url = try values.string("cluster.postgresURL")
        guard !url.isEmpty else {
            return nil
        }
        let postgres: PostgresURL
        do {
            postgres = try PostgresURL(parsing: url)
        } catch {
            throw values.error("cluster.postgresURL", error.description)
        }
        let channel = try values.string("cluster.channel")
        guard channel.utf8.count <= 63,
            channel.utf8.allSatisfy({ ($0 >= 0x61 && $0 <= 0x7A) || ($0 >= 0x30 && $0 <= 0x39) || $0 == 0x5F })
        else {
            throw values.error("cluster.channel", "must be lowercase letters, digits and underscores, at most 63")
        }
        var nodeName = try values.string("cluster.nodeName")
        if nodeName.isEmpty {
            nodeName = "\(Self.hostName):\(httpPort)"
        }
        let heartbeat = try values.integer("cluster.heartbeatIntervalMilliseconds")
        let timeout = try values.integer("cluster.nodeTimeoutMilliseconds")
        guard timeout >= 2 * heartbeat else {
            throw values.error(
                "cluster.nodeTimeoutMilliseconds",
                "must be at least twice cluster.heartbeatIntervalMilliseconds (\(heartbeat))"
            )
        }
        self.init(
            postgres: postgres,
            nodeName: nodeName,
            channel: channel,
            heartbeatInterval: .milliseconds(heartbeat),
            nodeTimeout: .milliseconds(timeout)
        )
    }

    private static var hostName: String {
        var buffer = [CChar](repeating: 0, count: 256)
        guard gethostname(&buffer, buffer.count) == 0 else {
            return "switchboard"
        }
        return String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }
}
