/// Where a process's configuration came from, kept so that a reload reads it the same way: the YAML file, the
/// `SWITCHBOARD_*` environment and the `--set` flags of the command line (flags still win over the file).
public struct ConfigurationSource: Sendable {
    public var filePath: String?
    public var environment: [String: String]
    public var flags: [(flag: String, key: String, value: String)]

    public init(filePath: String?, environment: [String: String], flags: [(flag: String, key: String, value: String)]) {
        self.filePath = filePath
        self.environment = environment
        self.flags = flags
    }

    /// Loads and validates the configuration, exactly as `serve` and `check-config` do.
    func load() throws(ConfigurationErrors) -> SwitchboardConfiguration {
        try ConfigurationLoader.load(filePath: self.filePath, environment: self.environment, flags: self.flags)
    }
}
