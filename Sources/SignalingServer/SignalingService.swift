import ServiceLifecycle

/// Runs next to the HTTP server: on graceful shutdown, closes every Socket.IO connection, so that clients get the
/// close packet (or a WebSocket close) rather than a dropped connection, and pending polls return at once.
public struct SignalingService: Service {
    let server: SocketIOServer

    /// Creates the service of a server.
    public init(server: SocketIOServer) {
        self.server = server
    }

    public func run() async throws {
        // Suspends until graceful shutdown (or cancellation), then says goodbye to every client.
        try? await gracefulShutdown()
        self.server.closeAllConnections()
    }
}
