import HTTPTypes
import NIOCore
import SocketIOCodec
import Synchronization
import Testing

@testable import SignalingServer

/// The Swift server API the signaling code uses: typed handlers, middlewares, acknowledgements both ways, rooms and
/// disconnection hooks, on a namespace of its own.
@Suite(.timeLimit(.minutes(1))) struct SocketIOServerAPIIntegrationTests {
    struct Join: Codable, Sendable, Equatable {
        var room: String
        var name: String
    }

    static func app(_ configure: @escaping @Sendable (SocketIOServer) -> Void) -> TestSignalingApp {
        var app = TestSignalingApp.relaxed()
        app.configureSocketIO = configure
        return app
    }

    /// Connects a WebSocket client to `/api` and returns it with the CONNECT answer.
    static func connect(_ server: TestServer, auth: String = "") async throws -> (TestWebSocket, String) {
        let socket = try await server.webSocket("/socket.io/?EIO=4&transport=websocket")
        _ = try await socket.receive()
        socket.send("40/api,\(auth)")
        guard case .text(let answer) = try await socket.receive() else {
            throw TestTimeout(what: "a CONNECT answer")
        }
        return (socket, answer)
    }

    @Test func typedHandlersAndEncodableEmits() async throws {
        try await Self.app { io in
            io.namespace("/api").onConnection { socket in
                socket.on("join", as: Join.self) { socket, join, ack in
                    socket.join(join.room)
                    ack?(.string("welcome \(join.name)"))
                    if let reply = try? JSONValue(encoding: Join(room: join.room, name: "server")) {
                        socket.emit("joined", reply)
                    }
                }
            }
        }.run { server in
            let (socket, _) = try await Self.connect(server)
            socket.send("42/api,1[\"join\",{\"room\":\"r\",\"name\":\"ann\"}]")
            #expect(try await socket.receive() == .text("43/api,1[\"welcome ann\"]"))
            #expect(try await socket.receive() == .text("42/api,[\"joined\",{\"name\":\"server\",\"room\":\"r\"}]"))
            // An argument that does not decode is dropped; the connection stays.
            socket.send("42/api,2[\"join\",{\"room\":1}]")
            socket.send("42/api,3[\"join\",{\"room\":\"s\",\"name\":\"bob\"}]")
            #expect(try await socket.receive() == .text("43/api,3[\"welcome bob\"]"))
            socket.close()
        }
    }

    @Test func middlewareRefusalCarriesMessageAndData() async throws {
        try await Self.app { io in
            let namespace = io.namespace("/api")
            namespace.use { socket in
                guard socket.handshake.auth["token"]?.stringValue == "secret" else {
                    throw SocketIOConnectionRefusal("Not authorized", data: ["retry": false])
                }
            }
            namespace.onConnection { socket in
                socket.emit("hello")
            }
        }.run { server in
            let (refused, answer) = try await Self.connect(server, auth: "{\"token\":\"wrong\"}")
            #expect(answer == "44/api,{\"message\":\"Not authorized\",\"data\":{\"retry\":false}}")
            refused.close()
            let (accepted, connect) = try await Self.connect(server, auth: "{\"token\":\"secret\"}")
            #expect(connect.hasPrefix("40/api,{\"sid\":"))
            #expect(try await accepted.receive() == .text("42/api,[\"hello\"]"))
            accepted.close()
        }
    }

    @Test func emitWithAckFromTheServer() async throws {
        let answers = Mailbox<String>()
        try await Self.app { io in
            io.namespace("/api").onConnection { socket in
                Task {
                    do {
                        let reply = try await socket.emitWithAck("ping", "from server", timeout: .seconds(5))
                        answers.put(reply.first?.stringValue ?? "?")
                        _ = try await socket.emitWithAck("never answered", timeout: .milliseconds(100))
                    } catch {
                        answers.put("\(error)")
                    }
                }
            }
        }.run { server in
            let (socket, _) = try await Self.connect(server)
            #expect(try await socket.receive() == .text("42/api,0[\"ping\",\"from server\"]"))
            socket.send("43/api,0[\"pong\"]")
            #expect(try await answers.next() == "pong")
            #expect(try await socket.receive() == .text("42/api,1[\"never answered\"]"))
            #expect(try await answers.next() == "operation has timed out")
            socket.close()
        }
    }

    @Test func disconnectingSeesTheRoomsDisconnectDoesNot() async throws {
        let seen = Mailbox<String>()
        try await Self.app { io in
            io.namespace("/api").onConnection { socket in
                socket.join("lobby")
                socket.onDisconnecting { socket, reason in
                    seen.put("disconnecting \(reason) \(socket.rooms.contains("lobby"))")
                }
                socket.onDisconnect { socket, reason in
                    seen.put("disconnect \(reason) \(socket.rooms.contains("lobby")) \(socket.isConnected)")
                }
            }
        }.run { server in
            let (socket, _) = try await Self.connect(server)
            socket.send("41/api,")
            #expect(try await seen.next() == "disconnecting client namespace disconnect true")
            #expect(try await seen.next() == "disconnect client namespace disconnect false false")
            #expect(server.io.namespace("/api").sockets(in: "lobby").isEmpty)
            socket.close()
        }
    }

    @Test func emitsFromAnotherThreadKeepTheirOrder() async throws {
        try await Self.app { io in
            io.namespace("/api").onConnection { socket in
                Task.detached {
                    for index in 0..<50 {
                        socket.emit("n", .number(JSONNumber(index)))
                    }
                }
            }
        }.run { server in
            let (socket, _) = try await Self.connect(server)
            for index in 0..<50 {
                #expect(try await socket.receive() == .text("42/api,[\"n\",\(index)]"))
            }
            socket.close()
        }
    }
}

/// CORS headers, without a server.
@Suite struct CORSConfigurationTests {
    @Test func anyOrigin() {
        let cors = CORSConfiguration(origins: ["*"])
        #expect(
            cors.headers(for: [.origin: "http://a"], legacy: false, preflight: false)[.accessControlAllowOrigin] == "*"
        )
        let legacy = cors.headers(for: [.origin: "http://a"], legacy: true, preflight: false)
        #expect(legacy[.accessControlAllowOrigin] == "http://a")
        #expect(legacy[.accessControlAllowCredentials] == "true")
    }

    @Test func off() {
        let cors = CORSConfiguration(origins: [])
        #expect(cors.headers(for: [.origin: "http://a"], legacy: true, preflight: true).isEmpty)
    }

    @Test func list() {
        let cors = CORSConfiguration(origins: ["http://a"])
        #expect(
            cors.headers(for: [.origin: "http://a"], legacy: false, preflight: false)[.accessControlAllowOrigin]
                == "http://a"
        )
        #expect(
            cors.headers(for: [.origin: "http://b"], legacy: false, preflight: false)[.accessControlAllowOrigin] == nil
        )
        #expect(cors.headers(for: [:], legacy: false, preflight: false)[.accessControlAllowOrigin] == nil)
    }

    @Test func routePath() {
        #expect(SignalingServerConfiguration(path: "/socket.io/").routePath == "/socket.io")
        #expect(SignalingServerConfiguration(path: "signal").routePath == "/signal")
    }

    @Test func sessionIDsAreUniqueAndURLSafe() {
        var seen: Set<String> = []
        for _ in 0..<1000 {
            let id = EngineIOSessionID.generate()
            #expect(id.utf8.count == 20)
            #expect(id.allSatisfy { $0.isLetter || $0.isNumber || $0 == "-" || $0 == "_" })
            seen.insert(id)
        }
        #expect(seen.count == 1000)
    }
}
