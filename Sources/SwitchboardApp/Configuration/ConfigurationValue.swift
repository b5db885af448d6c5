/// One typed configuration value, as read from the YAML file, the environment, a flag or the defaults.
public enum ConfigurationValue: Hashable, Sendable, CustomStringConvertible {
    case string(String)
    case integer(Int)
    case boolean(Bool)
    case stringList([String])

    public var description: String {
        switch self {
        case .string(let value): return "\"\(value)\""
        case .integer(let value): return String(value)
        case .boolean(let value): return String(value)
        case .stringList(let values): return "[" + values.map { "\"\($0)\"" }.joined(separator: ", ") + "]"
        }
    }
}

/// Where a configuration value came from, so that an error can point at it.
public enum ConfigurationOrigin: Hashable, Sendable, CustomStringConvertible {
    /// The built-in default of the key.
    case defaultValue
    /// A line of a YAML file.
    case file(path: String, line: Int)
    /// An environment variable.
    case environment(name: String)
    /// A command-line flag.
    case flag(name: String)

    public var description: String {
        switch self {
        case .defaultValue: return "default"
        case .file(let path, let line): return "\(path):\(line)"
        case .environment(let name): return "environment variable \(name)"
        case .flag(let name): return "flag \(name)"
        }
    }
}
