import ServiceLifecycle

/// Looks at the certificate files every `tls.watchIntervalSeconds` until the process stops
/// (``ConfigurationReloader/lookAtCertificateFiles()``): an ACME renewal reaches new TLS handshakes on its own.
final class CertificateWatchService: Service, Sendable {
    private let reloader: ConfigurationReloader
    private let interval: Duration

    init(reloader: ConfigurationReloader, interval: Duration) {
        self.reloader = reloader
        self.interval = interval
    }

    func run() async throws {
        await cancelWhenGracefulShutdown {
            while true {
                do {
                    try await Task.sleep(for: self.interval)
                } catch {
                    return  // Cancelled: the process is stopping.
                }
                self.reloader.lookAtCertificateFiles()
            }
        }
    }
}
