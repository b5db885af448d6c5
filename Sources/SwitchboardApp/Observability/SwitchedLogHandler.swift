import Logging

/// A `LogHandler` whose level is the process's ``LogLevelSwitch`` (so a reload changes the level of every logger
/// already made) unless a logger sets its own; the lines themselves are written by the wrapped handler.
struct SwitchedLogHandler: LogHandler {
    var base: any LogHandler
    let levelSwitch: LogLevelSwitch
    /// A level set on this logger alone, which the switch no longer governs.
    private var ownLevel: Logger.Level?

    init(base: any LogHandler, levelSwitch: LogLevelSwitch) {
        var base = base
        base.logLevel = .trace  // The switch filters; the wrapped handler writes what reaches it.
        self.base = base
        self.levelSwitch = levelSwitch
    }

    var logLevel: Logger.Level {
        get { self.ownLevel ?? self.levelSwitch.level }
        set { self.ownLevel = newValue }
    }

    var metadata: Logger.Metadata {
        get { self.base.metadata }
        set { self.base.metadata = newValue }
    }

    var metadataProvider: Logger.MetadataProvider? {
        get { self.base.metadataProvider }
        set { self.base.metadataProvider = newValue }
    }

    subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { self.base[metadataKey: key] }
        set { self.base[metadataKey: key] = newValue }
    }

    func log(event: LogEvent) {
        self.base.log(event: event)
    }
}
