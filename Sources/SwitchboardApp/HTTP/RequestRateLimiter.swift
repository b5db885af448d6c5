/// A token bucket per client: `perMinute` requests at once, refilled evenly over a minute. The time is passed in,
/// so the decisions are tested without a clock.
///
/// At most `maxClients` buckets are kept: when that many clients were seen, buckets that have refilled completely
/// (idle for a minute) are forgotten, at most once a second; a new client that still finds no room is refused
/// until some do, so memory stays bounded however many addresses an attacker has.
struct RequestRateLimiter: Sendable {
    private struct Bucket {
        var tokens: Double
        var updated: ContinuousClock.Instant
    }

    /// 0 admits everything.
    let perMinute: Int
    let maxClients: Int
    private var buckets: [[UInt8]: Bucket] = [:]
    private var lastPrune: ContinuousClock.Instant?

    init(perMinute: Int, maxClients: Int = 10_000) {
        self.perMinute = perMinute
        self.maxClients = maxClients
    }

    /// Clients currently tracked.
    var trackedClients: Int {
        self.buckets.count
    }

    /// Whether `client` may make one more request at `now`; takes one token when it may.
    mutating func admit(_ client: [UInt8], now: ContinuousClock.Instant) -> Bool {
        guard self.perMinute > 0 else {
            return true
        }
        let capacity = Double(self.perMinute)
        guard var bucket = self.buckets[client] else {
            if self.buckets.count >= self.maxClients {
                self.prune(now: now)
                guard self.buckets.count < self.maxClients else {
                    return false
                }
            }
            self.buckets[client] = Bucket(tokens: capacity - 1, updated: now)
            return true
        }
        bucket.tokens = min(capacity, bucket.tokens + Self.seconds(now - bucket.updated) * capacity / 60)
        bucket.updated = now
        let admitted = bucket.tokens >= 1
        if admitted {
            bucket.tokens -= 1
        }
        self.buckets[client] = bucket
        return admitted
    }

    private mutating func prune(now: ContinuousClock.Instant) {
        if let last = self.lastPrune, now - last < .seconds(1) {
            return
        }
        self.lastPrune = now
        let capacity = Double(self.perMinute)
        self.buckets = self.buckets.filter { _, bucket in
            bucket.tokens + Self.seconds(now - bucket.updated) * capacity / 60 < capacity
        }
    }

    private static func seconds(_ duration: Duration) -> Double {
        let components = duration.components
        return Double(components.seconds) + Double(components.attoseconds) / 1e18
    }
}
