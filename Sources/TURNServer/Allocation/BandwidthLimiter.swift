import NIOCore

/// A token bucket capping the bytes per second one allocation relays (both directions together); optional.
public struct BandwidthLimiter: Sendable {
    public let bytesPerSecond: Int
    private var tokens: Int
    private var lastRefill: NIODeadline

    /// One second of traffic may burst.
    public init(bytesPerSecond: Int, now: NIODeadline) {
        self.bytesPerSecond = bytesPerSecond
        self.tokens = bytesPerSecond
        self.lastRefill = now
    }

    /// Whether `bytes` may pass now; takes them from the bucket if so.
    public mutating func admit(_ bytes: Int, now: NIODeadline) -> Bool {
        let elapsed = now - self.lastRefill
        if elapsed.nanoseconds > 0 {
            let refill = Int(
                min(Int64(self.bytesPerSecond), elapsed.nanoseconds * Int64(self.bytesPerSecond) / 1_000_000_000)
            )
            if refill > 0 {
                self.tokens = min(self.bytesPerSecond, self.tokens + refill)
                self.lastRefill = now
            }
        }
        guard self.tokens >= bytes else {
            return false
        }
        self.tokens -= bytes
        return true
    }
}
