import Hummingbird
import HummingbirdCore
import Logging
import NIOCore
import ServiceLifecycle
import SignalingServer
import SignalingTestApp

/// Adds the signaling plane (Engine.IO / Socket.IO) to the HTTP server, configured from the `signaling.*` keys.
///
/// ``server`` is the Socket.IO server the signaling code registers its namespaces and handlers on. With
/// `signaling.testApp` on, the conformance test application is installed too (see `SocketIOTestApp`), and an
/// Engine.IO echo endpoint answers at `/engine.io/`: that is what the interop tests and the official suites need.
struct SignalingSetup {
    let configuration: SwitchboardConfiguration
    let logger: Logger
    /// The Socket.IO server.
    let server: SocketIOServer
    /// The Engine.IO echo endpoint at `/engine.io/`, when `signaling.testApp` is on.
    let echo: EngineIOServer?

    init(configuration: SwitchboardConfiguration, eventLoopGroup: any EventLoopGroup, logger: Logger) {
        self.configuration = configuration
        self.logger = logger
        let signalingConfiguration = configuration.signaling.server
        let metrics = SignalingMetrics()
        // Sessions live on the loops of the application's group (the HTTP server's and the TURN relay's, `threads`
        // of them); each keeps to one loop (see `EngineIOSession`).
        self.server = SocketIOServer(
            configuration: signalingConfiguration,
            eventLoopGroup: eventLoopGroup,
            metrics: metrics,
            logger: logger
        )
        if configuration.signaling.testApp {
            logger.warning(
                "signaling.testApp is on: the conformance test application is installed",
                metadata: ["signaling.path": "\(signalingConfiguration.path)", "engineio.echo.path": "/engine.io/"]
            )
            SocketIOTestApp.install(on: self.server)
            var echoConfiguration = signalingConfiguration
            echoConfiguration.path = "/engine.io/"
            self.echo = EngineIOServer(
                configuration: echoConfiguration,
                eventLoopGroup: eventLoopGroup,
                metrics: metrics,
                logger: logger
            ) { session in
                EngineIOEchoHandler(session: session)
            }
        } else {
            self.echo = nil
        }
    }

    /// HTTP and WebSocket routes of the signaling plane: polling and WebSocket upgrades on the same path.
    func addRoutes<Context: RequestContext>(to router: Router<Context>) {
        self.server.addRoutes(to: router)
        self.echo?.addRoutes(to: router)
    }

    /// The WebSocket endpoints of the signaling plane: the Socket.IO path, and `/engine.io/` with the test app.
    var webSocketEndpoints: [any WebSocketEndpoint] {
        [self.server.webSocketEndpoint] + (self.echo.map { [$0] } ?? [])
    }

    /// Services the signaling plane runs next to the HTTP server: on graceful shutdown, every client is sent the
    /// close packet.
    var services: [any Service] {
        [SignalingService(server: self.server)]
    }
}
