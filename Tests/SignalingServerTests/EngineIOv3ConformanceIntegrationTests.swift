import HTTPTypes
import NIOCore
import SocketIOCodec
import Testing

@testable import SignalingServer

/// Every case of the official Engine.IO v3 suite (`engine.io-protocol` branch `v3`,
/// docs/engineio-socketio.md#conformance-suites), the upstream-skipped duplicate-poll case included, against the echo
/// endpoint with Engine.IO v3 allowed.
@Suite(.timeLimit(.minutes(1))) struct EngineIOv3ConformanceIntegrationTests {
    static let path = "/engine.io/"

    /// The docs/engineio-socketio.md#conformance-test-app timings, for the heartbeat tests.
    static func app() -> TestSignalingApp {
        TestSignalingApp.conformance(allowEIO3: true)
    }

    /// Relaxed timers, for tests whose subject is not a heartbeat (see ``TestSignalingApp/relaxed(allowEIO3:)``).
    static func relaxedApp() -> TestSignalingApp {
        TestSignalingApp.relaxed(allowEIO3: true)
    }

    func url(_ sid: String, _ extra: String = "") -> String {
        "\(Self.path)?EIO=3&transport=polling&sid=\(sid)\(extra)"
    }

    // MARK: - Handshake

    @Test func pollingOpensASessionWithTextFraming() async throws {
        try await Self.app().run { server in
            let response = try await server.get("\(Self.path)?EIO=3&transport=polling")
            #expect(response.status == .ok)
            #expect(response.headers[.contentType] == "text/plain; charset=UTF-8")
            let text = response.text
            let colon = try #require(text.firstIndex(of: ":"))
            let length = String(text[..<colon])
            let content = String(text[text.index(after: colon)...])
            #expect(length == String(content.utf16.count))
            #expect(content.hasPrefix("0"))
            let value = try JSONValue(parsing: String(content.dropFirst()))
            // The v3 suite accepts `maxPayload` absent (Engine.IO v3 has none).
            #expect(value.objectValue?.keys == ["sid", "upgrades", "pingInterval", "pingTimeout"])
            #expect(value["upgrades"] == ["websocket"])
            #expect(value["pingInterval"] == 300)
            #expect(value["pingTimeout"] == 200)
        }
    }

    @Test func pollingWithoutEIOIsV3WhenAllowed() async throws {
        try await Self.relaxedApp().run { server in
            let response = try await server.get("\(Self.path)?transport=polling")
            #expect(response.status == .ok)
            #expect(response.text.contains(":0{\"sid\":"))
            let invalid = try await server.get("\(Self.path)?EIO=abc&transport=polling")
            #expect(invalid.status == .badRequest)
        }
    }

    @Test func pollingFailsWithAnInvalidTransport() async throws {
        try await Self.relaxedApp().run { (server: TestServer) async throws in
            #expect(try await server.get("\(Self.path)?EIO=3").status == .badRequest)
            #expect(try await server.get("\(Self.path)?EIO=3&transport=abc").status == .badRequest)
        }
    }

    @Test func pollingFailsWithAnInvalidRequestMethod() async throws {
        try await Self.relaxedApp().run { (server: TestServer) async throws in
            #expect(try await server.request(.post, "\(Self.path)?EIO=3&transport=polling").status == .badRequest)
            #expect(try await server.request(.put, "\(Self.path)?EIO=3&transport=polling").status == .badRequest)
        }
    }

    @Test func webSocketOpensASession() async throws {
        try await Self.app().run { server in
            let socket = try await server.webSocket("\(Self.path)?EIO=3&transport=websocket")
            guard case .text(let text) = try await socket.receive() else {
                Issue.record("no handshake")
                return
            }
            #expect(text.hasPrefix("0"))
            let value = try JSONValue(parsing: String(text.dropFirst()))
            #expect(value["upgrades"] == [])
            #expect(value["pingInterval"] == 300)
            socket.close()
        }
    }

    @Test func webSocketFailsWithAnInvalidEIO() async throws {
        try await Self.relaxedApp().run { server in
            await #expect(throws: (any Error).self) {
                _ = try await server.webSocket("\(Self.path)?EIO=abc&transport=websocket")
            }
            // No EIO at all is Engine.IO v3 (Socket.IO-Client-Swift 13 sends none).
            let socket = try await server.webSocket("\(Self.path)?transport=websocket")
            guard case .text(let text) = try await socket.receive() else {
                Issue.record("no handshake")
                return
            }
            #expect(text.hasPrefix("0{"))
            socket.close()
        }
    }

    @Test func webSocketFailsWithAnInvalidTransport() async throws {
        try await Self.relaxedApp().run { server in
            await #expect(throws: (any Error).self) {
                _ = try await server.webSocket("\(Self.path)?EIO=3")
            }
            await #expect(throws: (any Error).self) {
                _ = try await server.webSocket("\(Self.path)?EIO=3&transport=abc")
            }
        }
    }

    // MARK: - Message / HTTP long-polling

    @Test(arguments: ["6:4hello", "6:4test16:4test26:4test3", "6:4hello10:b4AQIDBA==", "2:4€", "3:4😀"])
    func pollingEchoesTextPayloads(payload: String) async throws {
        try await Self.relaxedApp().run { server in
            // `b64=1`: the client asks for base64 binary, so the echo of a binary packet stays in text framing.
            let sid = try await server.openV3PollingSession(query: "&b64=1")
            let push = try await server.post(self.url(sid), payload)
            #expect(push.status == .ok)
            #expect(push.text == "ok")
            let poll = try await server.get(self.url(sid))
            #expect(poll.status == .ok)
            #expect(poll.headers[.contentType] == "text/plain; charset=UTF-8")
            #expect(poll.text == payload)
        }
    }

    @Test func pollingEchoesABinaryFramedPayload() async throws {
        try await Self.relaxedApp().run { server in
            let sid = try await server.openV3PollingSession()
            let payload: [UInt8] = [0, 6, 255, 52, 104, 101, 108, 108, 111, 1, 5, 255, 4, 1, 2, 3, 4]
            let push = try await server.post(
                self.url(sid),
                bytes: payload,
                headers: [.contentType: "application/octet-stream"]
            )
            #expect(push.text == "ok")
            let poll = try await server.get(self.url(sid))
            #expect(poll.headers[.contentType] == "application/octet-stream")
            #expect(poll.bytes == payload)
        }
    }

    @Test func pollingClosesTheSessionUponInvalidPacketFormat() async throws {
        try await Self.relaxedApp().run { server in
            let sid = try await server.openV3PollingSession()
            _ = try await server.post(self.url(sid), "abc")
            #expect(server.engine.session(id: sid) == nil)
            #expect(try await server.get(self.url(sid)).status == .badRequest)
        }
    }

    @Test func pollingClosesTheSessionUponDuplicatePollRequests() async throws {
        try await Self.relaxedApp().run { server in
            let sid = try await server.openV3PollingSession()
            async let first = server.get(self.url(sid))
            try await server.waitForSession(sid, what: "the first poll") { $0.isPollPending }
            let second = try await server.get(self.url(sid, "&t=burst"))
            #expect(second.status == .badRequest)
            let firstResult = try await first
            #expect(firstResult.status == .ok)
            #expect(firstResult.text == "1:1")
            #expect(try await server.get(self.url(sid)).status == .badRequest)
        }
    }

    // MARK: - Message / WebSocket

    @Test func webSocketEchoesAPlainTextPacket() async throws {
        try await Self.relaxedApp().run { server in
            let socket = try await server.webSocket("\(Self.path)?EIO=3&transport=websocket")
            _ = try await socket.receive()
            socket.send("4hello")
            #expect(try await socket.receive() == .text("4hello"))
            socket.close()
        }
    }

    @Test func webSocketEchoesABinaryPacketWithItsTypeByte() async throws {
        try await Self.relaxedApp().run { server in
            let socket = try await server.webSocket("\(Self.path)?EIO=3&transport=websocket")
            _ = try await socket.receive()
            socket.send(bytes: [4, 1, 2, 3, 4])
            #expect(try await socket.receive() == .binary([4, 1, 2, 3, 4]))
            socket.close()
        }
    }

    @Test func webSocketClosesTheSessionUponInvalidPacketFormat() async throws {
        try await Self.relaxedApp().run { server in
            let socket = try await server.webSocket("\(Self.path)?EIO=3&transport=websocket")
            _ = try await socket.receive()
            socket.send("abc")
            try await socket.waitForClose()
        }
    }

    // MARK: - Heartbeat (the client pings in v3)

    @Test func pollingAnswersPings() async throws {
        try await TestSignalingApp.conformance(allowEIO3: true, pingTimeoutMilliseconds: 5000).run { server in
            let sid = try await server.openV3PollingSession()
            for _ in 0..<3 {
                #expect(try await server.post(self.url(sid), "1:2").status == .ok)
                let poll = try await server.get(self.url(sid))
                #expect(poll.text == "1:3")
            }
        }
    }

    /// Without pings the session closes after `pingInterval + pingTimeout`: a waiting poll gets the close packet,
    /// then the session is gone.
    @Test func pollingClosesTheSessionUponPingTimeout() async throws {
        try await Self.app().run { server in
            let sid = try await server.openV3PollingSession()
            let poll = try await server.get(self.url(sid))
            #expect(poll.text == "1:1" || poll.text == EngineIOError.unknownSessionID.bodyText)
            #expect(try await server.post(self.url(sid), "1:2").status == .badRequest)
        }
    }

    @Test func webSocketAnswersPings() async throws {
        try await TestSignalingApp.conformance(allowEIO3: true, pingTimeoutMilliseconds: 5000).run { server in
            let socket = try await server.webSocket("\(Self.path)?EIO=3&transport=websocket")
            _ = try await socket.receive()
            for _ in 0..<3 {
                socket.send("2")
                #expect(try await socket.receive() == .text("3"))
            }
            socket.close()
        }
    }

    @Test func webSocketClosesTheSessionUponPingTimeout() async throws {
        try await Self.app().run { server in
            let socket = try await server.webSocket("\(Self.path)?EIO=3&transport=websocket")
            _ = try await socket.receive()
            #expect(try await socket.waitForClose().isEmpty)
        }
    }

    // MARK: - Close

    @Test func pollingForcefullyClosesTheSession() async throws {
        try await Self.relaxedApp().run { server in
            let sid = try await server.openV3PollingSession()
            async let poll = server.get(self.url(sid))
            try await server.waitForSession(sid, what: "the poll") { $0.isPollPending }
            #expect(try await server.post(self.url(sid), "1:1").text == "ok")
            #expect(try await poll.text == "1:6")
            #expect(try await server.get(self.url(sid)).status == .badRequest)
        }
    }

    @Test func webSocketForcefullyClosesTheSession() async throws {
        try await Self.relaxedApp().run { server in
            let socket = try await server.webSocket("\(Self.path)?EIO=3&transport=websocket")
            _ = try await socket.receive()
            socket.send("1")
            try await socket.waitForClose()
        }
    }

    // MARK: - Upgrade

    @Test func upgradesFromPollingToWebSocket() async throws {
        try await Self.relaxedApp().run { server in
            let sid = try await server.openV3PollingSession()
            let socket = try await server.webSocket("\(Self.path)?EIO=3&transport=websocket&sid=\(sid)")
            socket.send("2probe")
            #expect(try await socket.receive() == .text("3probe"))
            let poll = try await server.get(self.url(sid))
            #expect(poll.text == "1:6")
            socket.send("5")
            socket.send("4hello")
            #expect(try await socket.receive() == .text("4hello"))
            socket.close()
        }
    }

    @Test func ignoresHTTPRequestsWithTheSameSidAfterUpgrade() async throws {
        try await Self.relaxedApp().run { server in
            let sid = try await server.openV3PollingSession()
            let socket = try await server.webSocket("\(Self.path)?EIO=3&transport=websocket&sid=\(sid)")
            socket.send("2probe")
            #expect(try await socket.receive() == .text("3probe"))
            socket.send("5")
            try await server.waitForSession(sid, what: "the upgrade") { $0.transportState.onWebSocket }
            #expect(try await server.get(self.url(sid)).status == .badRequest)
            socket.send("4hello")
            #expect(try await socket.receive() == .text("4hello"))
            socket.close()
        }
    }

    @Test func ignoresWebSocketConnectionsWithTheSameSidAfterUpgrade() async throws {
        try await Self.relaxedApp().run { server in
            let sid = try await server.openV3PollingSession()
            let socket = try await server.webSocket("\(Self.path)?EIO=3&transport=websocket&sid=\(sid)")
            socket.send("2probe")
            #expect(try await socket.receive() == .text("3probe"))
            socket.send("5")
            try await server.waitForSession(sid, what: "the upgrade") { $0.transportState.onWebSocket }
            // Accepted (101), then closed at once: read raw, so that no client library can miss the early close.
            let second = try await RawWebSocket.exchange(
                port: server.port,
                path: "\(Self.path)?EIO=3&transport=websocket&sid=\(sid)"
            )
            #expect(second.statusLine.contains("101"))
            #expect(second.frameOpcodes == [0x8])
            socket.send("4hello")
            #expect(try await socket.receive() == .text("4hello"))
            socket.close()
        }
    }
}
