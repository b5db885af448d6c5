import SignalingServer
import Testing

@Suite struct SignalingServerConfigurationTests {
    @Test func defaultsExist() {
        _ = SignalingServerConfiguration()
    }
}
