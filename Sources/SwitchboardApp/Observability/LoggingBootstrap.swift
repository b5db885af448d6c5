import Logging

/// Sets up swift-log once per process from `log.level` and `log.format`.
public enum LoggingBootstrap {
    public static func bootstrap(level: Logger.Level, format: SwitchboardConfiguration.LogFormat) {
        LoggingSystem.bootstrap { label in
            var handler: any LogHandler
            switch format {
            case .text: handler = StreamLogHandler.standardError(label: label)
            case .json: handler = JSONLogHandler(label: label)
            }
            handler.logLevel = level
            return handler
        }
    }
}
