import Testing

@testable import SocketIOCodec

@Suite("Socket.IO packets")
struct SocketIOPacketTests {
    private static let p0 = #"{"_placeholder":true,"num":0}"#
    private static let p1 = #"{"_placeholder":true,"num":1}"#

    /// Socket.IO v5 §"Packet encoding/Examples" and §"Sample session", docs/engineio-socketio.md#socketio-packets, and
    /// the v5 suite's messages (without the Engine.IO `4`).
    static let v5Vectors: [(String, SocketIOPacket)] = [
        ("0", SocketIOPacket(type: .connect)),
        (#"0{"token":"123"}"#, SocketIOPacket(type: .connect, payload: #"{"token":"123"}"#)),
        (
            #"0/admin,{"sid":"oSO0OpakMV_3jnilAAAA"}"#,
            SocketIOPacket(type: .connect, namespace: "/admin", payload: #"{"sid":"oSO0OpakMV_3jnilAAAA"}"#)
        ),
        ("0/admin,", SocketIOPacket(type: .connect, namespace: "/admin")),
        (
            #"4{"message":"Not authorized"}"#,
            SocketIOPacket(type: .connectError, payload: #"{"message":"Not authorized"}"#)
        ),
        (
            #"4/random,{"message":"Invalid namespace"}"#,
            SocketIOPacket(type: .connectError, namespace: "/random", payload: #"{"message":"Invalid namespace"}"#)
        ),
        (#"2["foo"]"#, SocketIOPacket(type: .event, payload: #"["foo"]"#)),
        (#"2/admin,["bar"]"#, SocketIOPacket(type: .event, namespace: "/admin", payload: #"["bar"]"#)),
        (#"2["hello",1]"#, SocketIOPacket(type: .event, payload: #"["hello",1]"#)),
        (#"2[1,"numeric event name"]"#, SocketIOPacket(type: .event, payload: #"[1,"numeric event name"]"#)),
        (#"212["foo"]"#, SocketIOPacket(type: .event, ackID: 12, payload: #"["foo"]"#)),
        (#"2/admin,1["tellme"]"#, SocketIOPacket(type: .event, namespace: "/admin", ackID: 1, payload: #"["tellme"]"#)),
        (#"3/admin,13["bar"]"#, SocketIOPacket(type: .ack, namespace: "/admin", ackID: 13, payload: #"["bar"]"#)),
        (#"312[]"#, SocketIOPacket(type: .ack, ackID: 12, payload: "[]")),
        (
            #"51-["baz",\#(p0)]"#,
            SocketIOPacket(type: .binaryEvent, payload: #"["baz",\#(p0)]"#, attachmentCount: 1)
        ),
        (
            #"52-/admin,["baz",\#(p0),\#(p1)]"#,
            SocketIOPacket(
                type: .binaryEvent,
                namespace: "/admin",
                payload: #"["baz",\#(p0),\#(p1)]"#,
                attachmentCount: 2
            )
        ),
        (
            #"61-15["bar",\#(p0)]"#,
            SocketIOPacket(type: .binaryAck, ackID: 15, payload: #"["bar",\#(p0)]"#, attachmentCount: 1)
        ),
        (
            #"61-/admin,1[\#(p0)]"#,
            SocketIOPacket(type: .binaryAck, namespace: "/admin", ackID: 1, payload: "[\(p0)]", attachmentCount: 1)
        ),
        ("1", SocketIOPacket(type: .disconnect)),
        ("1/admin,", SocketIOPacket(type: .disconnect, namespace: "/admin")),
        (
            #"2["message",1,"2",{"3":[true]}]"#,
            SocketIOPacket(type: .event, payload: #"["message",1,"2",{"3":[true]}]"#)
        ),
        (
            #"2456["message-with-ack",1,"2",{"3":[false]}]"#,
            SocketIOPacket(type: .event, ackID: 456, payload: #"["message-with-ack",1,"2",{"3":[false]}]"#)
        ),
        (#"3456[1,"2",{"3":[false]}]"#, SocketIOPacket(type: .ack, ackID: 456, payload: #"[1,"2",{"3":[false]}]"#)),
        (
            #"52-789["message-with-ack",\#(p0),\#(p1)]"#,
            SocketIOPacket(
                type: .binaryEvent,
                ackID: 789,
                payload: #"["message-with-ack",\#(p0),\#(p1)]"#,
                attachmentCount: 2
            )
        ),
        (
            #"62-789[\#(p0),\#(p1)]"#,
            SocketIOPacket(type: .binaryAck, ackID: 789, payload: "[\(p0),\(p1)]", attachmentCount: 2)
        ),
        (
            #"29007199254740991["max"]"#,
            SocketIOPacket(type: .event, ackID: 9_007_199_254_740_991, payload: #"["max"]"#)
        ),
        (#"4"plain string""#, SocketIOPacket(type: .connectError, payload: #""plain string""#)),
    ]

    @Test("v5 vectors decode and encode", arguments: v5Vectors)
    func v5(text: String, packet: SocketIOPacket) throws {
        #expect(try SocketIOPacket(decoding: text, version: .v5) == packet)
        #expect(packet.encoded() == text)
    }

    /// Socket.IO v4 §"Packet encoding/Examples" and §"Sample session".
    static let v4Vectors: [(String, SocketIOPacket)] = [
        ("0", SocketIOPacket(type: .connect)),
        ("0/admin,", SocketIOPacket(type: .connect, namespace: "/admin")),
        ("0/admin?token=1234&uid=abcd,", SocketIOPacket(type: .connect, namespace: "/admin?token=1234&uid=abcd")),
        ("1/admin,", SocketIOPacket(type: .disconnect, namespace: "/admin")),
        (#"2["hello",1]"#, SocketIOPacket(type: .event, payload: #"["hello",1]"#)),
        (
            #"2/admin,456["project:delete",123]"#,
            SocketIOPacket(type: .event, namespace: "/admin", ackID: 456, payload: #"["project:delete",123]"#)
        ),
        ("3/admin,456[]", SocketIOPacket(type: .ack, namespace: "/admin", ackID: 456, payload: "[]")),
        ("3/admin,456", SocketIOPacket(type: .ack, namespace: "/admin", ackID: 456)),
        (
            #"4/admin,"Not authorized""#,
            SocketIOPacket(type: .connectError, namespace: "/admin", payload: #""Not authorized""#)
        ),
        (
            #"51-["hello",\#(p0)]"#,
            SocketIOPacket(type: .binaryEvent, payload: #"["hello",\#(p0)]"#, attachmentCount: 1)
        ),
        (
            #"51-/admin,456["project:delete",\#(p0)]"#,
            SocketIOPacket(
                type: .binaryEvent,
                namespace: "/admin",
                ackID: 456,
                payload: #"["project:delete",\#(p0)]"#,
                attachmentCount: 1
            )
        ),
        (
            #"61-/admin,456[\#(p0)]"#,
            SocketIOPacket(type: .binaryAck, namespace: "/admin", ackID: 456, payload: "[\(p0)]", attachmentCount: 1)
        ),
    ]

    @Test("v4 vectors decode and encode", arguments: v4Vectors)
    func v4(text: String, packet: SocketIOPacket) throws {
        #expect(try SocketIOPacket(decoding: text, version: .v4) == packet)
        #expect(packet.encoded() == text)
    }

    @Test("a namespace may end the packet without a comma")
    func namespaceWithoutComma() throws {
        // The v5 suite sends `40/custom`, `40/random` and `41/custom`.
        #expect(try SocketIOPacket(decoding: "0/custom") == SocketIOPacket(type: .connect, namespace: "/custom"))
        #expect(try SocketIOPacket(decoding: "1/custom") == SocketIOPacket(type: .disconnect, namespace: "/custom"))
        #expect(SocketIOPacket(type: .connect, namespace: "/custom").encoded() == "0/custom,")
        // `/` and the empty string are the main namespace and are not written.
        #expect(SocketIOPacket(type: .event, namespace: "", payload: #"["a"]"#).encoded() == #"2["a"]"#)
        #expect(try SocketIOPacket(decoding: #"2/,["a"]"#) == SocketIOPacket(type: .event, payload: #"["a"]"#))
        // Whitespace around the JSON is JSON and is kept as is.
        #expect(try SocketIOPacket(decoding: #"2 ["a"] "#).payload == #" ["a"] "#)
    }

    /// Malformed packets: each is an error, never a crash.
    static let invalid: [(String, SocketIOProtocolVersion, SocketIOCodecError)] = [
        ("", .v5, .invalidPacketType),
        ("7", .v5, .invalidPacketType),
        ("abc", .v5, .invalidPacketType),
        ("-1", .v5, .invalidPacketType),
        (" 2[\"a\"]", .v5, .invalidPacketType),
        ("2{}", .v5, .invalidPacketPayload),
        (#"2abc["message-with-ack",1,"2",{"3":[false]}]"#, .v5, .invalidPacketPayload),
        ("2", .v5, .invalidPacketPayload),
        ("2/admin,", .v5, .invalidPacketPayload),
        ("2[]", .v5, .invalidPacketPayload),
        ("2[{}]", .v5, .invalidPacketPayload),
        ("2[null]", .v5, .invalidPacketPayload),
        ("2[true,1]", .v5, .invalidPacketPayload),
        ("2[[\"a\"]]", .v5, .invalidPacketPayload),
        ("2\"a\"", .v5, .invalidPacketPayload),
        (#"2["a""#, .v5, .invalidPacketPayload),
        (#"2["a"]x"#, .v5, .invalidPacketPayload),
        (#"2["a",]"#, .v5, .invalidPacketPayload),
        (#"2['a']"#, .v5, .invalidPacketPayload),
        (#"2["connect"]"#, .v5, .reservedEventName),
        (#"2["connect_error",1]"#, .v5, .reservedEventName),
        (#"2["disconnect"]"#, .v5, .reservedEventName),
        (#"2["disconnecting"]"#, .v5, .reservedEventName),
        (#"2["newListener"]"#, .v5, .reservedEventName),
        (#"2["removeListener"]"#, .v4, .reservedEventName),
        ("3", .v5, .invalidPacketPayload),
        ("312", .v5, .invalidPacketPayload),
        ("3{}", .v5, .invalidPacketPayload),
        ("3\"a\"", .v4, .invalidPacketPayload),
        ("0[]", .v5, .invalidPacketPayload),
        ("0\"x\"", .v5, .invalidPacketPayload),
        ("0null", .v5, .invalidPacketPayload),
        ("0{}", .v4, .invalidPacketPayload),
        (#"0/admin,{"token":"1"}"#, .v4, .invalidPacketPayload),
        ("1{}", .v5, .invalidPacketPayload),
        ("1/admin,[]", .v5, .invalidPacketPayload),
        ("4[]", .v5, .invalidPacketPayload),
        ("41", .v5, .unexpectedAckID),
        ("01", .v5, .unexpectedAckID),
        ("1/admin,5", .v5, .unexpectedAckID),
        (#"0/a,7{"x":1}"#, .v5, .unexpectedAckID),
        ("5-[\"a\"]", .v5, .invalidAttachmentCount),
        ("5[\"a\"]", .v5, .invalidAttachmentCount),
        ("50-[\"a\"]", .v5, .invalidAttachmentCount),
        ("5a-[\"a\"]", .v5, .invalidAttachmentCount),
        ("51[\"a\"]", .v5, .invalidAttachmentCount),
        ("51", .v5, .invalidAttachmentCount),
        ("6", .v5, .invalidAttachmentCount),
        ("51234567890-[\"a\"]", .v5, .invalidAttachmentCount),
        ("51-", .v5, .invalidPacketPayload),
        ("61-1", .v4, .invalidPacketPayload),
        (#"29007199254740992["a"]"#, .v5, .invalidAckID),
        (#"299999999999999999999999["a"]"#, .v5, .invalidAckID),
    ]

    @Test("malformed packets are errors", arguments: invalid)
    func invalidPackets(text: String, version: SocketIOProtocolVersion, error: SocketIOCodecError) {
        #expect(throws: error) {
            try SocketIOPacket(decoding: text, version: version)
        }
    }

    @Test("payload nesting is limited")
    func depth() throws {
        let deep = #"2["a","# + String(repeating: "[", count: 200) + String(repeating: "]", count: 200) + "]"
        #expect(throws: SocketIOCodecError.jsonNestingTooDeep) {
            try SocketIOPacket(decoding: deep)
        }
        #expect(try SocketIOPacket(decoding: deep, maxJSONDepth: 256).payload != nil)
    }

    @Test("connection builders for each revision")
    func builders() {
        #expect(
            SocketIOPacket.connect(socketID: "wZX3oN0bSVIhsaknAAAI", version: .v5).encoded()
                == #"0{"sid":"wZX3oN0bSVIhsaknAAAI"}"#
        )
        #expect(
            SocketIOPacket.connect(namespace: "/admin", socketID: "-G5j-67EZFp-q59rADQM", version: .v5).encoded()
                == #"0/admin,{"sid":"-G5j-67EZFp-q59rADQM"}"#
        )
        #expect(SocketIOPacket.connect(namespace: "/admin", socketID: "x", version: .v4).encoded() == "0/admin,")
        #expect(SocketIOPacket.connect(socketID: "x", version: .v4).encoded() == "0")
        #expect(
            SocketIOPacket.connectError(namespace: "/random", message: "Invalid namespace", version: .v5).encoded()
                == #"4/random,{"message":"Invalid namespace"}"#
        )
        #expect(
            SocketIOPacket.connectError(message: "Not authorized", data: ["retry": false], version: .v5).encoded()
                == #"4{"message":"Not authorized","data":{"retry":false}}"#
        )
        #expect(
            SocketIOPacket.connectError(namespace: "/admin", message: "Not authorized", version: .v4).encoded()
                == #"4/admin,"Not authorized""#
        )
        #expect(SocketIOPacket.disconnect(namespace: "/admin").encoded() == "1/admin,")
        #expect(SocketIOPacket.disconnect().encoded() == "1")
    }

    @Test("namespaces and the v4 query string")
    func namespaces() throws {
        #expect(SocketIONamespace.isValid("/"))
        #expect(SocketIONamespace.isValid("/admin"))
        #expect(!SocketIONamespace.isValid("admin"))
        #expect(!SocketIONamespace.isValid("/a,b"))
        #expect(!SocketIONamespace.isValid(""))

        let packet = try SocketIOPacket(decoding: "0/admin?token=1234&uid=abcd,", version: .v4)
        let (name, query) = SocketIONamespace.split(packet.namespace)
        #expect(name == "/admin")
        #expect(query == "token=1234&uid=abcd")
        #expect(SocketIONamespace.split("/admin") == ("/admin", nil))
        #expect(SocketIONamespace.split("/a?x=1#h") == ("/a", "x=1"))
        #expect(SocketIONamespace.split("/a#h?x=1") == ("/a", nil))

        // Expected objects printed by Node.js v20: `JSON.stringify(url.parse(nsp, true).query)`.
        #expect(SocketIONamespace.queryObject("token=1234&uid=abcd").serialized() == #"{"token":"1234","uid":"abcd"}"#)
        #expect(SocketIONamespace.queryObject("a=1&a=2&b").serialized() == #"{"a":["1","2"],"b":""}"#)
        #expect(
            SocketIONamespace.queryObject("&x=%E2%82%AC+y&=z&%zz=1").serialized() == #"{"x":"€ y","":"z","%zz":"1"}"#
        )
        #expect(SocketIONamespace.queryObject("").serialized() == "{}")
        #expect(SocketIONamespace.queryObject("b=1&2=x").serialized() == #"{"2":"x","b":"1"}"#)
    }
}
