import ArgumentParser
import Foundation

/// `switchboard import-coturn FILE [--output OUT]`: converts coturn's turnserver.conf into Switchboard YAML.
struct ImportCoturnCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "import-coturn",
        abstract: "Convert a coturn turnserver.conf into a Switchboard configuration file.",
        discussion: """
            Writes the YAML to standard output or to --output (mode 0600 when it holds passwords or secrets), and \
            prints one warning per coturn option that is not carried over: FILE:LINE: key 'NAME': why. \
            docs/migrating-from-coturn.md lists what each option becomes.
            """
    )

    @Argument(help: "The coturn configuration file (turnserver.conf).")
    var file: String

    @Option(name: .customLong("output"), help: "Write the YAML to this file instead of standard output.")
    var output: String?

    func run() throws {
        guard let data = FileManager.default.contents(atPath: self.file) else {
            FileHandle.standardError.write(Data("\(self.file): cannot read the file\n".utf8))
            throw ExitCode.failure
        }
        let converted = CoturnImporter().convert(String(decoding: data, as: UTF8.self), sourceName: self.file)
        for warning in converted.warnings {
            let place = warning.line.map { "\(self.file):\($0)" } ?? self.file
            FileHandle.standardError.write(Data("\(place): key '\(warning.key)': \(warning.message)\n".utf8))
        }
        guard let output = self.output else {
            FileHandle.standardOutput.write(Data(converted.yaml.utf8))
            return
        }
        let attributes: [FileAttributeKey: Any]? = converted.containsSecrets ? [.posixPermissions: 0o600] : nil
        guard
            FileManager.default.createFile(atPath: output, contents: Data(converted.yaml.utf8), attributes: attributes)
        else {
            FileHandle.standardError.write(Data("\(output): cannot write the file\n".utf8))
            throw ExitCode.failure
        }
    }
}
