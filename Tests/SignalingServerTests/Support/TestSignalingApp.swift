import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Logging
import NIOCore
import NIOPosix
import ServiceLifecycle
import SignalingTestApp
import SocketIOCodec

@testable import SignalingServer

/// The server the conformance suites expect (docs/engineio-socketio.md#conformance-test-app): an Engine.IO echo
/// endpoint at `/engine.io/` and the Socket.IO test application (`/` and `/custom`) at `/socket.io/`, with 300 ms /
/// 200 ms heartbeats, a 1 s connect timeout and CORS for any origin.
struct TestSignalingApp {
    var engineConfiguration: SignalingServerConfiguration
    var socketConfiguration: SignalingServerConfiguration
    var allowRequest: EngineIOServer.AllowRequest?
    var configureSocketIO: (@Sendable (SocketIOServer) -> Void)?
    /// The loops of the listener and the sessions.
    var eventLoopGroup: any EventLoopGroup = MultiThreadedEventLoopGroup.singleton

    /// One loop that reads every connection, in the order the kernel reports them readable, as Node's server does: for
    /// tests of the order of events sent on two connections one after the other.
    static let oneLoop = MultiThreadedEventLoopGroup(numberOfThreads: 1)

    /// The conformance settings (300 ms / 200 ms heartbeats, 1 s connect timeout); `allowEIO3` selects the v4 or
    /// the v3 suite. Tests whose subject is a heartbeat or a timeout use these; the knobs relax one timer where a
    /// test needs the others exact.
    static func conformance(
        allowEIO3: Bool = false,
        pingIntervalMilliseconds: Int = 300,
        pingTimeoutMilliseconds: Int = 200,
        connectTimeoutMilliseconds: Int = 1000
    ) -> TestSignalingApp {
        let configuration = SignalingServerConfiguration(
            pingIntervalMilliseconds: pingIntervalMilliseconds,
            pingTimeoutMilliseconds: pingTimeoutMilliseconds,
            maxHttpBufferSize: 1_000_000,
            connectTimeoutMilliseconds: connectTimeoutMilliseconds,
            allowEIO3: allowEIO3,
            cors: CORSConfiguration(origins: ["*"]),
            // The v3 suite runs on the same conformance timers and limit.
            eio3PingIntervalMilliseconds: pingIntervalMilliseconds,
            eio3PingTimeoutMilliseconds: pingTimeoutMilliseconds,
            eio3MaxHttpBufferSize: 1_000_000
        )
        var engine = configuration
        engine.path = "/engine.io/"
        var socket = configuration
        socket.path = "/socket.io/"
        return TestSignalingApp(engineConfiguration: engine, socketConfiguration: socket)
    }

    /// The conformance app with every timer relaxed to 10 s, for tests whose subject is not a heartbeat or a
    /// timeout: on a loaded machine (two cores shared by parallel builds and tests) a 200 ms pong window or a 1 s
    /// connect timeout would otherwise close sessions under them, which the official suites also race.
    static func relaxed(allowEIO3: Bool = false) -> TestSignalingApp {
        Self.conformance(
            allowEIO3: allowEIO3,
            pingIntervalMilliseconds: 10_000,
            pingTimeoutMilliseconds: 10_000,
            connectTimeoutMilliseconds: 10_000
        )
    }

