import Testing

@testable import SwitchboardApp

@Suite struct RequestRateLimiterTests {
    private let start = ContinuousClock.now
    private let alice: [UInt8] = [192, 0, 2, 1]
    private let bob: [UInt8] = [192, 0, 2, 2]

    /// The answers to `count` requests from `client` at `seconds` after the start.
    private func admit(
        _ limiter: inout RequestRateLimiter,
        _ client: [UInt8],
        at seconds: Int = 0,
        count: Int = 1
    ) -> [Bool] {
        (0..<count).map { _ in limiter.admit(client, now: self.start + .seconds(seconds)) }
    }

    @Test func aBurstOfPerMinuteThenRefused() {
        var limiter = RequestRateLimiter(perMinute: 3)
        #expect(self.admit(&limiter, self.alice, count: 5) == [true, true, true, false, false])
        #expect(self.admit(&limiter, self.bob) == [true])
    }

    @Test func tokensComeBackEvenlyOverAMinute() {
        var limiter = RequestRateLimiter(perMinute: 6)
        #expect(self.admit(&limiter, self.alice, count: 6) == Array(repeating: true, count: 6))
        #expect(self.admit(&limiter, self.alice, at: 9) == [false])
        #expect(self.admit(&limiter, self.alice, at: 10) == [true])
        #expect(self.admit(&limiter, self.alice, at: 11) == [false])
        // A long pause refills to the burst, never beyond.
        #expect(self.admit(&limiter, self.alice, at: 3600, count: 8).filter { $0 }.count == 6)
    }

    @Test func zeroIsUnlimited() {
        var limiter = RequestRateLimiter(perMinute: 0)
        #expect(self.admit(&limiter, self.alice, count: 10_000).allSatisfy { $0 })
        #expect(limiter.trackedClients == 0)
    }

    @Test func memoryIsBoundedAndIdleClientsAreForgotten() {
        var limiter = RequestRateLimiter(perMinute: 2, maxClients: 3)
        for client in 0..<3 {
            #expect(self.admit(&limiter, [10, 0, 0, UInt8(client)]) == [true])
        }
        // Full, and nobody idle yet: a new client waits.
        #expect(self.admit(&limiter, [10, 0, 0, 9], at: 2) == [false])
        #expect(limiter.trackedClients == 3)
        // A minute later every bucket is full again and forgotten.
        #expect(self.admit(&limiter, [10, 0, 0, 9], at: 62) == [true])
        #expect(limiter.trackedClients == 1)
    }

    @Test func ipv6ClientsCountPerSlash64() throws {
        let one = try #require(ClientAddress("2001:db8:1:2::1"))
        let other = try #require(ClientAddress("2001:db8:1:2:ffff::9"))
        let elsewhere = try #require(ClientAddress("2001:db8:1:3::1"))
        #expect(one.rateLimitKey == other.rateLimitKey)
        #expect(one.rateLimitKey != elsewhere.rateLimitKey)
        #expect(ClientAddress("::ffff:192.0.2.1")?.rateLimitKey == [192, 0, 2, 1])
    }
}
