import ArgumentParser
import Foundation

/// `switchboard check-config FILE`: validates a configuration file without starting anything.
struct CheckConfigCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "check-config",
        abstract: "Validate a configuration file; prints every problem with its key and line, exits 1 if any."
    )

    @Argument(help: "The YAML configuration file to check.")
    var file: String

    func run() throws {
        do {
            _ = try ConfigurationLoader.load(filePath: self.file, environment: [:], flags: [])
        } catch {
            for problem in error.errors {
                FileHandle.standardError.write(Data("\(problem)\n".utf8))
            }
            throw ExitCode.failure
        }
        print("\(self.file): OK")
    }
}
