import NIOCore

/// Events per second per socket (issue limit `dialects.eventsPerSecond`): a one-second token bucket.
struct EventRateLimiter: Sendable {
    let perSecond: Int
    private var tokens: Int
    private var windowStart: NIODeadline

    init(perSecond: Int, now: NIODeadline = .now()) {
        self.perSecond = perSecond
        self.tokens = perSecond
        self.windowStart = now
    }

    /// Whether one more event may pass now.
    mutating func admit(now: NIODeadline = .now()) -> Bool {
        guard self.perSecond > 0 else {
            return true
        }
        if now - self.windowStart >= .seconds(1) {
            self.windowStart = now
            self.tokens = self.perSecond
        }
        guard self.tokens > 0 else {
            return false
        }
        self.tokens -= 1
        return true
    }
}
