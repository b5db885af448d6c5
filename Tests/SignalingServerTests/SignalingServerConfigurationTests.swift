import SocketIOCodec
import Testing

@testable import SignalingServer

/// Each protocol revision gets its own reference server's heartbeat and limit (issue: a v3 client was handed
/// engine.io 4's 20 s ping timeout, and socketIM's 1.5 MB voice clips were over the 1 MB limit).
@Suite struct SignalingServerConfigurationTests {
    @Test func v3AndV4DefaultToTheirReferenceServers() {
        let configuration = SignalingServerConfiguration()
        let v3 = configuration.revision(.v3)
        let v4 = configuration.revision(.v4)
        #expect(v3.pingIntervalMilliseconds == 25_000 && v3.pingTimeoutMilliseconds == 5_000)
        #expect(v4.pingIntervalMilliseconds == 25_000 && v4.pingTimeoutMilliseconds == 20_000)
        #expect(v3.maxHttpBufferSize >= 10_000_000 && v4.maxHttpBufferSize == 1_000_000)
        // A v3 session's budget holds two of its largest messages; v4 keeps the configured budget.
        #expect(v3.outboundBufferBytes == 2 * v3.maxHttpBufferSize)
        #expect(v4.outboundBufferBytes == configuration.outboundBufferBytes)
    }

    @Test func eachRevisionIsConfiguredOnItsOwn() {
        let configuration = SignalingServerConfiguration(
            pingIntervalMilliseconds: 1000,
            pingTimeoutMilliseconds: 2000,
            maxHttpBufferSize: 3000,
            outboundBufferBytes: 1 << 30,
            eio3PingIntervalMilliseconds: 4000,
            eio3PingTimeoutMilliseconds: 5000,
            eio3MaxHttpBufferSize: 6000
        )
        #expect(
            configuration.revision(.v3)
                == .init(
                    pingIntervalMilliseconds: 4000,
                    pingTimeoutMilliseconds: 5000,
                    maxHttpBufferSize: 6000,
                    outboundBufferBytes: 1 << 30
                )
        )
        #expect(
            configuration.revision(.v4)
                == .init(
                    pingIntervalMilliseconds: 1000,
                    pingTimeoutMilliseconds: 2000,
                    maxHttpBufferSize: 3000,
                    outboundBufferBytes: 1 << 30
                )
        )
    }
}
