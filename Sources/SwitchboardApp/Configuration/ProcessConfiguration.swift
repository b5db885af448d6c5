/// The `threads` and `process.*` keys: the event loops and the PID file.
public struct ProcessConfiguration: Sendable {
    /// `threads`; 0 is one per CPU core.
    public var threads: Int
    /// `process.pidFile`; empty: none.
    public var pidFile: String

    init(_ values: ConfigurationValues) throws(ConfigurationError) {
        self.threads = try values.integer("threads")
        self.pidFile = try values.string("process.pidFile")
    }
}
