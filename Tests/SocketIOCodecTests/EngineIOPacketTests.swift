import NIOCore
import Testing

@testable import SocketIOCodec

@Suite("Engine.IO packets")
struct EngineIOPacketTests {
    /// Text packets from Engine.IO v4 §"Protocol"/§"Upgrade" and v3 §"Packet", valid in both revisions.
    static let textVectors: [(String, EngineIOPacket)] = [
        (
            #"0{"sid":"lv_VI97HAXpY6yYWAAAC","upgrades":["websocket"],"pingInterval":25000,"pingTimeout":5000,"maxPayload":1000000}"#,
            .open(
                #"{"sid":"lv_VI97HAXpY6yYWAAAC","upgrades":["websocket"],"pingInterval":25000,"pingTimeout":5000,"maxPayload":1000000}"#
            )
        ),
        ("1", .close),
        ("2", .ping(probe: false)),
        ("2probe", .ping(probe: true)),
        ("3", .pong(payload: "")),
        ("3probe", .pong(payload: "probe")),
        ("4hello", .message("hello")),
        ("4HelloWorld", .message(.text("HelloWorld"))),
        ("4", .message("")),
        ("4€😀\u{1E}", .message("€😀\u{1E}")),
        (#"42["hello",1]"#, .message(#"2["hello",1]"#)),
        ("5", .upgrade),
        ("6", .noop),
    ]

    @Test("text packets decode and encode in both revisions", arguments: textVectors)
    func textPackets(text: String, packet: EngineIOPacket) throws {
        for version in EngineIOProtocolVersion.allCases {
            #expect(try EngineIOPacket(text: text, version: version) == packet)
            #expect(packet.encodedText(version: version) == text)
            #expect(packet.webSocketFrame(version: version) == .text(text))
            #expect(try EngineIOPacket(webSocketFrame: .text(text), version: version) == packet)
        }
    }

    @Test("probe helpers")
    func probes() {
        #expect(EngineIOPacket.ping(probe: true).isProbe)
        #expect(EngineIOPacket.pong(probe: true).isProbe)
        #expect(!EngineIOPacket.ping(probe: false).isProbe)
        #expect(!EngineIOPacket.message("probe").isProbe)
        #expect(EngineIOPacket.ping(probe: true).type == .ping)
    }

    @Test("data after close, upgrade and noop is ignored, as the reference does")
    func ignoredData() throws {
        #expect(try EngineIOPacket(text: "1bye", version: .v4) == .close)
        #expect(try EngineIOPacket(text: "5x", version: .v3) == .upgrade)
        #expect(try EngineIOPacket(text: "6x", version: .v4) == .noop)
    }

    @Test("binary messages over WebSocket: raw in v4, behind a 0x04 type byte in v3")
    func webSocketBinary() throws {
        let data = ByteBuffer(bytes: [1, 2, 3, 4])
        let packet = EngineIOPacket.message(data)
        #expect(packet.webSocketFrame(version: .v4) == .binary(data))
        // The v3 suite echoes `[4,1,2,3,4]`.
        #expect(packet.webSocketFrame(version: .v3) == .binary(ByteBuffer(bytes: [4, 1, 2, 3, 4])))
        #expect(try EngineIOPacket(webSocketFrame: .binary(data), version: .v4) == packet)
        #expect(
            try EngineIOPacket(webSocketFrame: .binary(ByteBuffer(bytes: [4, 1, 2, 3, 4])), version: .v3) == packet
        )
        // Empty binary messages are allowed.
        #expect(try EngineIOPacket(webSocketFrame: .binary(ByteBuffer()), version: .v4) == .message(ByteBuffer()))
        #expect(
            try EngineIOPacket(webSocketFrame: .binary(ByteBuffer(bytes: [4])), version: .v3) == .message(ByteBuffer())
        )
    }

    @Test("base64 binary messages in text form: b<base64> in v4, b4<base64> in v3")
    func base64Text() throws {
        let packet = EngineIOPacket.message(ByteBuffer(bytes: [1, 2, 3, 4]))
        #expect(packet.encodedText(version: .v4) == "bAQIDBA==")
        #expect(packet.encodedText(version: .v3) == "b4AQIDBA==")
        #expect(try EngineIOPacket(text: "bAQIDBA==", version: .v4) == packet)
        #expect(try EngineIOPacket(text: "b4AQIDBA==", version: .v3) == packet)
        // Unpadded base64 is accepted too.
        #expect(try EngineIOPacket(text: "bAQIDBA", version: .v4) == packet)
        #expect(try EngineIOPacket(text: "b", version: .v4) == .message(ByteBuffer()))
        for length in 0..<10 {
            let bytes = (0..<length).map { UInt8(truncatingIfNeeded: $0 &* 37 &+ 200) }
            let message = EngineIOPacket.message(ByteBuffer(bytes: bytes))
            for version in EngineIOProtocolVersion.allCases {
                #expect(try EngineIOPacket(text: message.encodedText(version: version), version: version) == message)
            }
        }
    }

    /// Malformed text packets: each is an error, never a crash.
    static let invalidText: [(String, EngineIOProtocolVersion, SocketIOCodecError)] = [
        ("", .v4, .emptyPacket),
        ("", .v3, .emptyPacket),
        ("7", .v4, .invalidPacketType),
        ("9hello", .v3, .invalidPacketType),
        ("a", .v4, .invalidPacketType),
        (" 4", .v4, .invalidPacketType),
        ("/", .v4, .invalidPacketType),
        ("\u{1E}", .v4, .invalidPacketType),
        ("b!!!!", .v4, .invalidBase64),
        ("bA", .v4, .invalidBase64),
        ("bAQ=X", .v4, .invalidBase64),
        ("bAQ===", .v4, .invalidBase64),
        ("bAQI D", .v4, .invalidBase64),
        ("bAQ-_", .v4, .invalidBase64),
        ("b", .v3, .invalidPacketType),
        ("bx", .v3, .invalidPacketType),
        ("b2AQID", .v3, .unsupportedBinaryPacketType),
        ("b4!!", .v3, .invalidBase64),
    ]

    @Test("malformed text packets are errors", arguments: invalidText)
    func invalidTextPackets(text: String, version: EngineIOProtocolVersion, error: SocketIOCodecError) {
        #expect(throws: error) {
            try EngineIOPacket(text: text, version: version)
        }
    }

    @Test("malformed v3 binary frames are errors")
    func invalidBinaryFrames() {
        #expect(throws: SocketIOCodecError.emptyPacket) {
            try EngineIOPacket(webSocketFrame: .binary(ByteBuffer()), version: .v3)
        }
        #expect(throws: SocketIOCodecError.unsupportedBinaryPacketType) {
            try EngineIOPacket(webSocketFrame: .binary(ByteBuffer(bytes: [2, 1])), version: .v3)
        }
        #expect(throws: SocketIOCodecError.invalidPacketType) {
            try EngineIOPacket(webSocketFrame: .binary(ByteBuffer(bytes: [0x34, 1])), version: .v3)
        }
    }

    @Test("EIO query parameter")
    func protocolVersion() {
        #expect(EngineIOProtocolVersion(queryValue: "4") == .v4)
        #expect(EngineIOProtocolVersion(queryValue: "3") == .v3)
        #expect(EngineIOProtocolVersion(queryValue: nil) == .v3)
        #expect(EngineIOProtocolVersion(queryValue: "5") == nil)
        #expect(EngineIOProtocolVersion(queryValue: "abc") == nil)
        #expect(EngineIOProtocolVersion(queryValue: "") == nil)
        #expect(EngineIOProtocolVersion.v4.socketIOProtocolVersion == .v5)
        #expect(SocketIOProtocolVersion(engineIO: .v3) == .v4)
    }
}

