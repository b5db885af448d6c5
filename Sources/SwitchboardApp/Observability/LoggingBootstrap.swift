import Logging

/// Sets up swift-log once per process from `log.level` and `log.format`.
public enum LoggingBootstrap {
    /// The level every bootstrapped handler follows; a configuration reload sets it.
    public static let level = LogLevelSwitch(.info)

    public static func bootstrap(level: Logger.Level, format: LogConfiguration.Format) {
        Self.level.level = level
        LoggingSystem.bootstrap { label in
            let handler: any LogHandler
            switch format {
            case .text: handler = StreamLogHandler.standardError(label: label)
            case .json: handler = JSONLogHandler(label: label)
            }
            return SwitchedLogHandler(base: handler, levelSwitch: Self.level)
        }
    }
}
