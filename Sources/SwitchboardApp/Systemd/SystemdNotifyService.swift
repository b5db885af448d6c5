import NIOConcurrencyHelpers
import ServiceLifecycle

/// Sends `READY=1` to systemd once every listener is bound and `STOPPING=1` when shutdown begins; does nothing
/// without `NOTIFY_SOCKET`.
final class SystemdNotifyService: Service, Sendable {
    private let notifier: SystemdNotifier?
    private let gate: NIOLockedValueBox<ReadinessGate>

    init(notifier: SystemdNotifier?, expecting listeners: Set<ReadinessGate.Listener>) {
        self.notifier = notifier
        self.gate = NIOLockedValueBox(ReadinessGate(expecting: listeners))
    }

    /// Call when `listener` has bound its sockets.
    func bound(_ listener: ReadinessGate.Listener) {
        if self.gate.withLockedValue({ $0.bound(listener) }) {
            self.notifier?.notify("READY=1\nSTATUS=listening")
        }
    }

    func run() async throws {
        // Waits for the shutdown signal; the group shuts the last services down first, so this is early.
        try? await gracefulShutdown()
        self.notifier?.notify("STOPPING=1\nSTATUS=stopping")
    }
}
