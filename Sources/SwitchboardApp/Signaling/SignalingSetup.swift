import Hummingbird
import HummingbirdCore
import HummingbirdWebSocket
import Logging
import ServiceLifecycle

/// Adds the signaling plane (Engine.IO / Socket.IO) to the HTTP server.
struct SignalingSetup {
    let configuration: SwitchboardConfiguration
    let logger: Logger

    init(configuration: SwitchboardConfiguration, logger: Logger) {
        self.configuration = configuration
        self.logger = logger
    }

    /// HTTP and WebSocket routes of the signaling plane.
    func addRoutes(to router: Router<BasicWebSocketRequestContext>) {}

    /// The HTTP server flavour (plain HTTP/1.1, or with WebSocket upgrades on the router).
    func serverBuilder(router: Router<BasicWebSocketRequestContext>) -> HTTPServerBuilder {
        .http1()
    }

    /// Services the signaling plane runs next to the HTTP server.
    var services: [any Service] { [] }
}
