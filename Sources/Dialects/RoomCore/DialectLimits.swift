import Synchronization

/// The per-socket event rate in force (`dialects.eventsPerSecond`), shared by the dialects of one namespace and
/// changed by a configuration reload; read once per connecting socket.
final class DialectLimits: Sendable {
    private let rate: Atomic<Int>

    init(eventsPerSecond: Int) {
        self.rate = Atomic(eventsPerSecond)
    }

    /// Events per second a socket connecting now may send; 0 is unlimited.
    var eventsPerSecond: Int {
        get { self.rate.load(ordering: .relaxed) }
        set { self.rate.store(newValue, ordering: .relaxed) }
    }
}
