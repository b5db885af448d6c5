import ArgumentParser
import Foundation

/// `switchboard check-config FILE`: validates a configuration file, and loads the TLS certificate and key it names,
/// without starting anything.
struct CheckConfigCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "check-config",
        abstract: "Validate a configuration file; prints every problem with its key and line, exits 1 if any."
    )

    @Argument(help: "The YAML configuration file to check.")
    var file: String

    func run() throws {
        do throws(ConfigurationErrors) {
            let configuration = try ConfigurationLoader.load(filePath: self.file, environment: [:], flags: [])
            if configuration.tls.hasCertificate {
                // The files the key names must load too, or `serve` would refuse to start.
                _ = try ServerTLSConfiguration.loadFiles(configuration.tls)
            }
        } catch {
            for problem in error.errors {
                FileHandle.standardError.write(Data("\(problem)\n".utf8))
            }
            throw ExitCode.failure
        }
        print("\(self.file): OK")
    }
}