    /// Runs the app on a free loopback port for the duration of `body`.
    func run(_ body: @escaping @Sendable (TestServer) async throws -> Void) async throws {
        let echoCloseReasons = Mailbox<EngineIOCloseReason>()
        let disconnectReasons = Mailbox<String>()
        var logger = Logger(label: "SignalingServerTests")
        logger.logLevel =
            ProcessInfo.processInfo.environment["SIGNALING_TEST_LOG"].flatMap { Logger.Level(rawValue: $0) } ?? .warning
        let router = Router(context: BasicRequestContext.self)
        let engine = EngineIOServer(
            configuration: self.engineConfiguration,
            eventLoopGroup: self.eventLoopGroup,
            logger: logger,
            allowRequest: self.allowRequest
        ) { session in
            RecordingEchoHandler(session: session, closeReasons: echoCloseReasons)
        }
        engine.addRoutes(to: router)
        let io = SocketIOServer(
            configuration: self.socketConfiguration,
            eventLoopGroup: self.eventLoopGroup,
            logger: logger
        )
        SocketIOTestApp.install(on: io)
        for name in SocketIOTestApp.namespaces {
            io.namespace(name).onConnection { socket in
                socket.onDisconnect { _, reason in
                    disconnectReasons.put(reason)
                }
            }
        }
        self.configureSocketIO?(io)
        io.addRoutes(to: router)
        let listening = Mailbox<Int>()
        let app = Application(
            router: router,
            server: .http1WebSocketEndpoints([engine, io.webSocketEndpoint]),
            configuration: ApplicationConfiguration(address: .hostname("127.0.0.1", port: 0)),
            onServerRunning: { channel in
                listening.put(channel.localAddress?.port ?? 0)
            },
            eventLoopGroupProvider: .shared(self.eventLoopGroup),
            logger: logger
        )
        // The app runs in a service group of its own rather than under `app.test(.live)`: that helper opens a client
        // connection at start and, when the test is quick, shuts the client down before the connection completes,
        // leaving an idle connection the server's graceful shutdown then waits for forever.
        let serviceGroup = ServiceGroup(
            configuration: .init(services: [app], gracefulShutdownSignals: [], logger: logger)
        )
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask {
                try await serviceGroup.run()
            }
            defer {
                group.cancelAll()
            }
            guard let port = try await listening.next(what: "the server to listen"), port != 0 else {
                throw TestTimeout(what: "the server to listen")
            }
            let server = TestServer(
                port: port,
                engine: engine,
                io: io,
                echoCloseReasons: echoCloseReasons,
                disconnectReasons: disconnectReasons
            )
            var failure: (any Error)?
            do {
                try await body(server)
            } catch {
                failure = error
            }
            // Close what the test left open from the server side, as `SignalingService` does on graceful shutdown,
            // and wait for it, so that the server stops with no connection in flight.
            engine.closeAllSessions()
            io.closeAllConnections()
            for _ in 0..<500 where engine.sessionCount + io.engine.sessionCount > 0 {
                try await Task.sleep(for: .milliseconds(10))
            }
            await serviceGroup.triggerGracefulShutdown()
            try await group.next()
            if let failure {
                throw failure
            }
        }
    }
}

/// A response, read completely.
struct HTTPResult: Sendable {
    var status: HTTPResponse.Status
    var headers: HTTPFields
    var body: ByteBuffer

    var text: String {
        String(buffer: self.body)
    }

    var bytes: [UInt8] {
        Array(self.body.readableBytesView)
    }
}

/// The running test app.
struct TestServer: Sendable {
    let port: Int
    let engine: EngineIOServer
    let io: SocketIOServer
    /// Why the echo endpoint's sessions closed, in order.
    let echoCloseReasons: Mailbox<EngineIOCloseReason>
    /// Why sockets of `/` and `/custom` disconnected, in order.
    let disconnectReasons: Mailbox<String>

    /// One request on a fresh connection (so requests can overlap, as the suites' do).
    func request(
        _ method: HTTPRequest.Method,
        _ path: String,
        headers: HTTPFields = [:],
        body: ByteBuffer? = nil
    ) async throws -> HTTPResult {
        try await TestClient.withClient(
            host: "127.0.0.1",
            port: self.port,
            configuration: .init(timeout: .seconds(10))
        ) { client in
            let response = try await client.execute(
                TestClient.Request(path, method: method, authority: "127.0.0.1", headers: headers, body: body)
            )
            return HTTPResult(status: response.status, headers: response.headers, body: response.body ?? ByteBuffer())
        }
    }

