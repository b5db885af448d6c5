import NIOConcurrencyHelpers
import ServiceLifecycle
import UnixSignals

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
        // The group shuts the HTTP server down before this service, so a signal is the earlier sign of a stop.
        let signals = await UnixSignalsSequence(trapping: .sigterm, .sigint)
        await withTaskGroup(of: Void.self) { group in
            group.addTask {
                for await _ in signals {
                    return
                }
            }
            group.addTask { try? await gracefulShutdown() }
            await group.next()
            group.cancelAll()
        }
        self.notifier?.notify("STOPPING=1\nSTATUS=stopping")
        // Returning before the group's shutdown reaches this service would cancel the whole group.
        try? await gracefulShutdown()
    }
}
