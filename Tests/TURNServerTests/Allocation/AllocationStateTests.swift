import NIOCore
import STUNCodec
import Testing

@testable import TURNServer

/// The allocation state machine with a synthetic clock: no sleeps, no sockets.
@Suite struct AllocationStateTests {
    let start = NIODeadline.uptimeNanoseconds(1_000_000_000_000)
    let lifetimes = TURNLifetimes()
    let peer = TransportAddress(ip: .v4(0xC633_6407), port: 5000)  // 198.51.100.7
    let otherPeer = TransportAddress(ip: .v4(0xCB00_7109), port: 6000)  // 203.0.113.9

    private func at(_ seconds: Int64) -> NIODeadline {
        self.start + .seconds(seconds)
    }

    @Test(
        arguments: [
            (nil, 600), (0, 600), (60, 600), (600, 600), (1200, 1200), (3600, 3600), (86400, 3600), (UInt32.max, 3600),
        ] as [(UInt32?, Int64)]
    )
    func grantedLifetimeIsClamped(requested: UInt32?, expected: Int64) {
        #expect(self.lifetimes.grantedAllocationLifetime(requestedSeconds: requested) == .seconds(expected))
    }

    @Test func allocationExpiresAtItsLifetimeAndRefreshExtendsIt() {
        var state = AllocationState(lifetime: .seconds(600), lifetimes: self.lifetimes, now: self.start)
        #expect(state.remainingSeconds(now: self.start) == 600)
        #expect(!state.isExpired(now: self.at(599)))
        #expect(state.isExpired(now: self.at(600)))
        state.refresh(lifetime: .seconds(1200), now: self.at(500))
        #expect(!state.isExpired(now: self.at(1699)))
        #expect(state.isExpired(now: self.at(1700)))
        #expect(state.remainingSeconds(now: self.at(1000)) == 700)
        #expect(state.remainingSeconds(now: self.at(5000)) == 0)
    }

    @Test func permissionsLastThreeHundredSecondsPerIPAndAreSwept() {
        var state = AllocationState(lifetime: .seconds(3600), lifetimes: self.lifetimes, now: self.start)
        #expect(!state.hasPermission(for: self.peer.ip, now: self.start))
        state.installPermission(for: self.peer.ip, now: self.start)
        #expect(state.hasPermission(for: self.peer.ip, now: self.at(299)))
        // Ports do not matter (RFC 8656 §9).
        #expect(state.hasPermission(for: TransportAddress(ip: self.peer.ip, port: 1).ip, now: self.at(10)))
        #expect(!state.hasPermission(for: self.peer.ip, now: self.at(300)))
        state.installPermission(for: self.peer.ip, now: self.at(200))
        #expect(state.hasPermission(for: self.peer.ip, now: self.at(499)))
        do {
            let swept = state.sweep(now: self.at(400))
            #expect(swept == AllocationState.SweepResult())
        }
        do {
            let swept = state.sweep(now: self.at(500))
            #expect(swept == AllocationState.SweepResult(expiredPermissions: 1, expiredChannels: 0))
        }
        #expect(state.permissions.isEmpty)
    }

    @Test func channelBindKeepsThePermissionForTheChannelLifetime() {
        var state = AllocationState(lifetime: .seconds(3600), lifetimes: self.lifetimes, now: self.start)
        do {
            let decision = state.bindChannel(0x4000, to: self.peer, now: self.start)
            #expect(decision == .bound)
        }
        #expect(state.peer(forChannel: 0x4000, now: self.at(10)) == self.peer)
        #expect(state.channel(forPeer: self.peer, now: self.at(10)) == 0x4000)
        // Past the 300 s permission lifetime, the channel keeps its peer reachable (aioice rebinds at 500 s).
        #expect(state.hasPermission(for: self.peer.ip, now: self.at(550)))
        #expect(state.peer(forChannel: 0x4000, now: self.at(599)) == self.peer)
        #expect(state.peer(forChannel: 0x4000, now: self.at(600)) == nil)
        #expect(!state.hasPermission(for: self.peer.ip, now: self.at(600)))
        // A rebind at 500 s refreshes both.
        do {
            let decision = state.bindChannel(0x4000, to: self.peer, now: self.at(500))
            #expect(decision == .bound)
        }
        #expect(state.hasPermission(for: self.peer.ip, now: self.at(1099)))
        do {
            let swept = state.sweep(now: self.at(1100))
            #expect(swept == AllocationState.SweepResult(expiredPermissions: 1, expiredChannels: 1))
        }
        #expect(state.channels.isEmpty && state.channelsByPeer.isEmpty)
    }

