/// What a configuration reload (SIGHUP, `switchboard reload`) does with each changed key: pure, no I/O.
///
/// Given the values in force and the values just loaded, the keys whose value changed fall in two lists: those a
/// running process takes on (``liveKeys``: credentials, quotas, peer lists, bandwidth cap, log level, dialect limits,
/// the TLS files) and those that need a restart (everything else: ports, addresses, threads, ...), which are left
/// alone and reported. Values are compared, never printed: secret keys appear by name only.
public struct ConfigurationReloadPlan: Sendable, Equatable {
    /// The keys a running process applies on a reload.
    public static let liveKeys: Set<String> = [
        "log.level",
        "turn.secrets",
        "turn.users",
        "turn.quota.perUser",
        "turn.quota.total",
        "turn.quota.perClientAddress",
        "turn.peers.allow",
        "turn.peers.deny",
        "turn.bandwidthLimitBytesPerSecond",
        "dialects.maxMembersPerRoom",
        "dialects.eventsPerSecond",
        "tls.certificateFile",
        "tls.privateKeyFile",
    ]

    /// Changed keys that take effect now, sorted.
    public let applied: [String]
    /// Changed keys that keep their old value until the process restarts, sorted.
    public let needsRestart: [String]

    /// Compares every key of either side; a key missing on one side counts as changed.
    /// - Parameters:
    ///   - running: the values in force (what the process started with, live keys updated by earlier reloads).
    ///   - loaded: the values just loaded and validated.
    ///   - live: the keys this process can apply: ``liveKeys``, less those of parts it did not start (the TLS files
    ///     of a process without a TLS listener).
    public init(
        running: [String: ConfigurationValue],
        loaded: [String: ConfigurationValue],
        live: Set<String> = Self.liveKeys
    ) {
        let changed = Set(running.keys).union(loaded.keys).filter { running[$0] != loaded[$0] }
        self.applied = changed.filter { live.contains($0) }.sorted()
        self.needsRestart = changed.filter { !live.contains($0) }.sorted()
    }

    /// Whether nothing changed.
    public var isEmpty: Bool {
        self.applied.isEmpty && self.needsRestart.isEmpty
    }

    /// The values in force once the plan is carried out: `running` with the applied keys taken from `loaded`, so a
    /// key that needs a restart is reported again on every reload until the process restarts.
    public func valuesInForce(
        running: [String: ConfigurationValue],
        loaded: [String: ConfigurationValue]
    ) -> [String: ConfigurationValue] {
        var values = running
        for key in self.applied {
            values[key] = loaded[key]
        }
        return values
    }
}
