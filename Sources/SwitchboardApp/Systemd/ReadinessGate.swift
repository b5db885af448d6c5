/// Decides when the process is ready for systemd's `READY=1`: once every listener it expects has bound.
///
/// Pure: the listeners report in any order, from any task; the caller sends the notification when ``bound(_:)``
/// says so, which happens exactly once.
struct ReadinessGate: Sendable {
    /// One kind of listening socket.
    enum Listener: String, Sendable, CaseIterable {
        case stun
        case http
        case https
        case admin
        /// Dialect C's own port (`dialects.rawWebSocketPort`).
        case rawWebSocket
    }

    private var waiting: Set<Listener>
    private var announced = false

    init(expecting listeners: Set<Listener>) {
        self.waiting = listeners
    }

    /// Records that `listener` is bound; returns true when this was the last one awaited (and only then).
    mutating func bound(_ listener: Listener) -> Bool {
        self.waiting.remove(listener)
        guard self.waiting.isEmpty, !self.announced else {
            return false
        }
        self.announced = true
        return true
    }
}
