/// A configuration problem, naming the key and where its value came from (file and line, environment variable
/// or flag), so that `switchboard check-config` and a failed start both say exactly what to fix.
public struct ConfigurationError: Error, Hashable, Sendable, CustomStringConvertible {
    /// The dotted key, such as `stun.port`, or `nil` for problems that are not about one key (YAML syntax).
    public var key: String?
    /// Where the offending value was found.
    public var origin: ConfigurationOrigin
    /// What is wrong, in a sentence that does not repeat the key or the origin.
    public var message: String

    public init(key: String?, origin: ConfigurationOrigin, message: String) {
        self.key = key
        self.origin = origin
        self.message = message
    }

    public var description: String {
        if let key = self.key {
            return "\(self.origin): key '\(key)': \(self.message)"
        }
        return "\(self.origin): \(self.message)"
    }
}

/// Every problem found in one configuration, reported together.
public struct ConfigurationErrors: Error, Sendable, CustomStringConvertible {
    public var errors: [ConfigurationError]

    public init(_ errors: [ConfigurationError]) {
        self.errors = errors
    }

    public var description: String {
        self.errors.map(\.description).joined(separator: "\n")
    }
}
