import HTTPTypes
import NIOCore
import SocketIOCodec
import Testing

@testable import SignalingServer

/// Every case of the official Engine.IO v4 suite (`engine.io-protocol` `test-suite/test-suite.js`,
/// docs/engineio-socketio.md#conformance-suites), re-expressed against the test app of
/// docs/engineio-socketio.md#conformance-test-app. The Engine.IO part of the Socket.IO v5 suite repeats the handshake,
/// heartbeat, close and upgrade cases at `/socket.io/`; those run here for both paths.
///
/// Where the official tests race (a poll and a POST sent "at the same time"), these wait until the server has the
/// poll pending before going on, so they cannot pass or fail by luck.
@Suite(.timeLimit(.minutes(1))) struct EngineIOv4ConformanceIntegrationTests {
    static let paths = ["/engine.io/", "/socket.io/"]
    static let separator = "\u{1E}"

    static func expectError(_ result: HTTPResult, code: Int, message: String) {
        #expect(result.status == .badRequest)
        #expect(result.headers[.contentType] == "application/json")
        #expect(result.text == "{\"code\":\(code),\"message\":\"\(message)\"}")
    }

    // MARK: - Handshake / HTTP long-polling

    @Test(arguments: Self.paths) func pollingOpensASession(path: String) async throws {
        try await TestSignalingApp.conformance().run { server in
            let response = try await server.get("\(path)?EIO=4&transport=polling")
            #expect(response.status == .ok)
            #expect(response.headers[.contentType] == "text/plain; charset=UTF-8")
            let text = response.text
            #expect(text.hasPrefix("0"))
            let value = try JSONValue(parsing: String(text.dropFirst()))
            #expect(value.objectValue?.keys == ["sid", "upgrades", "pingInterval", "pingTimeout", "maxPayload"])
            let sid = try #require(value["sid"]?.stringValue)
            #expect(sid.utf8.count == 20)
            #expect(
                text
                    == "0{\"sid\":\"\(sid)\",\"upgrades\":[\"websocket\"],\"pingInterval\":300,\"pingTimeout\":200,"
                    + "\"maxPayload\":1000000}"
            )
        }
    }

    @Test(arguments: Self.paths) func pollingFailsWithAnInvalidEIO(path: String) async throws {
        try await TestSignalingApp.relaxed().run { server in
            Self.expectError(
                try await server.get("\(path)?transport=polling"),
                code: 5,
                message: "Unsupported protocol version"
            )
            Self.expectError(
                try await server.get("\(path)?EIO=abc&transport=polling"),
                code: 5,
                message: "Unsupported protocol version"
            )
        }
    }

    @Test(arguments: Self.paths) func pollingFailsWithAnInvalidTransport(path: String) async throws {
        try await TestSignalingApp.relaxed().run { server in
            Self.expectError(try await server.get("\(path)?EIO=4"), code: 0, message: "Transport unknown")
            Self.expectError(
                try await server.get("\(path)?EIO=4&transport=abc"),
                code: 0,
                message: "Transport unknown"
            )
        }
    }

    @Test(arguments: Self.paths) func pollingFailsWithAnInvalidRequestMethod(path: String) async throws {
        try await TestSignalingApp.relaxed().run { server in
            Self.expectError(
                try await server.request(.post, "\(path)?EIO=4&transport=polling"),
                code: 2,
                message: "Bad handshake method"
            )
            Self.expectError(
                try await server.request(.put, "\(path)?EIO=4&transport=polling"),
                code: 2,
                message: "Bad handshake method"
            )
        }
    }

    // MARK: - Handshake / WebSocket

    @Test(arguments: Self.paths) func webSocketOpensASession(path: String) async throws {
        try await TestSignalingApp.conformance().run { server in
            let socket = try await server.webSocket("\(path)?EIO=4&transport=websocket")
            guard case .text(let text) = try await socket.receive() else {
                Issue.record("no handshake")
                return
            }
            #expect(text.hasPrefix("0"))
            let value = try JSONValue(parsing: String(text.dropFirst()))
            #expect(value.objectValue?.keys == ["sid", "upgrades", "pingInterval", "pingTimeout", "maxPayload"])
            #expect(value["upgrades"] == [])
            #expect(value["pingInterval"] == 300)
            #expect(value["pingTimeout"] == 200)
            #expect(value["maxPayload"] == 1_000_000)
            socket.close()
        }
    }

    /// The official test does not await the failure (docs/engineio-socketio.md#beyond-the-suites); this one checks the
    /// upgrade is refused.
    @Test(arguments: Self.paths) func webSocketFailsWithAnInvalidEIO(path: String) async throws {
        try await TestSignalingApp.relaxed().run { server in
            await #expect(throws: (any Error).self) {
                _ = try await server.webSocket("\(path)?transport=websocket")
            }
            await #expect(throws: (any Error).self) {
                _ = try await server.webSocket("\(path)?EIO=abc&transport=websocket")
            }
            #expect(server.engine.sessionCount == 0)
            #expect(server.io.engine.sessionCount == 0)
        }
    }

    @Test(arguments: Self.paths) func webSocketFailsWithAnInvalidTransport(path: String) async throws {
        try await TestSignalingApp.relaxed().run { server in
            await #expect(throws: (any Error).self) {
                _ = try await server.webSocket("\(path)?EIO=4")
            }
            await #expect(throws: (any Error).self) {
                _ = try await server.webSocket("\(path)?EIO=4&transport=abc")
            }
        }
    }

    // MARK: - Message / HTTP long-polling

    @Test func pollingEchoesOnePlainTextPacket() async throws {
        try await TestSignalingApp.relaxed().run { server in
            let sid = try await server.openV4PollingSession()
            let push = try await server.post("/engine.io/?EIO=4&transport=polling&sid=\(sid)", "4hello")
            #expect(push.status == .ok)
            #expect(push.text == "ok")
            #expect(push.headers[.contentType] == "text/html")
            let poll = try await server.get("/engine.io/?EIO=4&transport=polling&sid=\(sid)")
            #expect(poll.status == .ok)
            #expect(poll.text == "4hello")
        }
    }

    @Test func pollingEchoesSeveralPlainTextPackets() async throws {
        try await TestSignalingApp.relaxed().run { server in
            let sid = try await server.openV4PollingSession()
            let body = ["4test1", "4test2", "4test3"].joined(separator: Self.separator)
            let push = try await server.post("/engine.io/?EIO=4&transport=polling&sid=\(sid)", body)
            #expect(push.text == "ok")
            let poll = try await server.get("/engine.io/?EIO=4&transport=polling&sid=\(sid)")
            #expect(poll.text == body)
        }
    }

    @Test func pollingEchoesPlainTextAndBinaryPackets() async throws {
        try await TestSignalingApp.relaxed().run { server in
            let sid = try await server.openV4PollingSession()
            let body = "4hello" + Self.separator + "bAQIDBA=="
            let push = try await server.post("/engine.io/?EIO=4&transport=polling&sid=\(sid)", body)
            #expect(push.text == "ok")
            let poll = try await server.get("/engine.io/?EIO=4&transport=polling&sid=\(sid)")
            #expect(poll.text == body)
        }
    }

    /// The official test swallows the POST status (docs/engineio-socketio.md#beyond-the-suites): here the session must
    /// be gone right after the POST.
    @Test func pollingClosesTheSessionUponInvalidPacketFormat() async throws {
        try await TestSignalingApp.relaxed().run { server in
            let sid = try await server.openV4PollingSession()
            _ = try await server.post("/engine.io/?EIO=4&transport=polling&sid=\(sid)", "abc")
            #expect(server.engine.session(id: sid) == nil)
            Self.expectError(
                try await server.get("/engine.io/?EIO=4&transport=polling&sid=\(sid)"),
                code: 1,
                message: "Session ID unknown"
            )
        }
    }

    @Test func pollingClosesTheSessionUponDuplicatePollRequests() async throws {
        try await TestSignalingApp.relaxed().run { server in
            let sid = try await server.openV4PollingSession()
            async let first = server.get("/engine.io/?EIO=4&transport=polling&sid=\(sid)")
            try await server.waitForSession(sid, what: "the first poll") { $0.isPollPending }
            let second = try await server.get("/engine.io/?EIO=4&transport=polling&sid=\(sid)&t=burst")
            #expect(second.status == .badRequest)
            let firstResult = try await first
            #expect(firstResult.status == .ok)
            #expect(firstResult.text == "1")
            let after = try await server.get("/engine.io/?EIO=4&transport=polling&sid=\(sid)")
            #expect(after.status == .badRequest)
        }
    }

    // MARK: - Message / WebSocket

    @Test func webSocketEchoesAPlainTextPacket() async throws {
        try await TestSignalingApp.relaxed().run { server in
            let socket = try await server.webSocket("/engine.io/?EIO=4&transport=websocket")
            _ = try await socket.receive()
            socket.send("4hello")
            #expect(try await socket.receive() == .text("4hello"))
            socket.close()
        }
    }

    @Test func webSocketEchoesABinaryPacket() async throws {
        try await TestSignalingApp.relaxed().run { server in
            let socket = try await server.webSocket("/engine.io/?EIO=4&transport=websocket")
            _ = try await socket.receive()
            socket.send(bytes: [1, 2, 3, 4])
            #expect(try await socket.receive() == .binary([1, 2, 3, 4]))
            socket.close()
        }
    }

    @Test func webSocketClosesTheSessionUponInvalidPacketFormat() async throws {
        try await TestSignalingApp.relaxed().run { server in
            let socket = try await server.webSocket("/engine.io/?EIO=4&transport=websocket")
            _ = try await socket.receive()
            socket.send("abc")
            #expect(try await server.echoCloseReasons.next() == .parseError)
            try await socket.waitForClose()
            #expect(server.engine.sessionCount == 0)
        }
    }

    // MARK: - Heartbeat

    @Test(arguments: Self.paths) func pollingSendsPingPongPackets(path: String) async throws {
        try await TestSignalingApp.conformance(pingTimeoutMilliseconds: 5000, connectTimeoutMilliseconds: 10_000).run {
            server in
            let sid = try await server.openV4PollingSession(path: path)
            for _ in 0..<3 {
                let poll = try await server.get("\(path)?EIO=4&transport=polling&sid=\(sid)")
                #expect(poll.text == "2")
                let push = try await server.post("\(path)?EIO=4&transport=polling&sid=\(sid)", "3")
                #expect(push.text == "ok")
            }
        }
    }

    /// Instead of sleeping `pingInterval + pingTimeout` and hoping, this polls without ever answering: the ping
    /// comes, and the session ends for want of a pong (a waiting poll gets the close packet; a later request finds
    /// the session gone, whichever the machine's speed). The echo endpoint also reports why it closed.
    @Test(arguments: Self.paths) func pollingClosesTheSessionUponPingTimeout(path: String) async throws {
        try await TestSignalingApp.conformance(connectTimeoutMilliseconds: 10_000).run { server in
            let sid = try await server.openV4PollingSession(path: path)
            var texts: [String] = []
            while true {
                let poll = try await server.get("\(path)?EIO=4&transport=polling&sid=\(sid)")
                guard poll.status == .ok else {
                    #expect(poll.text == EngineIOError.unknownSessionID.bodyText)
                    break
                }
                texts.append(poll.text)
                #expect(poll.text == "2" || poll.text == "1")
                #expect(texts.count <= 2)
                if texts.count > 2 {
                    break
                }
            }
            let push = try await server.post("\(path)?EIO=4&transport=polling&sid=\(sid)", "3")
            #expect(push.status == .badRequest)
            if path == "/engine.io/" {
                #expect(try await server.echoCloseReasons.next() == .pingTimeout)
            }
        }
    }

    @Test(arguments: Self.paths) func webSocketSendsPingPongPackets(path: String) async throws {
        try await TestSignalingApp.conformance(pingTimeoutMilliseconds: 5000, connectTimeoutMilliseconds: 10_000).run {
            server in
            let socket = try await server.webSocket("\(path)?EIO=4&transport=websocket")
            _ = try await socket.receive()
            for _ in 0..<3 {
                #expect(try await socket.receive() == .text("2"))
                socket.send("3")
            }
            socket.close()
        }
    }

    @Test(arguments: Self.paths) func webSocketClosesTheSessionUponPingTimeout(path: String) async throws {
        try await TestSignalingApp.conformance(connectTimeoutMilliseconds: 10_000).run { server in
            let socket = try await server.webSocket("\(path)?EIO=4&transport=websocket")
            _ = try await socket.receive()
            #expect(try await socket.receive() == .text("2"))
            try await socket.waitForClose()
        }
    }

    // MARK: - Close

    @Test(arguments: Self.paths) func pollingForcefullyClosesTheSession(path: String) async throws {
        try await TestSignalingApp.relaxed().run { server in
            let sid = try await server.openV4PollingSession(path: path)
            let engine = path == "/engine.io/" ? server.engine : server.io.engine
            async let poll = server.get("\(path)?EIO=4&transport=polling&sid=\(sid)")
            try await server.waitForSession(sid, in: engine, what: "the poll") { $0.isPollPending }
            let push = try await server.post("\(path)?EIO=4&transport=polling&sid=\(sid)", "1")
            #expect(push.text == "ok")
            #expect(try await poll.text == "6")
            let after = try await server.get("\(path)?EIO=4&transport=polling&sid=\(sid)")
            #expect(after.status == .badRequest)
        }
    }

    @Test(arguments: Self.paths) func webSocketForcefullyClosesTheSession(path: String) async throws {
        try await TestSignalingApp.relaxed().run { server in
            let socket = try await server.webSocket("\(path)?EIO=4&transport=websocket")
            _ = try await socket.receive()
            socket.send("1")
            try await socket.waitForClose()
        }
    }

    // MARK: - Upgrade

    @Test(arguments: Self.paths) func upgradesFromPollingToWebSocket(path: String) async throws {
        try await TestSignalingApp.relaxed().run { server in
            let sid = try await server.openV4PollingSession(path: path)
            let socket = try await server.webSocket("\(path)?EIO=4&transport=websocket&sid=\(sid)")
            socket.send("2probe")
            #expect(try await socket.receive() == .text("3probe"))
            // A poll during the upgrade is released with noop (`6`) by the 100 ms ticker.
            let poll = try await server.get("\(path)?EIO=4&transport=polling&sid=\(sid)")
            #expect(poll.status == .ok)
            #expect(poll.text == "6")
            socket.send("5")
            if path == "/engine.io/" {
                socket.send("4hello")
                #expect(try await socket.receiveSkippingPings() == .text("4hello"))
            } else {
                socket.send("40")
                guard case .text(let connect) = try await socket.receiveSkippingPings() else {
                    Issue.record("no CONNECT answer")
                    return
                }
                #expect(connect.hasPrefix("40{\"sid\":"))
            }
            socket.close()
        }
    }

    @Test(arguments: Self.paths) func ignoresHTTPRequestsWithTheSameSidAfterUpgrade(path: String) async throws {
        try await TestSignalingApp.relaxed().run { server in
            let engine = path == "/engine.io/" ? server.engine : server.io.engine
            let sid = try await server.openV4PollingSession(path: path)
            let socket = try await server.webSocket("\(path)?EIO=4&transport=websocket&sid=\(sid)")
            socket.send("2probe")
            #expect(try await socket.receive() == .text("3probe"))
            socket.send("5")
            try await server.waitForSession(sid, in: engine, what: "the upgrade") { $0.transportState.onWebSocket }
            let poll = try await server.get("\(path)?EIO=4&transport=polling&sid=\(sid)")
            Self.expectError(poll, code: 3, message: "Bad request")
            let push = try await server.post("\(path)?EIO=4&transport=polling&sid=\(sid)", "4hello")
            #expect(push.status == .badRequest)
            if path == "/engine.io/" {
                socket.send("4hello")
                #expect(try await socket.receiveSkippingPings() == .text("4hello"))
            }
            socket.close()
        }
    }

    @Test(arguments: Self.paths) func ignoresWebSocketConnectionsWithTheSameSidAfterUpgrade(path: String) async throws {
        try await TestSignalingApp.relaxed().run { server in
            let engine = path == "/engine.io/" ? server.engine : server.io.engine
            let sid = try await server.openV4PollingSession(path: path)
            let socket = try await server.webSocket("\(path)?EIO=4&transport=websocket&sid=\(sid)")
            socket.send("2probe")
            #expect(try await socket.receive() == .text("3probe"))
            socket.send("5")
            try await server.waitForSession(sid, in: engine, what: "the upgrade") { $0.transportState.onWebSocket }
            // Accepted (101), then closed at once: read raw, so that no client library can miss the early close.
            let second = try await RawWebSocket.exchange(
                port: server.port,
                path: "\(path)?EIO=4&transport=websocket&sid=\(sid)"
            )
            #expect(second.statusLine.contains("101"))
            #expect(second.frameOpcodes == [0x8])
            if path == "/engine.io/" {
                socket.send("4hello")
                #expect(try await socket.receiveSkippingPings() == .text("4hello"))
            }
            socket.close()
        }
    }
}
