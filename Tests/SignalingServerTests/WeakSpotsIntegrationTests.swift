import Foundation
import HTTPTypes
import HummingbirdWSCompression
import NIOCore
import NIOWebSocket
import SocketIOCodec
import Testing
import WSClient

@testable import SignalingServer

/// What the official suites do not cover (docs/engineio-socketio.md#beyond-the-suites): CORS, the size limits,
/// upgradeTimeout, the noop ticker with a pending poll, server-to-client acks, server-side DISCONNECT, binary over
/// polling for Socket.IO, the Socket.IO v4 layer of legacy clients, the 403 of `allowRequest`, slow clients,
/// permessage-deflate declined and JSON fidelity.
@Suite(.timeLimit(.minutes(1))) struct WeakSpotsIntegrationTests {
    static let separator = "\u{1E}"

    // MARK: - CORS

    @Test func corsOffSendsNoHeadersAndRefusesPreflight() async throws {
        var app = TestSignalingApp.relaxed()
        app.engineConfiguration.cors = CORSConfiguration(origins: [])
        try await app.run { server in
            let response = try await server.get(
                "/engine.io/?EIO=4&transport=polling",
                headers: [.origin: "http://example.com"]
            )
            #expect(response.status == .ok)
            #expect(response.headers[.accessControlAllowOrigin] == nil)
            let preflight = try await server.request(
                .options,
                "/engine.io/?EIO=4&transport=polling",
                headers: [.origin: "http://example.com"]
            )
            #expect(preflight.status == .badRequest)
            #expect(preflight.text == "{\"code\":2,\"message\":\"Bad handshake method\"}")
        }
    }

    @Test func corsAnyOriginOnSuccessErrorAndPreflight() async throws {
        try await TestSignalingApp.relaxed().run { server in
            let origin: HTTPFields = [.origin: "http://example.com"]
            let ok = try await server.get("/engine.io/?EIO=4&transport=polling", headers: origin)
            #expect(ok.headers[.accessControlAllowOrigin] == "*")
            let error = try await server.get("/engine.io/?EIO=4&transport=abc", headers: origin)
            #expect(error.status == .badRequest)
            #expect(error.headers[.accessControlAllowOrigin] == "*")
            let preflight = try await server.request(
                .options,
                "/engine.io/?EIO=4&transport=polling",
                headers: [.origin: "http://example.com", .accessControlRequestHeaders: "content-type"]
            )
            #expect(preflight.status == .noContent)
            #expect(preflight.headers[.accessControlAllowOrigin] == "*")
            #expect(preflight.headers[.accessControlAllowMethods] == "GET,HEAD,PUT,PATCH,POST,DELETE")
            #expect(preflight.headers[.accessControlAllowHeaders] == "content-type")
            #expect(preflight.headers[values: .vary].contains("Access-Control-Request-Headers"))
            #expect(preflight.body.readableBytes == 0)
        }
    }

    @Test func corsListAndCredentials() async throws {
        var app = TestSignalingApp.relaxed()
        app.engineConfiguration.cors = CORSConfiguration(origins: ["http://good.example"], credentials: true)
        try await app.run { server in
            let good = try await server.get(
                "/engine.io/?EIO=4&transport=polling",
                headers: [.origin: "http://good.example"]
            )
            #expect(good.headers[.accessControlAllowOrigin] == "http://good.example")
            #expect(good.headers[.accessControlAllowCredentials] == "true")
            #expect(good.headers[.vary] == "Origin")
            let bad = try await server.get(
                "/engine.io/?EIO=4&transport=polling",
                headers: [.origin: "http://evil.example"]
            )
            #expect(bad.headers[.accessControlAllowOrigin] == nil)
            #expect(bad.headers[.accessControlAllowCredentials] == nil)
        }
    }

    /// socket.io-client 2.x sends `withCredentials`: an Engine.IO v3 request gets its origin echoed with credentials
    /// even when any origin is allowed (engine.io 3's behaviour).
    @Test func corsLegacyEchoForEngineIOv3() async throws {
        try await TestSignalingApp.relaxed(allowEIO3: true).run { server in
            let response = try await server.get(
                "/engine.io/?EIO=3&transport=polling",
                headers: [.origin: "http://page.example"]
            )
            #expect(response.headers[.accessControlAllowOrigin] == "http://page.example")
            #expect(response.headers[.accessControlAllowCredentials] == "true")
        }
    }

    // MARK: - Limits

    @Test func postOverMaxHttpBufferSizeGets413() async throws {
        var app = TestSignalingApp.relaxed()
        app.engineConfiguration.maxHttpBufferSize = 100
        try await app.run { server in
            let sid = try await server.openV4PollingSession()
            let small = try await server.post(
                "/engine.io/?EIO=4&transport=polling&sid=\(sid)",
                "4" + String(repeating: "a", count: 99)
            )
            #expect(small.status == .ok)
            let big = try await server.post(
                "/engine.io/?EIO=4&transport=polling&sid=\(sid)",
                "4" + String(repeating: "a", count: 100)
            )
            #expect(big.status == .contentTooLarge)
            #expect(big.body.readableBytes == 0)
        }
    }

    @Test func webSocketMessageOverTheLimitClosesWith1009() async throws {
        var app = TestSignalingApp.relaxed()
        app.engineConfiguration.maxHttpBufferSize = 20_000
        try await app.run { server in
            let socket = try await server.webSocket("/engine.io/?EIO=4&transport=websocket")
            _ = try await socket.receive()
            socket.send("4" + String(repeating: "a", count: 30_000))
            try await socket.waitForClose()
            let closeFrame = try await socket.closed.next()
            #expect(closeFrame??.closeCode == WebSocketErrorCode.messageTooLarge)
        }
    }

    @Test func aSlowClientIsDropped() async throws {
        var app = TestSignalingApp.relaxed()
        app.engineConfiguration.outboundBufferLimit = 3
        try await app.run { server in
            let sid = try await server.openV4PollingSession()
            // The echo queues one packet per message; nobody polls.
            let body = Array(repeating: "4x", count: 4).joined(separator: Self.separator)
            _ = try await server.post("/engine.io/?EIO=4&transport=polling&sid=\(sid)", body)
            #expect(try await server.echoCloseReasons.next() == .outboundBufferFull)
            #expect(server.engine.session(id: sid) == nil)
        }
    }

    /// A WebSocket client that sends but never reads: once the server's socket buffer is full, the server stops
    /// reading it, and the session is closed, as too slow when an echo would take the unsent bytes over
    /// `outboundBufferBytes` (with a warning line), or when the socket stays unwritable for the send timeout; it is
    /// never buffered without end.
    @Test func aSlowWebSocketClientIsDropped() async throws {
        var app = TestSignalingApp.relaxed()
        app.engineConfiguration.outboundBufferBytes = 16384
        app.engineConfiguration.sendTimeoutMilliseconds = 500
        try await app.run { server in
            let channel = try await RawWebSocket.floodWithoutReading(
                port: server.port,
                path: "/engine.io/?EIO=4&transport=websocket",
                text: "4" + String(repeating: "x", count: 4000),
                count: 4000
            )
            defer {
                channel.close(promise: nil)
            }
            #expect([.outboundBufferFull, .transportClose].contains(try await server.echoCloseReasons.next()))
            for _ in 0..<500 where server.engine.sessionCount > 0 {
                try await Task.sleep(for: .milliseconds(10))
            }
            #expect(server.engine.sessionCount == 0)
        }
    }

    // MARK: - Upgrade details

    @Test func upgradeTimeoutClosesTheProbeAndKeepsPolling() async throws {
        var app = TestSignalingApp.relaxed()
        app.engineConfiguration.upgradeTimeoutMilliseconds = 200
        try await app.run { server in
            let sid = try await server.openV4PollingSession()
            let probe = try await server.webSocket("/engine.io/?EIO=4&transport=websocket&sid=\(sid)")
            #expect(try await probe.waitForClose().isEmpty)
            _ = try await server.post("/engine.io/?EIO=4&transport=polling&sid=\(sid)", "4still polling")
            #expect(try await server.get("/engine.io/?EIO=4&transport=polling&sid=\(sid)").text == "4still polling")
        }
    }

    @Test func thePendingPollIsReleasedWithNoopDuringAnUpgrade() async throws {
        try await TestSignalingApp.relaxed().run { server in
            let sid = try await server.openV4PollingSession()
            async let pending = server.get("/engine.io/?EIO=4&transport=polling&sid=\(sid)")
            try await server.waitForSession(sid, what: "the poll") { $0.isPollPending }
            let socket = try await server.webSocket("/engine.io/?EIO=4&transport=websocket&sid=\(sid)")
            socket.send("2probe")
            #expect(try await socket.receive() == .text("3probe"))
            #expect(try await pending.text == "6")
            socket.send("5")
            socket.send("4upgraded")
            #expect(try await socket.receive() == .text("4upgraded"))
            socket.close()
        }
    }

    @Test func packetsQueuedDuringTheUpgradeArriveOnTheWebSocket() async throws {
        try await TestSignalingApp.relaxed().run { server in
            let sid = try await server.openV4PollingSession()
            let socket = try await server.webSocket("/engine.io/?EIO=4&transport=websocket&sid=\(sid)")
            socket.send("2probe")
            #expect(try await socket.receive() == .text("3probe"))
            // Posted over polling while nobody polls: the echo waits in the buffer until the upgrade completes.
            _ = try await server.post("/engine.io/?EIO=4&transport=polling&sid=\(sid)", "4queued")
            socket.send("5")
            #expect(try await socket.receive() == .text("4queued"))
            socket.close()
        }
    }

    // MARK: - allowRequest

    @Test func allowRequestRefusalIs403() async throws {
        var app = TestSignalingApp.relaxed()
        app.allowRequest = { request in
            request.headers[HTTPField.Name("x-deny")!] == nil
        }
        try await app.run { server in
            let refused = try await server.get(
                "/engine.io/?EIO=4&transport=polling",
                headers: [HTTPField.Name("x-deny")!: "1"]
            )
            #expect(refused.status == .forbidden)
            #expect(refused.text == "{\"code\":4,\"message\":\"Forbidden\"}")
            #expect(try await server.get("/engine.io/?EIO=4&transport=polling").status == .ok)
        }
    }

    // MARK: - permessage-deflate

    /// permessage-deflate is declined (the reference's default, `perMessageDeflate: false`): the 101 carries no
    /// `Sec-WebSocket-Extensions`, and a client that offered it talks uncompressed.
    @Test func permessageDeflateIsDeclined() async throws {
        try await TestSignalingApp.relaxed().run { server in
            let exchange = try await RawWebSocket.exchange(
                port: server.port,
                path: "/engine.io/?EIO=4&transport=websocket",
                extraHeaders: "Sec-WebSocket-Extensions: permessage-deflate; client_max_window_bits\r\n",
                headOnly: true
            )
            #expect(exchange.statusLine.contains("101"))
            #expect(!exchange.head.lowercased().contains("sec-websocket-extensions"))
            let socket = try await TestWebSocket.connect(
                port: server.port,
                path: "/engine.io/?EIO=4&transport=websocket",
                extensions: [.perMessageDeflate()]
            )
            _ = try await socket.receive()
            let long = "4" + String(repeating: "compressible ", count: 100)
            socket.send(long)
            #expect(try await socket.receive() == .text(long))
            socket.close()
        }
    }

    /// A session opened over WebSocket keeps the client's headers but not the WebSocket handshake's own fields.
    @Test func webSocketHandshakeFieldsAreNotKeptWithTheSession() {
        let fields: HTTPFields = [
            .upgrade: "websocket", .connection: "Upgrade",
            HTTPField.Name("Sec-WebSocket-Key")!: "dGhlIHNhbXBsZSBub25jZQ==",
            HTTPField.Name("Sec-WebSocket-Version")!: "13", .userAgent: "test", .cookie: "a=b",
        ]
        let kept = EngineIOServer.handshakeHeaders(fields)
        #expect(kept == [.userAgent: "test", .cookie: "a=b"])
    }

    // MARK: - Socket.IO

    @Test func serverToClientAcknowledgements() async throws {
        try await TestSignalingApp.relaxed().run { server in
            let socket = try await SocketIOv5ConformanceIntegrationTests.connectedSocket(server)
            socket.send("42[\"server-ack\",\"question\",1]")
            #expect(try await socket.receive() == .text("420[\"question\",1]"))
            socket.send("430[\"answer\",{\"ok\":true}]")
            #expect(try await socket.receive() == .text("42[\"server-ack-result\",\"answer\",{\"ok\":true}]"))
            socket.close()
        }
    }

    @Test func serverSideDisconnectKeepsTheConnection() async throws {
        try await TestSignalingApp.conformance(pingTimeoutMilliseconds: 10_000, connectTimeoutMilliseconds: 10_000).run
        { server in
            let socket = try await SocketIOv5ConformanceIntegrationTests.connectedSocket(server)
            socket.send("42[\"disconnect-me\",false]")
            #expect(try await socket.receiveSkippingPings() == .text("41"))
            #expect(try await server.disconnectReasons.next() == "server namespace disconnect")
            #expect(try await socket.receive() == .text("2"))
            socket.close()
        }
    }

    @Test func serverSideDisconnectWithClose() async throws {
        try await TestSignalingApp.relaxed().run { server in
            let socket = try await SocketIOv5ConformanceIntegrationTests.connectedSocket(server)
            socket.send("42[\"disconnect-me\",true]")
            #expect(try await socket.waitForClose().filter { $0 != .text("2") } == [.text("41")])
        }
    }

    @Test func binaryEventsOverPolling() async throws {
        try await TestSignalingApp.relaxed().run { server in
            let sid = try await server.openV4PollingSession(path: "/socket.io/")
            let url = "/socket.io/?EIO=4&transport=polling&sid=\(sid)"
            #expect(try await server.post(url, "40").text == "ok")
            let connected = try await server.get(url).text
            #expect(connected.hasPrefix("40{\"sid\":"))
            #expect(connected.hasSuffix(Self.separator + "42[\"auth\",{}]"))
            let body = "451-[\"message\",{\"_placeholder\":true,\"num\":0}]" + Self.separator + "bAQID"
            #expect(try await server.post(url, body).text == "ok")
            #expect(
                try await server.get(url).text
                    == "451-[\"message-back\",{\"_placeholder\":true,\"num\":0}]" + Self.separator + "bAQID"
            )
        }
    }

    @Test func jsonIsRelayedAsJavaScriptWritesIt() async throws {
        try await TestSignalingApp.relaxed().run { server in
            let socket = try await SocketIOv5ConformanceIntegrationTests.connectedSocket(server)
            socket.send("42[\"message\",1.0,1e2,\"a/b\",\"é😀\",{\"b\":1,\"a\":[true,null]},-0]")
            #expect(
                try await socket.receive()
                    == .text("42[\"message-back\",1,100,\"a/b\",\"é😀\",{\"b\":1,\"a\":[true,null]},0]")
            )
            socket.close()
        }
    }

    @Test func tooManyAttachmentsCloseTheConnection() async throws {
        var app = TestSignalingApp.relaxed()
        app.socketConfiguration.maxAttachments = 1
        try await app.run { server in
            let socket = try await SocketIOv5ConformanceIntegrationTests.connectedSocket(server)
            socket.send("452-[\"message\",\(SocketIOv5ConformanceIntegrationTests.placeholders)]")
            #expect(try await server.disconnectReasons.next() == "parse error")
            try await socket.waitForClose()
        }
    }

    @Test func anEventForANamespaceNotJoinedClosesOnlyThatConnection() async throws {
        try await TestSignalingApp.relaxed().run { server in
            let bystander = try await SocketIOv5ConformanceIntegrationTests.connectedSocket(server)
            let socket = try await SocketIOv5ConformanceIntegrationTests.connectedSocket(server)
            socket.send("42/custom,[\"message\",1]")
            #expect(try await server.disconnectReasons.next() == "parse error")
            try await socket.waitForClose()
            bystander.send("42[\"message\",\"still here\"]")
            #expect(try await bystander.receive() == .text("42[\"message-back\",\"still here\"]"))
            bystander.close()
        }
    }

    // MARK: - Socket.IO v4 over Engine.IO v3 (legacy clients)

    @Test func legacyClientsAreConnectedToTheMainNamespaceImplicitly() async throws {
        var app = TestSignalingApp.relaxed(allowEIO3: true)
        app.socketConfiguration.allowEIO3 = true
        try await app.run { server in
            let response = try await server.get("/socket.io/?EIO=3&transport=polling&b64=1")
            let text = response.text
            // `<n>:0{…}2:40` then the app's auth event, all in the first payload.
            #expect(text.contains("2:40"))
            let sid = try await Self.sid(fromV3Payload: text)
            #expect(server.io.mainNamespace.socket(id: sid) != nil)
            let url = "/socket.io/?EIO=3&transport=polling&sid=\(sid)"
            // A namespace with a query: the query becomes the auth object; the answer has no payload.
            #expect(try await server.post(url, Self.v3("40/custom?token=abc,")).text == "ok")
            let poll = try await server.get(url)
            #expect(poll.text == Self.v3("40/custom,") + Self.v3("42/custom,[\"auth\",{\"token\":\"abc\"}]"))
            #expect(server.io.namespace("/custom").socket(id: "/custom#\(sid)") != nil)
            #expect(try await server.post(url, Self.v3("40/random,")).text == "ok")
            #expect(try await server.get(url).text == Self.v3("44/random,\"Invalid namespace\""))
            // Binary over v3 polling with base64 (`b64=1` at the handshake).
            let event = "451-[\"message\",{\"_placeholder\":true,\"num\":0}]"
            #expect(try await server.post(url, "\(event.utf16.count):\(event)6:b4AQID").text == "ok")
            let back = "451-[\"message-back\",{\"_placeholder\":true,\"num\":0}]"
            #expect(try await server.get(url).text == "\(back.utf16.count):\(back)6:b4AQID")
        }
    }

    @Test func legacyClientsOverWebSocket() async throws {
        var app = TestSignalingApp.relaxed(allowEIO3: true)
        app.socketConfiguration.allowEIO3 = true
        try await app.run { server in
            let socket = try await server.webSocket("/socket.io/?EIO=3&transport=websocket")
            _ = try await socket.receive()
            #expect(try await socket.receive() == .text("40"))
            #expect(try await socket.receive() == .text("42[\"auth\",{}]"))
            socket.send("451-[\"message\",{\"_placeholder\":true,\"num\":0}]")
            socket.send(bytes: [4, 9, 8, 7])
            #expect(try await socket.receive() == .text("451-[\"message-back\",{\"_placeholder\":true,\"num\":0}]"))
            #expect(try await socket.receive() == .binary([4, 9, 8, 7]))
            socket.send("2")
            #expect(try await socket.receive() == .text("3"))
            socket.close()
        }
    }

    /// One Engine.IO packet in v3 text framing (the length counts UTF-16 code units).
    static func v3(_ packet: String) -> String {
        "\(packet.utf16.count):\(packet)"
    }

    static func sid(fromV3Payload text: String) async throws -> String {
        guard let start = text.range(of: "\"sid\":\"") else {
            throw TestTimeout(what: "a sid in \(text)")
        }
        return String(text[start.upperBound...].prefix { $0 != "\"" })
    }
}
