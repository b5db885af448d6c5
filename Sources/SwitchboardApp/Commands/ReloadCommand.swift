import ArgumentParser
import Foundation

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// `switchboard reload [--config FILE] [--pid-file FILE]`: asks a running server to reload its configuration by
/// sending it SIGHUP (the same as `kill -HUP`), after checking the configuration file the way `check-config` does.
struct ReloadCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "reload",
        abstract: "Make a running server re-read its configuration (SIGHUP through its pid file).",
        discussion: """
            Checks the configuration first (--config or SWITCHBOARD_CONFIG, with the SWITCHBOARD_* variables) and \
            prints every problem as check-config does, sending nothing when there is one. The process is found \
            through --pid-file, else the process.pidFile key of that configuration. The server logs what it \
            applied and which changed keys wait for a restart.
            """
    )

    @Option(name: .customLong("config"), help: "The configuration file the server runs with, checked first.")
    var configFile: String?

    @Option(name: .customLong("pid-file"), help: "The server's pid file (default: process.pidFile of --config).")
    var pidFile: String?

    func run() throws {
        let environment = ProcessInfo.processInfo.environment
        var configuredPIDFile = ""
        if let file = self.configFile ?? environment[ConfigurationLoader.fileEnvironmentName] {
            do {
                configuredPIDFile = try ConfigurationLoader.load(
                    filePath: file,
                    environment: environment,
                    flags: []
                ).process.pidFile
            } catch {
                for problem in error.errors {
                    FileHandle.standardError.write(Data("\(problem)\n".utf8))
                }
                FileHandle.standardError.write(
                    Data("switchboard reload: not sent; the server keeps its configuration\n".utf8)
                )
                throw ExitCode.failure
            }
        }
        guard let pidFile = self.pidFile ?? (configuredPIDFile.isEmpty ? nil : configuredPIDFile) else {
            throw ValidationError("no pid file: pass --pid-file FILE, or --config FILE whose process.pidFile is set")
        }
        guard let data = FileManager.default.contents(atPath: pidFile),
            let pid = Int32(String(decoding: data, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)),
            pid > 0
        else {
            FileHandle.standardError.write(Data("\(pidFile): cannot read a process id\n".utf8))
            throw ExitCode.failure
        }
        guard kill(pid, SIGHUP) == 0 else {
            let reason = String(cString: strerror(errno))
            FileHandle.standardError.write(Data("switchboard reload: cannot signal process \(pid): \(reason)\n".utf8))
            throw ExitCode.failure
        }
        print("sent SIGHUP to process \(pid); its log says what was applied")
    }
}
