import NIOCore
import Testing

@testable import Dialects

/// `dialects.eventsPerSecond`: off by default; when set, a token bucket whose burst a real client's ICE trickle
/// does not reach (issue: 300 candidates at once lost about 100 to a one-second window of 200).
@Suite struct EventRateLimiterTests {
    /// How many of `count` events offered at `now` pass.
    private func admitted(_ count: Int, _ limiter: inout EventRateLimiter, at now: NIODeadline) -> Int {
        (0..<count).reduce(0) { passed, _ in passed + (limiter.admit(now: now) ? 1 : 0) }
    }

    @Test func offByDefault() {
        #expect(SignalingDialectsConfiguration().eventsPerSecond == 0)
        var limiter = EventRateLimiter(perSecond: 0, now: .uptimeNanoseconds(0))
        #expect(self.admitted(100_000, &limiter, at: .uptimeNanoseconds(0)) == 100_000)
    }

    @Test func aBurstOfAThousandPassesThenTheRateRefills() {
        let start = NIODeadline.uptimeNanoseconds(1_000_000_000)
        var limiter = EventRateLimiter(perSecond: 200, now: start)
        #expect(limiter.burst == 1000)
        #expect(self.admitted(1001, &limiter, at: start) == 1000)
        // Half a second refills 100 events, no more.
        #expect(self.admitted(101, &limiter, at: start + .milliseconds(500)) == 100)
        // The bucket never holds more than its burst.
        #expect(self.admitted(1001, &limiter, at: start + .seconds(3600)) == 1000)
    }

    @Test func aRateAboveTheMinimumBurstIsItsOwnBurst() {
        #expect(EventRateLimiter(perSecond: 5000).burst == 5000)
    }
}
