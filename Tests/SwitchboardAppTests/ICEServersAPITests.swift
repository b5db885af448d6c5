import HTTPTypes
import Hummingbird
import NIOCore
import Testing

@testable import SwitchboardApp

@Suite struct ICEServersAPITests {
    private static let token = "backend-token-aaaaaaaaaaaa"
    private let start = ContinuousClock.now

    private func api(enabled: Bool = true, perMinute: Int = 2) -> ICEServersAPI {
        var access = SwitchboardConfiguration.defaults.access
        access.apiEnabled = enabled
        access.apiTokens = [Self.token]
        access.apiRequestsPerMinute = perMinute
        let provider = ICEServersProvider(
            hosts: HostAllowList(publicAddress: nil, trusted: [], fallback: "192.0.2.1"),
            port: 3478,
            udp: true,
            tcp: true,
            turnEnabled: true,
            secret: "north",
            ttlSeconds: 600,
            now: { 1_700_000_000 }
        )
        return ICEServersAPI(configuration: access, provider: provider)
    }

    private func request(authorization: String? = nil, host: String = "evil.example") -> Request {
        var fields = HTTPFields()
        if let authorization {
            fields[.authorization] = authorization
        }
        let head = HTTPRequest(
            method: .get,
            scheme: "http",
            authority: host,
            path: "/api/ice-servers",
            headerFields: fields
        )
        return Request(head: head, body: .init(buffer: ByteBuffer()))
    }

    private func body(_ response: Response) async throws -> String {
        var collected = ByteBuffer()
        let writer = CollectingWriter { collected.writeImmutableBuffer($0) }
        try await response.body.write(writer)
        return String(buffer: collected)
    }

    @Test func offAnswers404BeforeAnythingElse() {
        let api = self.api(enabled: false, perMinute: 1)
        for _ in 0..<3 {
            let response = api.respond(to: self.request(), client: ClientAddress("192.0.2.9"), now: self.start)
            #expect(response.status == .notFound)
        }
    }

    @Test func servedWithTheCallersIdentityAndNoForgedHost() async throws {
        let response = self.api().respond(
            to: self.request(authorization: "Bearer \(Self.token)"),
            client: ClientAddress("192.0.2.9"),
            now: self.start
        )
        #expect(response.status == .ok)
        let text = try await self.body(response)
        #expect(text.contains("\"username\":\"1700000600:api-0\""))
        #expect(text.contains("stun:192.0.2.1:3478") && !text.contains("evil"))
    }

    @Test func theLimitCountsRefusedRequestsPerAddress() {
        let api = self.api(perMinute: 2)
        let mallory = ClientAddress("192.0.2.9")
        let wrong = api.respond(to: self.request(authorization: "Bearer guess"), client: mallory, now: self.start)
        #expect(wrong.status == .unauthorized)
        #expect(wrong.headers[.wwwAuthenticate]?.contains("invalid_token") == true)
        let right = api.respond(
            to: self.request(authorization: "Bearer \(Self.token)"),
            client: mallory,
            now: self.start
        )
        #expect(right.status == .ok)
        let limited = api.respond(
            to: self.request(authorization: "Bearer \(Self.token)"),
            client: mallory,
            now: self.start
        )
        #expect(limited.status == .tooManyRequests && limited.headers[.retryAfter] == "60")
        let other = api.respond(
            to: self.request(authorization: "Bearer \(Self.token)"),
            client: ClientAddress("192.0.2.10"),
            now: self.start
        )
        #expect(other.status == .ok)
        let later = api.respond(
            to: self.request(authorization: "Bearer \(Self.token)"),
            client: mallory,
            now: self.start + .seconds(30)
        )
        #expect(later.status == .ok)
    }
}

/// Collects a response body.
private struct CollectingWriter: ResponseBodyWriter {
    let collect: (ByteBuffer) -> Void

    mutating func write(_ buffer: ByteBuffer) async throws {
        self.collect(buffer)
    }

    consuming func finish(_ trailingHeaders: HTTPFields?) async throws {}
}
