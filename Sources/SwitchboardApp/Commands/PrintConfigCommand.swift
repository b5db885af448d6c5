import ArgumentParser

/// `switchboard print-config`: prints the documented configuration file with every key at its default.
struct PrintConfigCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "print-config",
        abstract: "Print a configuration file documenting every key, each at its default.",
        discussion: """
            The output is turn-config/switchboard.yaml of the source tree (scripts/generate-config writes it): \
            a valid starting point for --config, and what running with no configuration file means.
            """
    )

    func run() {
        print(ConfigurationDocument.render(), terminator: "")
    }
}
