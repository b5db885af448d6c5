import HTTPTypes
import Testing

@testable import SignalingServer

/// The handshake request a session keeps as one byte block gives back what it was made from.
@Suite struct EngineIOHandshakeRequestTests {
    @Test func targetAuthorityAndQueryComeBack() {
        let request = EngineIOHandshakeRequest(
            uri: "/socket.io/?EIO=4&transport=websocket&token=a%20b&t=1&t=2",
            headers: [:],
            authority: "signal.example:8443"
        )
        #expect(request.uri == "/socket.io/?EIO=4&transport=websocket&token=a%20b&t=1&t=2")
        #expect(request.authority == "signal.example:8443")
        #expect(request.query.map(\.name) == ["EIO", "transport", "token", "t", "t"])
        #expect(request.query.map(\.value) == ["4", "websocket", "a b", "1", "2"])
        #expect(request.queryValue("token") == "a b")
        #expect(request.queryValue("t") == "1")
        #expect(request.queryValue("sid") == nil)
        #expect(request.headers.isEmpty)
        #expect(!request.isCrossDomain)
    }

    @Test func anAbsentAuthorityStaysAbsentAndAnEmptyOneEmpty() {
        #expect(EngineIOHandshakeRequest(uri: "/", headers: [:]).authority == nil)
        #expect(EngineIOHandshakeRequest(uri: "/", headers: [:], authority: "").authority == "")
        #expect(EngineIOHandshakeRequest(uri: "", headers: [:]).uri == "")
    }

    @Test func headersKeepOrderRepeatsSpellingAndRawBytes() throws {
        var headers = HTTPFields()
        headers.append(HTTPField(name: .origin, value: "https://app.example"))
        headers.append(HTTPField(name: try #require(HTTPField.Name("X-Custom")), value: "one"))
        headers.append(HTTPField(name: .cookie, value: "a=1"))
        headers.append(HTTPField(name: try #require(HTTPField.Name("x-custom")), value: ""))
        headers.append(HTTPField(name: .userAgent, value: [0x4D, 0xE9, 0x74, 0x65, 0x6F]))  // ISO-8859-1 "Méteo"
        headers.append(HTTPField(name: .accept, value: String(repeating: "text/plain, ", count: 40)))
        let request = EngineIOHandshakeRequest(uri: "/socket.io/?EIO=4", headers: headers)

        let kept = request.headers
        #expect(kept == headers)
        #expect(kept.map(\.name.rawName) == ["Origin", "X-Custom", "Cookie", "x-custom", "User-Agent", "Accept"])
        #expect(kept[values: try #require(HTTPField.Name("x-custom"))] == ["one", ""])
        let userAgent = try #require(kept.first { $0.name == .userAgent })
        #expect(userAgent.withUnsafeBytesOfValue { Array($0) } == [0x4D, 0xE9, 0x74, 0x65, 0x6F])
        #expect(request.isCrossDomain)
    }
}
