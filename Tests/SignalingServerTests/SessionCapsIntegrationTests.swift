import HTTPTypes
import NIOCore
import Testing

@testable import SignalingServer

/// The Engine.IO session caps on a live server: every test client connects from 127.0.0.1, one address.
@Suite struct SessionCapsIntegrationTests {
    @Test func aHandshakeOverThePerAddressCapGets503AndAClosedSessionFreesItsPlace() async throws {
        var app = TestSignalingApp.relaxed()
        app.engineConfiguration.maxSessionsPerAddress = 2
        try await app.run { server in
            let first = try await server.openV4PollingSession()
            _ = try await server.openV4PollingSession()
            let refused = try await server.get("/engine.io/?EIO=4&transport=polling")
            #expect(refused.status == .serviceUnavailable)
            #expect(refused.text == #"{"code":6,"message":"Too many sessions"}"#)
            #expect(refused.headers[.contentType] == "application/json")
            #expect(server.engine.sessionCount == 2)

            // The client closes one session (Engine.IO close packet): its place goes back.
            _ = try await server.post("/engine.io/?EIO=4&transport=polling&sid=\(first)", "1")
            for _ in 0..<500 where server.engine.sessionCount > 1 {
                try await Task.sleep(for: .milliseconds(10))
            }
            #expect(server.engine.sessionCount == 1)
            _ = try await server.openV4PollingSession()
        }
    }

    @Test func aWebSocketHandshakeOverTheTotalCapIsRefused() async throws {
        var app = TestSignalingApp.relaxed()
        app.engineConfiguration.maxSessions = 1
        try await app.run { server in
            let socket = try await server.webSocket("/engine.io/?EIO=4&transport=websocket")
            guard case .text(let open) = try await socket.receive() else {
                Issue.record("no open packet")
                return
            }
            #expect(open.hasPrefix("0"))
            await #expect(throws: (any Error).self) {
                _ = try await server.webSocket("/engine.io/?EIO=4&transport=websocket")
            }
            let refused = try await server.get("/engine.io/?EIO=4&transport=polling")
            #expect(refused.status == .serviceUnavailable)
            #expect(server.engine.sessionCount == 1)
        }
    }
}
