import Logging

/// The `log.*` keys.
public struct LogConfiguration: Sendable {
    public enum Format: String, Sendable {
        case text
        case json
    }

    /// `log.level`
    public var level: Logger.Level
    /// `log.format`
    public var format: Format

    init(_ values: ConfigurationValues) throws(ConfigurationError) {
        self.level = try values.choice("log.level", Logger.Level.init(rawValue:))
        self.format = try values.choice("log.format", Format.init(rawValue:))
    }
}