    @Test func rebindRulesOfRFC8656Section12() {
        var state = AllocationState(lifetime: .seconds(3600), lifetimes: self.lifetimes, now: self.start)
        do {
            let decision = state.bindChannel(0x3FFF, to: self.peer, now: self.start)
            #expect(decision == .invalidChannelNumber)
        }
        do {
            let decision = state.bindChannel(0x5000, to: self.peer, now: self.start)
            #expect(decision == .invalidChannelNumber)
        }
        do {
            let decision = state.bindChannel(0x4FFF, to: self.peer, now: self.start)
            #expect(decision == .bound)
        }
        // The number is taken by another peer, and the peer by another number.
        do {
            let decision = state.bindChannel(0x4FFF, to: self.otherPeer, now: self.at(1))
            #expect(decision == .conflictingBinding)
        }
        do {
            let decision = state.bindChannel(0x4001, to: self.peer, now: self.at(1))
            #expect(decision == .conflictingBinding)
        }
        // Same port, other IP is another peer (channels bind transport addresses).
        let samePortOtherIP = TransportAddress(ip: self.otherPeer.ip, port: self.peer.port)
        do {
            let decision = state.bindChannel(0x4001, to: samePortOtherIP, now: self.at(1))
            #expect(decision == .bound)
        }
        // Once a binding expires, its number and its peer are free again.
        do {
            let decision = state.bindChannel(0x4FFF, to: self.otherPeer, now: self.at(600))
            #expect(decision == .bound)
        }
        #expect(state.channel(forPeer: self.peer, now: self.at(600)) == nil)
        do {
            let decision = state.bindChannel(0x4002, to: self.peer, now: self.at(600))
            #expect(decision == .bound)
        }
        #expect(state.peer(forChannel: 0x4FFF, now: self.at(601)) == self.otherPeer)
    }

    @Test func serverIPPermissionsAreMarkedForPerDatagramChecks() {
        var state = AllocationState(lifetime: .seconds(3600), lifetimes: self.lifetimes, now: self.start)
        state.installPermission(for: self.peer.ip, now: self.start, isServerIP: true)
        #expect(state.permission(for: self.peer.ip, now: self.at(1))?.isServerIP == true)
        #expect(state.bindChannel(0x4001, to: self.otherPeer, now: self.start, isServerIP: true) == .bound)
        #expect(state.permission(for: self.otherPeer.ip, now: self.at(1))?.isServerIP == true)
        state.installPermission(for: self.otherPeer.ip, now: self.at(2))
        #expect(state.permission(for: self.otherPeer.ip, now: self.at(3))?.isServerIP == false)
    }

    @Test func createPermissionNeverShortensAChannelsPermission() {
        var state = AllocationState(lifetime: .seconds(3600), lifetimes: self.lifetimes, now: self.start)
        #expect(state.bindChannel(0x4001, to: self.peer, now: self.start) == .bound)
        state.installPermission(for: self.peer.ip, now: self.at(10))
        // The channel (600 s) keeps the permission alive past the 300 s a CreatePermission alone gives.
        #expect(state.hasPermission(for: self.peer.ip, now: self.at(590)))
    }

    @Test func bandwidthLimiterAdmitsOneSecondBurstThenRefills() {
        var limiter = BandwidthLimiter(bytesPerSecond: 1000, now: self.start)
        do {
            let admitted = limiter.admit(600, now: self.start)
            #expect(admitted)
        }
        do {
            let admitted = limiter.admit(400, now: self.start)
            #expect(admitted)
        }
        do {
            let admitted = limiter.admit(1, now: self.start)
            #expect(!admitted)
        }
        do {
            let admitted = limiter.admit(500, now: self.start + .milliseconds(500))
            #expect(admitted)
        }
        do {
            let admitted = limiter.admit(100, now: self.start + .milliseconds(500))
            #expect(!admitted)
        }
        do {
            let admitted = limiter.admit(1000, now: self.at(10))
            #expect(admitted)
        }
    }
}
