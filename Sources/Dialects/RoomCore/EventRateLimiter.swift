import NIOCore

/// Events per second per socket (`dialects.eventsPerSecond`, off by default): a token bucket that refills at
/// `perSecond` and holds a burst of at least ``minimumBurst`` events, so a client trickling a few hundred ICE
/// candidates at once (several interfaces, TURN over UDP, TCP and TLS) never meets it. Floods are bounded by the
/// connection's byte budgets, not by this count.
struct EventRateLimiter: Sendable {
    /// The smallest burst the bucket holds, whatever the rate.
    static let minimumBurst = 1000

    let perSecond: Int
    let burst: Int
    private var tokens: Double
    private var last: NIODeadline

    init(perSecond: Int, now: NIODeadline = .now()) {
        self.perSecond = perSecond
        self.burst = max(perSecond, Self.minimumBurst)
        self.tokens = Double(self.burst)
        self.last = now
    }

    /// Whether one more event may pass at `now` (0 events per second is unlimited).
    mutating func admit(now: NIODeadline = .now()) -> Bool {
        guard self.perSecond > 0 else {
            return true
        }
        if now > self.last {
            let seconds = Double((now - self.last).nanoseconds) / 1e9
            self.tokens = min(Double(self.burst), self.tokens + seconds * Double(self.perSecond))
            self.last = now
        }
        guard self.tokens >= 1 else {
            return false
        }
        self.tokens -= 1
        return true
    }
}