    func get(_ path: String, headers: HTTPFields = [:]) async throws -> HTTPResult {
        try await self.request(.get, path, headers: headers)
    }

    func post(_ path: String, _ body: String, headers: HTTPFields = [:]) async throws -> HTTPResult {
        try await self.request(.post, path, headers: headers, body: ByteBuffer(string: body))
    }

    func post(_ path: String, bytes: [UInt8], headers: HTTPFields = [:]) async throws -> HTTPResult {
        try await self.request(.post, path, headers: headers, body: ByteBuffer(bytes: bytes))
    }

    func webSocket(_ path: String, headers: HTTPFields = [:]) async throws -> TestWebSocket {
        try await TestWebSocket.connect(port: self.port, path: path, headers: headers)
    }

    /// Opens an Engine.IO v4 polling session and returns its sid.
    func openV4PollingSession(path: String = "/engine.io/") async throws -> String {
        let response = try await self.get("\(path)?EIO=4&transport=polling")
        let text = response.text
        guard text.hasPrefix("0"), let sid = try JSONValue(parsing: String(text.dropFirst()))["sid"]?.stringValue
        else {
            throw TestTimeout(what: "a handshake, got \(text)")
        }
        return sid
    }

    /// Opens an Engine.IO v3 polling session and returns its sid and the rest of the first payload.
    func openV3PollingSession(path: String = "/engine.io/", query: String = "") async throws -> String {
        let response = try await self.get("\(path)?EIO=3&transport=polling\(query)")
        let text = response.text
        guard let colon = text.firstIndex(of: ":") else {
            throw TestTimeout(what: "a v3 handshake, got \(text)")
        }
        let packet = text[text.index(after: colon)...]
        guard packet.hasPrefix("0") else {
            throw TestTimeout(what: "a v3 handshake, got \(text)")
        }
        let json = packet.dropFirst().prefix { $0 != "}" } + "}"
        guard let sid = try JSONValue(parsing: String(json))["sid"]?.stringValue else {
            throw TestTimeout(what: "a sid in \(text)")
        }
        return sid
    }

    /// Waits until a condition on a session holds (checked on the session's loop), e.g. that a poll is pending.
    func waitForSession(
        _ sid: String,
        in server: EngineIOServer? = nil,
        what: String,
        _ condition: @escaping @Sendable (EngineIOSession) -> Bool
    ) async throws {
        let server = server ?? self.engine
        for _ in 0..<1000 {
            if let session = server.session(id: sid) {
                let holds = try await session.eventLoop.submit { condition(session) }.get()
                if holds {
                    return
                }
            }
            try await Task.sleep(for: .milliseconds(5))
        }
        throw TestTimeout(what: what)
    }

    /// Waits until a session id is gone from the registry.
    func waitForSessionGone(_ sid: String, in server: EngineIOServer? = nil) async throws {
        let server = server ?? self.engine
        for _ in 0..<1000 {
            if server.session(id: sid) == nil {
                return
            }
            try await Task.sleep(for: .milliseconds(5))
        }
        throw TestTimeout(what: "session \(sid) to close")
    }
}

/// The echo handler, also recording why each session closed.
final class RecordingEchoHandler: EngineIOSessionHandler {
    private let echo: EngineIOEchoHandler
    private let closeReasons: Mailbox<EngineIOCloseReason>

    init(session: EngineIOSession, closeReasons: Mailbox<EngineIOCloseReason>) {
        self.echo = EngineIOEchoHandler(session: session)
        self.closeReasons = closeReasons
    }

    func sessionReceived(_ message: TextOrBinaryMessage) {
        self.echo.sessionReceived(message)
    }

    func sessionClosed(reason: EngineIOCloseReason) {
        self.closeReasons.put(reason)
    }
}

extension EngineIOError {
    /// The JSON body as text.
    var bodyText: String {
        String(buffer: self.body)
    }
}
