import Dialects
import Hummingbird
import HummingbirdCore
import Logging
import NIOConcurrencyHelpers
import NIOCore
import ServiceLifecycle
import SignalingServer
import TURNServer

/// Dialect C's own listener (`dialects.rawWebSocketPort`): plain HTTP/1.1 where a WebSocket upgrade on any path
/// joins the raw-WebSocket dialect, as the original `ws` `Server({port: 8080})` did; any other request gets 404.
/// A port that cannot be bound stops the start with an error naming the key (docs/dialects.md#rawws).
struct RawWebSocketListener: Service {
    let dialect: RawWebSocketDialect
    let host: String
    let port: Int
    let origin: ConfigurationOrigin
    let limits: HTTPConnectionLimits
    let eventLoopGroup: any EventLoopGroup
    let logger: Logger
    /// Called once the port is bound.
    let onListening: @Sendable () -> Void

    func run() async throws {
        let listening = NIOLockedValueBox(false)
        let logger = self.logger
        let onListening = self.onListening
        let application = Application(
            router: Router(context: SwitchboardRequestContext.self),
            server: .http1WebSocketEndpoints([], anyPath: self.dialect, limits: self.limits),
            configuration: ApplicationConfiguration(
                address: .hostname(self.host, port: self.port),
                serverName: "Switchboard"
            ),
            onServerRunning: { channel in
                listening.withLockedValue { $0 = true }
                onListening()
                let address = channel.localAddress.map { TURNService.ListeningSocket.format($0) } ?? "?"
                logger.info("raw WebSocket listening", metadata: ["transport": "tcp", "address": "\(address)"])
            },
            eventLoopGroupProvider: .shared(self.eventLoopGroup),
            logger: self.logger
        )
        do {
            try await application.run()
        } catch let error where !listening.withLockedValue({ $0 }) {
            throw ConfigurationErrors([
                ConfigurationError(
                    key: "dialects.rawWebSocketPort",
                    origin: self.origin,
                    message:
                        "cannot listen on \(self.host) port \(self.port) (\(error)); choose another port or 0 (off)"
                )
            ])
        }
    }
}
