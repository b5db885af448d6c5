import CoreMetrics
import Dialects
import Logging
import NIOConcurrencyHelpers
import NIOSSL
import TURNServer

/// Re-reads the configuration of a running process (SIGHUP, `switchboard reload`, `POST /api/reload`) the way it was
/// read at start (``ConfigurationSource``: file, environment, flags) and puts the keys that can change
/// into force without dropping anything (``ConfigurationReloadPlan``): TURN users, secrets, quotas, peer lists and
/// bandwidth cap for new requests, the log level, the signing secret of ICE credentials, the dialects' room size and
/// event rate, and the TLS certificate for new handshakes.
///
/// Between reloads it also looks at the certificate files (``lookAtCertificateFiles()``, every
/// `tls.watchIntervalSeconds`), so a renewal on disk reaches new handshakes without a signal.
///
/// A configuration that fails validation is rejected whole, logged with the lines `check-config` prints, and the
/// configuration in force stays. Keys that need a restart are logged by name and left alone. Secrets are never
/// logged: keys appear by name only.
final class ConfigurationReloader: Sendable {
    /// The parts of the running process a reload updates.
    struct Targets: Sendable {
        var turnService: TURNService
        /// The secret used when `turn.secrets` is empty (generated at start, kept for the life of the process).
        var generatedSecret: String
        /// The secret that signs the credentials handed out to clients (the first of the secrets in force).
        var signingSecret: NIOLockedValueBox<String>
        /// The TLS chain and key in force; nil when no TLS listener was started (then the TLS keys need a restart).
        var certificates: TLSCertificateStore?
        var logLevel: LogLevelSwitch
        /// The Socket.IO dialects of every namespace (the main path and the pinned ones); empty for the test app.
        var dialects: [SignalingDialects] = []
    }

    private let source: ConfigurationSource
    private let targets: Targets
    private let logger: Logger
    private let metrics = ConfigurationReloadMetrics()
    /// The values in force; one reload (or look at the certificate files) at a time.
    private let running: NIOLockedValueBox<[String: ConfigurationValue]>
    /// What the certificate files in force looked like when they were last loaded; only changed under `running`.
    private let certificateWatch: NIOLockedValueBox<CertificateFileWatch>

    init(source: ConfigurationSource, running: SwitchboardConfiguration, targets: Targets, logger: Logger) {
        self.source = source
        self.targets = targets
        self.logger = logger
        self.running = NIOLockedValueBox(running.values.byPath)
        self.certificateWatch = NIOLockedValueBox(
            CertificateFileWatch(
                loaded: CertificateFileStamp.look(
                    certificateFile: running.tls.certificateFile,
                    privateKeyFile: running.tls.privateKeyFile
                )
            )
        )
    }

    /// Reads the configuration again and applies it; logs and counts the outcome.
    @discardableResult
    func reload() -> Outcome {
        self.logger.info(
            "reloading the configuration",
            metadata: ["file": "\(self.source.filePath ?? "(none: defaults, environment and flags)")"]
        )
        let outcome = self.running.withLockedValue { running in
            self.reload(running: &running)
        }
        switch outcome {
        case .applied(let plan):
            self.metrics.applied.increment()
            self.metrics.restartPendingKeys.record(plan.needsRestart.count)
        case .rejected(let errors):
            self.metrics.rejected.increment()
            self.logger.error(
                "configuration reload rejected; the configuration in force is kept",
                metadata: ["problems": "\(errors.count)"]
            )
            for error in errors {
                self.logger.error("\(error)")
            }
        }
        return outcome
    }

