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
        let signalingConfiguration = Self.signalingConfiguration(from: configuration)
        let metrics = SignalingMetrics()
        // Sessions live on the loops of the application's group (the HTTP server's and the TURN relay's, `threads`
        // of them); each keeps to one loop (see `EngineIOSession`).
        self.server = SocketIOServer(
            configuration: signalingConfiguration,
            eventLoopGroup: eventLoopGroup,
            metrics: metrics,
            logger: logger
        )
        if Self.boolean(configuration, "signaling.testApp") {
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

    // MARK: - Configuration

    static func signalingConfiguration(from configuration: SwitchboardConfiguration) -> SignalingServerConfiguration {
        var transports: Set<SignalingServerConfiguration.Transport> = []
        if Self.boolean(configuration, "signaling.transports.polling") {
            transports.insert(.polling)
        }
        if Self.boolean(configuration, "signaling.transports.websocket") {
            transports.insert(.websocket)
        }
        return SignalingServerConfiguration(
            path: Self.string(configuration, "signaling.path"),
            pingIntervalMilliseconds: Self.integer(configuration, "signaling.pingIntervalMilliseconds"),
            pingTimeoutMilliseconds: Self.integer(configuration, "signaling.pingTimeoutMilliseconds"),
            upgradeTimeoutMilliseconds: Self.integer(configuration, "signaling.upgradeTimeoutMilliseconds"),
            maxHttpBufferSize: Self.integer(configuration, "signaling.maxHttpBufferSize"),
            connectTimeoutMilliseconds: Self.integer(configuration, "signaling.connectTimeoutMilliseconds"),
            allowEIO3: Self.boolean(configuration, "signaling.allowEIO3"),
            allowUpgrades: Self.boolean(configuration, "signaling.allowUpgrades"),
            transports: transports,
            cors: CORSConfiguration(
                origins: Self.list(configuration, "signaling.cors.origins"),
                credentials: Self.boolean(configuration, "signaling.cors.credentials")
            ),
            maxAttachments: Self.integer(configuration, "signaling.maxAttachments"),
            outboundBufferLimit: Self.integer(configuration, "signaling.outboundBufferLimit"),
            outboundBufferBytes: Self.integer(configuration, "signaling.outboundBufferBytes"),
            sendTimeoutMilliseconds: Self.integer(configuration, "signaling.sendTimeoutMilliseconds"),
            closeTimeoutMilliseconds: Self.integer(configuration, "signaling.closeTimeoutMilliseconds"),
            maxSessions: Self.integer(configuration, "signaling.maxSessions"),
            maxSessionsPerAddress: Self.integer(configuration, "signaling.maxSessionsPerAddress"),
            eio3PingIntervalMilliseconds: Self.integer(configuration, "signaling.eio3.pingIntervalMilliseconds"),
            eio3PingTimeoutMilliseconds: Self.integer(configuration, "signaling.eio3.pingTimeoutMilliseconds"),
            eio3MaxHttpBufferSize: Self.integer(configuration, "signaling.eio3.maxHttpBufferSize")
        )
    }

    // The loader validated every value against the schema, so the types match; a missing key falls back to its
    // declared default.
    private static func value(_ configuration: SwitchboardConfiguration, _ path: String) -> ConfigurationValue? {
        configuration.values[path] ?? ConfigurationSchema.key(path)?.defaultValue
    }

    private static func string(_ configuration: SwitchboardConfiguration, _ path: String) -> String {
        guard case .string(let value) = Self.value(configuration, path) else {
            preconditionFailure("\(path) is not a string")
        }
        return value
    }

    private static func integer(_ configuration: SwitchboardConfiguration, _ path: String) -> Int {
        guard case .integer(let value) = Self.value(configuration, path) else {
            preconditionFailure("\(path) is not an integer")
        }
        return value
    }

    private static func boolean(_ configuration: SwitchboardConfiguration, _ path: String) -> Bool {
        guard case .boolean(let value) = Self.value(configuration, path) else {
            preconditionFailure("\(path) is not a boolean")
        }
        return value
    }

    private static func list(_ configuration: SwitchboardConfiguration, _ path: String) -> [String] {
        guard case .stringList(let value) = Self.value(configuration, path) else {
            preconditionFailure("\(path) is not a list")
        }
        return value
    }
}
