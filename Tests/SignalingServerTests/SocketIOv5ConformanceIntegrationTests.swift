import NIOCore
import SocketIOCodec
import Testing

@testable import SignalingServer

/// The Socket.IO part of the official Socket.IO v5 suite (`socket.io-protocol` `test-suite/test-suite.js`, the
/// docs/engineio-socketio.md#conformance-suites), against the test application at `/socket.io/`. Its Engine.IO part
/// (handshake, heartbeat, close, upgrade at `/socket.io/`) runs in ``EngineIOv4ConformanceIntegrationTests``.
@Suite(.timeLimit(.minutes(1))) struct SocketIOv5ConformanceIntegrationTests {
    static let url = "/socket.io/?EIO=4&transport=websocket"
    static let placeholders = "{\"_placeholder\":true,\"num\":0},{\"_placeholder\":true,\"num\":1}"

    /// Opens a WebSocket session, connects to `/` and reads the CONNECT answer and the `auth` event.
    static func connectedSocket(_ server: TestServer) async throws -> TestWebSocket {
        let socket = try await server.webSocket(Self.url)
        _ = try await socket.receive()
        socket.send("40")
        _ = try await socket.receiveSkippingPings()
        _ = try await socket.receiveSkippingPings()
        return socket
    }

    /// Checks a CONNECT answer: `40[/nsp,]{"sid":"…"}` with exactly the key `sid`, a new id.
    static func expectConnect(_ frame: TestWebSocket.Frame?, prefix: String) throws {
        guard case .text(let text) = frame, text.hasPrefix(prefix) else {
            Issue.record("expected \(prefix)…, got \(String(describing: frame))")
            return
        }
        let handshake = try JSONValue(parsing: String(text.dropFirst(prefix.count)))
        #expect(handshake.objectValue?.keys == ["sid"])
        let sid = try #require(handshake["sid"]?.stringValue)
        #expect(sid.utf8.count == 20)
    }

    // MARK: - Connect

    @Test func connectsToTheMainNamespace() async throws {
        try await TestSignalingApp.relaxed().run { server in
            let socket = try await server.webSocket(Self.url)
            guard case .text(let open) = try await socket.receive() else {
                Issue.record("no handshake")
                return
            }
            let engineSID = try JSONValue(parsing: String(open.dropFirst()))["sid"]?.stringValue
            socket.send("40")
            let connect = try await socket.receive()
            try Self.expectConnect(connect, prefix: "40")
            // The socket id is not the Engine.IO sid, which must stay secret.
            if case .text(let text) = connect {
                #expect(!text.contains(engineSID ?? "-"))
            }
            #expect(try await socket.receive() == .text("42[\"auth\",{}]"))
            socket.close()
        }
    }

    @Test func connectsToTheMainNamespaceWithAPayload() async throws {
        try await TestSignalingApp.relaxed().run { server in
            let socket = try await server.webSocket(Self.url)
            _ = try await socket.receive()
            socket.send("40{\"token\":\"123\"}")
            try Self.expectConnect(try await socket.receive(), prefix: "40")
            #expect(try await socket.receive() == .text("42[\"auth\",{\"token\":\"123\"}]"))
            socket.close()
        }
    }

    @Test func connectsToACustomNamespace() async throws {
        try await TestSignalingApp.relaxed().run { server in
            let socket = try await server.webSocket(Self.url)
            _ = try await socket.receive()
            socket.send("40/custom,")
            try Self.expectConnect(try await socket.receive(), prefix: "40/custom,")
            #expect(try await socket.receive() == .text("42/custom,[\"auth\",{}]"))
            socket.close()
        }
    }

    @Test func connectsToACustomNamespaceWithAPayload() async throws {
        try await TestSignalingApp.relaxed().run { server in
            let socket = try await server.webSocket(Self.url)
            _ = try await socket.receive()
            socket.send("40/custom,{\"token\":\"abc\"}")
            try Self.expectConnect(try await socket.receive(), prefix: "40/custom,")
            #expect(try await socket.receive() == .text("42/custom,[\"auth\",{\"token\":\"abc\"}]"))
            socket.close()
        }
    }

    @Test func refusesAnUnknownNamespace() async throws {
        try await TestSignalingApp.relaxed().run { server in
            let socket = try await server.webSocket(Self.url)
            _ = try await socket.receive()
            socket.send("40/random")
            #expect(try await socket.receive() == .text("44/random,{\"message\":\"Invalid namespace\"}"))
            // The connection stays open: `/` can still be joined.
            socket.send("40")
            try Self.expectConnect(try await socket.receive(), prefix: "40")
            socket.close()
        }
    }

    @Test func closesUponAnInvalidHandshake() async throws {
        try await TestSignalingApp.relaxed().run { server in
            let socket = try await server.webSocket(Self.url)
            _ = try await socket.receive()
            socket.send("4abc")
            #expect(try await socket.waitForClose().isEmpty)
        }
    }

    /// No CONNECT within `connectTimeout` (1 s here): the connection is closed. The heartbeat is answered, so
    /// only the connect timeout can close it.
    @Test func closesWhenNoHandshakeIsReceived() async throws {
        try await TestSignalingApp.conformance(pingIntervalMilliseconds: 10_000, pingTimeoutMilliseconds: 10_000).run {
            server in
            let socket = try await server.webSocket(Self.url)
            _ = try await socket.receive()
            while let frame = try await socket.receive() {
                #expect(frame == .text("2"))
                socket.send("3")
            }
            #expect(server.io.engine.sessionCount == 0)
        }
    }

    // MARK: - Disconnect

    /// `41` leaves `/`, and the Engine.IO connection stays open: the next frame is a ping.
    @Test func disconnectsFromTheMainNamespace() async throws {
        try await TestSignalingApp.conformance(pingTimeoutMilliseconds: 10_000, connectTimeoutMilliseconds: 10_000).run
        { server in
            let socket = try await Self.connectedSocket(server)
            socket.send("41")
            #expect(try await socket.receive() == .text("2"))
            #expect(try await server.disconnectReasons.next() == "client namespace disconnect")
            #expect(server.io.mainNamespace.socketCount == 0)
            #expect(server.io.engine.sessionCount == 1)
            socket.close()
        }
    }

    @Test func connectsThenDisconnectsFromACustomNamespace() async throws {
        try await TestSignalingApp.relaxed().run { server in
            let socket = try await Self.connectedSocket(server)
            socket.send("40/custom")
            _ = try await socket.receiveSkippingPings()
            _ = try await socket.receiveSkippingPings()
            socket.send("41/custom")
            socket.send("42[\"message\",\"message to main namespace\"]")
            #expect(
                try await socket.receiveSkippingPings() == .text("42[\"message-back\",\"message to main namespace\"]")
            )
            #expect(server.io.namespace("/custom").socketCount == 0)
            socket.close()
        }
    }

    // MARK: - Message

    @Test func sendsAPlainTextPacket() async throws {
        try await TestSignalingApp.relaxed().run { server in
            let socket = try await Self.connectedSocket(server)
            socket.send("42[\"message\",1,\"2\",{\"3\":[true]}]")
            #expect(try await socket.receiveSkippingPings() == .text("42[\"message-back\",1,\"2\",{\"3\":[true]}]"))
            socket.close()
        }
    }

    @Test func sendsAPacketWithBinaryAttachments() async throws {
        try await TestSignalingApp.relaxed().run { server in
            let socket = try await Self.connectedSocket(server)
            socket.send("452-[\"message\",\(Self.placeholders)]")
            socket.send(bytes: [1, 2, 3])
            socket.send(bytes: [4, 5, 6])
            #expect(try await socket.receiveSkippingPings() == .text("452-[\"message-back\",\(Self.placeholders)]"))
            #expect(try await socket.receiveSkippingPings() == .binary([1, 2, 3]))
            #expect(try await socket.receiveSkippingPings() == .binary([4, 5, 6]))
            socket.close()
        }
    }

    @Test func sendsAPlainTextPacketWithAnAck() async throws {
        try await TestSignalingApp.relaxed().run { server in
            let socket = try await Self.connectedSocket(server)
            socket.send("42456[\"message-with-ack\",1,\"2\",{\"3\":[false]}]")
            #expect(try await socket.receiveSkippingPings() == .text("43456[1,\"2\",{\"3\":[false]}]"))
            socket.close()
        }
    }

    @Test func sendsAPacketWithBinaryAttachmentsAndAnAck() async throws {
        try await TestSignalingApp.relaxed().run { server in
            let socket = try await Self.connectedSocket(server)
            socket.send("452-789[\"message-with-ack\",\(Self.placeholders)]")
            socket.send(bytes: [1, 2, 3])
            socket.send(bytes: [4, 5, 6])
            #expect(try await socket.receiveSkippingPings() == .text("462-789[\(Self.placeholders)]"))
            #expect(try await socket.receiveSkippingPings() == .binary([1, 2, 3]))
            #expect(try await socket.receiveSkippingPings() == .binary([4, 5, 6]))
            socket.close()
        }
    }

    /// Each malformed packet closes the connection itself (docs/engineio-socketio.md#beyond-the-suites: not a later
    /// ping timeout, which would pass the official test too): the socket's disconnect reason says so.
    @Test(arguments: ["4abc", "42{}", "42abc[\"message-with-ack\",1,\"2\",{\"3\":[false]}]"])
    func closesUponInvalidFormat(packet: String) async throws {
        try await TestSignalingApp.relaxed().run { server in
            let socket = try await Self.connectedSocket(server)
            socket.send(packet)
            #expect(try await server.disconnectReasons.next() == "parse error")
            try await socket.waitForClose()
            #expect(server.io.engine.sessionCount == 0)
        }
    }
}