    /// Loads, checks and applies; on success `running` becomes the values in force.
    private func reload(running: inout [String: ConfigurationValue]) -> Outcome {
        let loaded: SwitchboardConfiguration
        do {
            loaded = try self.source.load()
        } catch {
            return .rejected(error.errors)
        }
        // Every file is read before anything changes, so a bad certificate rejects the whole reload.
        var tls: ([NIOSSLCertificate], NIOSSLPrivateKey)?
        if self.targets.certificates != nil, loaded.tls.hasCertificate {
            do {
                tls = try ServerTLSConfiguration.loadFiles(loaded.tls)
            } catch {
                return .rejected(error.errors)
            }
        }
        var live = ConfigurationReloadPlan.liveKeys
        if self.targets.certificates == nil {
            live.subtract(["tls.certificateFile", "tls.privateKeyFile"])
        }
        let plan = ConfigurationReloadPlan(running: running, loaded: loaded.values.byPath, live: live)

        let secrets = loaded.turn.restSecrets(generated: self.targets.generatedSecret)
        self.targets.turnService.apply(TURNReloadableSettings(loaded.turn, restSecrets: secrets))
        self.targets.signingSecret.withLockedValue { $0 = secrets[0] }
        for dialects in self.targets.dialects {
            dialects.apply(
                maxMembersPerRoom: loaded.dialects.maxMembersPerRoom,
                eventsPerSecond: loaded.dialects.eventsPerSecond
            )
        }
        if let tls, let store = self.targets.certificates {
            store.replace(chain: tls.0, key: tls.1)
            let stamps = CertificateFileStamp.look(
                certificateFile: loaded.tls.certificateFile,
                privateKeyFile: loaded.tls.privateKeyFile
            )
            self.certificateWatch.withLockedValue { $0.loaded(stamps) }
            self.logger.info(
                "TLS certificate reloaded for new connections",
                metadata: ["file": "\(loaded.tls.certificateFile)"]
            )
        }

        if plan.applied.isEmpty {
            self.logger.info("configuration reloaded; no live key changed")
        } else {
            self.logger.info(
                "configuration reloaded",
                metadata: ["applied": "\(plan.applied.joined(separator: ", "))"]
            )
        }
        if !plan.needsRestart.isEmpty {
            self.logger.warning(
                "configuration keys changed that take effect only after a restart; left alone",
                metadata: ["keys": "\(plan.needsRestart.joined(separator: ", "))"]
            )
        }
        // Last, so that the reload's own report is written at the level it started with.
        self.targets.logLevel.level = loaded.log.level
        running = plan.valuesInForce(running: running, loaded: loaded.values.byPath)
        return .applied(plan)
    }

    /// One look at the certificate and key files in force (``CertificateFileWatch``): when they changed and held
    /// still since the last look, they are loaded for new handshakes; a pair that does not load is logged once and
    /// the pair in force stays.
    func lookAtCertificateFiles() {
        guard let store = self.targets.certificates else {
            return
        }
        self.running.withLockedValue { running in
            guard let tls = try? TLSListenerConfiguration(ConfigurationValues(byPath: running)), tls.hasCertificate
            else {
                return
            }
            let (certificateFile, privateKeyFile) = (tls.certificateFile, tls.privateKeyFile)
            let stamps = CertificateFileStamp.look(certificateFile: certificateFile, privateKeyFile: privateKeyFile)
            let decision = self.certificateWatch.withLockedValue { watch in
                let decision = watch.look(stamps)
                if decision == .load {
                    watch.loaded(stamps)
                }
                return decision
            }
            guard decision == .load else {
                return
            }
            do throws(ConfigurationErrors) {
                let (chain, key) = try ServerTLSConfiguration.loadFiles(tls)
                store.replace(chain: chain, key: key)
                self.metrics.certificateApplied.increment()
                self.logger.info(
                    "TLS certificate files changed; reloaded for new connections",
                    metadata: ["file": "\(certificateFile)"]
                )
            } catch {
                self.metrics.certificateRejected.increment()
                self.logger.error(
                    "TLS certificate files changed but do not load; the certificate in force is kept",
                    metadata: ["file": "\(certificateFile)"]
                )
                for problem in error.errors {
                    self.logger.error("\(problem)")
                }
            }
        }
    }
}
