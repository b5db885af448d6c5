import Foundation
import Logging
import ServiceLifecycle
import UnixSignals

/// Reloads the configuration on SIGHUP (as coturn does) until the process stops, and keeps `process.pidFile`: the
/// file is written once SIGHUP is trapped (so `switchboard reload` never signals a process that would die of it)
/// and removed at a graceful stop.
final class ConfigurationReloadService: Service, Sendable {
    private let reloader: ConfigurationReloader
    private let pidFile: String
    private let logger: Logger

    init(reloader: ConfigurationReloader, pidFile: String, logger: Logger) {
        self.reloader = reloader
        self.pidFile = pidFile
        self.logger = logger
    }

    func run() async throws {
        let signals = await UnixSignalsSequence(trapping: .sighup)
        if !self.pidFile.isEmpty {
            let written = FileManager.default.createFile(
                atPath: self.pidFile,
                contents: Data("\(ProcessInfo.processInfo.processIdentifier)\n".utf8)
            )
            if !written {
                self.logger.warning("cannot write the pid file", metadata: ["process.pidFile": "\(self.pidFile)"])
            }
        }
        for await _ in signals.cancelOnGracefulShutdown() {
            self.reloader.reload()
        }
        if !self.pidFile.isEmpty {
            try? FileManager.default.removeItem(atPath: self.pidFile)
        }
    }
}
