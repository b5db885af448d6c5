import ArgumentParser
import Foundation

/// `switchboard serve [--config FILE] [--set KEY=VALUE ...]`: runs the server.
struct ServeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "serve",
        abstract: "Run Switchboard (the default command).",
        discussion: """
            Configuration comes from the embedded defaults, then the YAML file (--config or SWITCHBOARD_CONFIG), \
            then SWITCHBOARD_* environment variables, then flags. Every key is documented in \
            turn-config/switchboard.yaml. SIGHUP reads them again: credentials, quotas, peer lists, log level and \
            the TLS certificate change at once, other changed keys are reported as needing a restart.
            """
    )

    @Option(name: .customLong("config"), help: "YAML configuration file (default: the embedded defaults).")
    var configFile: String?

    @Option(
        name: .customLong("set"),
        help: ArgumentHelp("Override one key, for example --set stun.port=3479 (repeatable).", valueName: "key=value")
    )
    var settings: [String] = []

    @Option(name: .customLong("log-level"), help: "Same as --set log.level=LEVEL.")
    var logLevel: String?

    @Option(name: .customLong("http-port"), help: "Same as --set http.port=PORT.")
    var httpPort: String?

    @Option(name: .customLong("stun-port"), help: "Same as --set stun.port=PORT.")
    var stunPort: String?

    func run() async throws {
        let environment = ProcessInfo.processInfo.environment
        let source = ConfigurationSource(
            filePath: self.configFile ?? environment[ConfigurationLoader.fileEnvironmentName],
            environment: environment,
            flags: try self.flagSettings()
        )
        let configuration: SwitchboardConfiguration
        do {
            configuration = try source.load()
        } catch {
            FileHandle.standardError.write(Data("switchboard: invalid configuration\n\(error)\n".utf8))
            throw ExitCode(2)
        }
        LoggingBootstrap.bootstrap(level: configuration.log.level, format: configuration.log.format)
        let registry = MetricsBootstrap.bootstrap()
        try await SwitchboardApplication(configuration: configuration, source: source).run(metricsRegistry: registry)
    }

    /// `--set key=value` flags as configuration layers.
    static func settings(_ settings: [String]) throws -> [(flag: String, key: String, value: String)] {
        try settings.map { setting in
            guard let equals = setting.firstIndex(of: "=") else {
                throw ValidationError("--set expects key=value, got '\(setting)'")
            }
            return ("--set", String(setting[..<equals]), String(setting[setting.index(after: equals)...]))
        }
    }

    private func flagSettings() throws -> [(flag: String, key: String, value: String)] {
        var flags = try Self.settings(self.settings)
        if let logLevel = self.logLevel {
            flags.append(("--log-level", "log.level", logLevel))
        }
        if let httpPort = self.httpPort {
            flags.append(("--http-port", "http.port", httpPort))
        }
        if let stunPort = self.stunPort {
            flags.append(("--stun-port", "stun.port", stunPort))
        }
        return flags
    }
}
