import NIOCore
import SocketIOCodec
import Testing

@testable import Dialects

/// The event log's JSON form of the dialects' events (docs/cluster.md#event-log).
@Suite struct DialectEventTests {
    private static let every: [DialectEvent] = [
        .chatroomConnected(socketID: "s1"),
        .chatroomReceived(
            socketID: "s1",
            event: "join",
            arguments: [["roomname": "r", "n": 1.5, "ok": true, "x": nil]]
        ),
        .chatroomDisconnected(socketID: "s1"),
        .chatroomGraceExpired(userID: "u", socketID: "s1"),
        .legacyConnected(socketID: "s2", pinned: .undecided),
        .legacyConnected(socketID: "s2", pinned: .webRtcRoom),
        .legacyConnected(socketID: "s2", pinned: .socketIM),
        .legacyReceived(socketID: "s2", event: "wav", arguments: [.binary(ByteBuffer(bytes: [0, 1, 2, 255])), "a"]),
        .legacyDisconnected(socketID: "s2"),
        .rawReceived(connection: "c", text: #"{"type":"join","id":"é"}"#),
        .rawClosed(connection: "c"),
    ]

    @Test(arguments: every) func roundTripsThroughItsSerializedJSON(_ event: DialectEvent) throws {
        let text = event.json.serialized()
        #expect(DialectEvent(json: try JSONValue(parsing: text)) == event)
    }

    @Test func aClientsObjectThatLooksLikeBinaryStaysAnObject() throws {
        let lookalike: JSONValue = .object(JSONObject([("\u{1}b", "AAEC"), ("\u{1}\u{1}x", 1)]))
        let event = DialectEvent.chatroomReceived(socketID: "s", event: "e", arguments: [lookalike, [lookalike]])
        #expect(DialectEvent(json: try JSONValue(parsing: event.json.serialized())) == event)
    }

    @Test func malformedJSONIsNoEvent() throws {
        for text in [
            #"[]"#, #"["ac"]"#, #"["ac",1]"#, #"["zz","s"]"#, #"["ar","s","e",{}]"#, #"["lc","s","q"]"#,
            #"["ar","s","e",[{"\u0001b":"not base64!"}]]"#, #"{"ac":"s"}"#,
        ] {
            #expect(DialectEvent(json: try JSONValue(parsing: text)) == nil, "\(text)")
        }
    }

    @Test func departuresOfEachDialect() {
        #expect(
            DialectEvent.chatroomReceived(socketID: "a", event: "e", arguments: []).client?.departure
                == .chatroomDisconnected(socketID: "a")
        )
        #expect(
            DialectEvent.legacyConnected(socketID: "b", pinned: .undecided).client?.departure
                == .legacyDisconnected(socketID: "b")
        )
        #expect(DialectEvent.rawReceived(connection: "c", text: "{}").client?.departure == .rawClosed(connection: "c"))
        #expect(DialectEvent.rawClosed(connection: "c").client == nil)
        #expect(DialectEvent.rawClosed(connection: "c").departedClient == "c")
        #expect(DialectEvent.chatroomGraceExpired(userID: "u", socketID: "a").departedClient == nil)
    }
}