@Suite("Engine.IO handshake")
struct EngineIOHandshakeTests {
    @Test("v4 open JSON has exactly the reference keys, in order")
    func v4JSON() {
        let handshake = EngineIOHandshake(sid: "lv_VI97HAXpY6yYWAAAC")
        #expect(
            handshake.json(version: .v4)
                == #"{"sid":"lv_VI97HAXpY6yYWAAAC","upgrades":["websocket"],"pingInterval":25000,"pingTimeout":20000,"maxPayload":1000000}"#
        )
        #expect(
            handshake.openPacket(version: .v4).encodedText(version: .v4)
                == #"0{"sid":"lv_VI97HAXpY6yYWAAAC","upgrades":["websocket"],"pingInterval":25000,"pingTimeout":20000,"maxPayload":1000000}"#
        )
    }

    @Test("the suites' configuration and a WebSocket-only session")
    func suiteConfiguration() {
        let handshake = EngineIOHandshake(sid: "abc", upgrades: [], pingInterval: 300, pingTimeout: 200)
        #expect(
            handshake.json(version: .v4)
                == #"{"sid":"abc","upgrades":[],"pingInterval":300,"pingTimeout":200,"maxPayload":1000000}"#
        )
    }

    @Test("v3 open JSON has no maxPayload; the v3 sample is 96 UTF-16 units long")
    func v3JSON() throws {
        let handshake = EngineIOHandshake(sid: "lv_VI97HAXpY6yYWAAAC", pingTimeout: 5000)
        let json = handshake.json(version: .v3)
        #expect(
            json == #"{"sid":"lv_VI97HAXpY6yYWAAAC","upgrades":["websocket"],"pingInterval":25000,"pingTimeout":5000}"#
        )
        let body = EngineIOPayload([handshake.openPacket(version: .v3)]).encoded(version: .v3).body
        // Engine.IO v3 §"Sample session", request n°1.
        #expect(String(buffer: body) == "96:0" + json)
    }

    @Test("handshake JSON decodes")
    func decode() throws {
        let handshake = try EngineIOHandshake(
            json:
                #"{"sid":"lv_VI97HAXpY6yYWAAAC","upgrades":["websocket"],"pingInterval":25000,"pingTimeout":5000,"maxPayload":1000000}"#
        )
        #expect(handshake == EngineIOHandshake(sid: "lv_VI97HAXpY6yYWAAAC", pingTimeout: 5000))
        // The v3 WebSocket-only sample omits upgrades.
        let v3 = try EngineIOHandshake(json: #"{"sid":"lv_VI97HAXpY6yYWAAAC","pingInterval":25000,"pingTimeout":5000}"#)
        #expect(v3.upgrades == [])
        #expect(v3.maxPayload == nil)
        for bad in [
            "", "[]", #"{"sid":1,"pingInterval":1,"pingTimeout":1}"#, #"{"sid":"a","pingInterval":1}"#,
            #"{"sid":"a","pingInterval":1,"pingTimeout":1,"upgrades":"websocket"}"#,
            #"{"sid":"a","pingInterval":1.5,"pingTimeout":1}"#,
        ] {
            #expect(throws: SocketIOCodecError.invalidHandshake) {
                try EngineIOHandshake(json: bad)
            }
        }
    }

    @Test("sid with characters that need escaping")
    func escaping() {
        let handshake = EngineIOHandshake(sid: "a\"b\\c/d", upgrades: ["websocket"])
        #expect(handshake.json(version: .v3).hasPrefix(#"{"sid":"a\"b\\c/d","#))
    }
}
