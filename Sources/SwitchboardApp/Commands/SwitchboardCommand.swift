import ArgumentParser

/// `switchboard`: the command line. With no subcommand it runs the server (`serve`).
public struct SwitchboardCommand: AsyncParsableCommand {
    public static let configuration = CommandConfiguration(
        commandName: "switchboard",
        abstract: "Socket.IO signaling, a STUN responder and a TURN relay in one process.",
        subcommands: [
            ServeCommand.self, CheckConfigCommand.self, CredentialsCommand.self, ImportCoturnCommand.self,
            NATProbeCommand.self, PrintConfigCommand.self, ReloadCommand.self,
        ],
        defaultSubcommand: ServeCommand.self
    )

    public init() {}
}

extension SwitchboardCommand {
    /// Parses the process arguments and runs the chosen command; the executable's only line.
    public static func runFromCommandLine() async {
        await Self.main()
    }
}
