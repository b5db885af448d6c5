import NIOCore
import Testing

@testable import SocketIOCodec

@Suite("Engine.IO polling payloads")
struct EngineIOPayloadTests {
    static let binary1234 = ByteBuffer(bytes: [1, 2, 3, 4])

    // MARK: - v4

    /// Engine.IO v4 §"Packet encoding/HTTP long-polling" and Socket.IO v5 §"Sample session".
    static let v4Vectors: [(String, [EngineIOPacket])] = [
        ("4hello\u{1E}2\u{1E}4world", [.message("hello"), .ping(probe: false), .message("world")]),
        ("4hello\u{1E}bAQIDBA==", [.message("hello"), .message(binary1234)]),
        (#"42["hello"]"# + "\u{1E}" + #"42["world"]"#, [.message(#"2["hello"]"#), .message(#"2["world"]"#)]),
        ("40", [.message("0")]),
        ("6", [.noop]),
        ("1", [.close]),
        ("4€\u{1E}4😀𝄞", [.message("€"), .message("😀𝄞")]),
    ]

    @Test("v4 records separated by 0x1E", arguments: v4Vectors)
    func v4(body: String, packets: [EngineIOPacket]) throws {
        let payload = EngineIOPayload(packets)
        #expect(try EngineIOPayload(decoding: ByteBuffer(string: body), version: .v4) == payload)
        let (encoded, framing) = payload.encoded(version: .v4)
        #expect(String(buffer: encoded) == body)
        #expect(framing == .text)
        // v4 is always text, even when the client could take binary.
        #expect(payload.encoded(version: .v4, supportsBinary: true).framing == .text)
    }

    @Test("v4 rejects binary bodies")
    func v4Binary() {
        #expect(throws: SocketIOCodecError.binaryPayloadNotSupported) {
            try EngineIOPayload(decoding: ByteBuffer(bytes: [0, 1, 255, 52]), version: .v4, framing: .binary)
        }
    }

    /// Malformed v4 bodies.
    static let v4Invalid: [([UInt8], SocketIOCodecError)] = [
        ([], .emptyPayload),
        (Array("4a\u{1E}".utf8), .emptyPacket),
        (Array("\u{1E}4a".utf8), .emptyPacket),
        (Array("\u{1E}".utf8), .emptyPacket),
        (Array("4a\u{1E}\u{1E}4b".utf8), .emptyPacket),
        (Array("4a\u{1E}7".utf8), .invalidPacketType),
        (Array("hello".utf8), .invalidPacketType),
        (Array("4a\u{1E}b***".utf8), .invalidBase64),
        ([0x34, 0xFF], .invalidUTF8),
        ([0x34, 0xE2, 0x82], .invalidUTF8),
        ([0x34, 0xED, 0xA0, 0x80], .invalidUTF8),
        ([0x34, 0xF4, 0x90, 0x80, 0x80], .invalidUTF8),
        ([0x34, 0xC0, 0x80], .invalidUTF8),
    ]

    @Test("malformed v4 bodies are errors", arguments: v4Invalid)
    func v4Errors(body: [UInt8], error: SocketIOCodecError) {
        #expect(throws: error) {
            try EngineIOPayload(decoding: ByteBuffer(bytes: body), version: .v4)
        }
    }

    // MARK: - v3 text

    /// Engine.IO v3 §"Sample session", §"Payload" and Socket.IO v4 §"Sample session". Lengths count UTF-16 code
    /// units: `€` counts 1, an emoji or any non-BMP character 2.
    static let v3TextVectors: [(String, [EngineIOPacket])] = [
        ("4:4hey", [.message("hey")]),
        ("6:4hello6:4world", [.message("hello"), .message("world")]),
        ("6:4hello2:4€", [.message("hello"), .message("€")]),
        ("2:4€10:b4AQIDBA==", [.message("€"), .message(binary1234)]),
        ("6:4hello10:b4AQIDBA==", [.message("hello"), .message(binary1234)]),
        (#"16:42["hey","Jude"]"#, [.message(#"2["hey","Jude"]"#)]),
        (#"11:42["hello"]11:42["world"]"#, [.message(#"2["hello"]"#), .message(#"2["world"]"#)]),
        ("1:6", [.noop]),
        ("1:1", [.close]),
        ("1:2", [.ping(probe: false)]),
        ("6:2probe", [.ping(probe: true)]),
        ("3:4😀", [.message("😀")]),
        ("3:4𝄞2:4é", [.message("𝄞"), .message("é")]),
        ("8:4hé€😀𝄞", [.message("hé€😀𝄞")]),
        ("9:4👨‍👩‍👧", [.message("👨‍👩‍👧")]),
        ("0:", []),
    ]

    @Test("v3 text framing with UTF-16 lengths", arguments: v3TextVectors)
    func v3Text(body: String, packets: [EngineIOPacket]) throws {
        let payload = EngineIOPayload(packets)
        #expect(try EngineIOPayload(decoding: ByteBuffer(string: body), version: .v3) == payload)
        // With `b64=1` (no binary support) or without binary packets the reply is text.
        let (encoded, framing) = payload.encoded(version: .v3, supportsBinary: false)
        #expect(framing == .text)
        #expect(String(buffer: encoded) == body)
        if !packets.contains(where: \.isBinary) {
            #expect(String(buffer: payload.encoded(version: .v3, supportsBinary: true).body) == body)
        }
    }

    @Test("v3 open packet then the implicit CONNECT (Socket.IO v4 §Sample session)")
    func v3Sample() throws {
        let body =
            #"96:0{"sid":"lv_VI97HAXpY6yYWAAAC","upgrades":["websocket"],"pingInterval":25000,"pingTimeout":5000}2:40"#
        let payload = try EngineIOPayload(decoding: ByteBuffer(string: body), version: .v3)
        #expect(payload.packets.count == 2)
        guard case .open(let json) = payload.packets[0] else {
            Issue.record("expected an open packet")
            return
        }
        #expect(try EngineIOHandshake(json: json).pingTimeout == 5000)
        #expect(payload.packets[1] == .message("0"))
        #expect(String(buffer: payload.encoded(version: .v3).body) == body)
    }

    /// Malformed v3 text bodies.
    static let v3TextInvalid: [(String, SocketIOCodecError)] = [
        ("", .emptyPayload),
        ("4hello", .invalidPayloadLength),
        (":4", .invalidPayloadLength),
        ("6", .invalidPayloadLength),
        ("6:4hello6", .invalidPayloadLength),
        ("a:4", .invalidPayloadLength),
        ("-1:4", .invalidPayloadLength),
        (" 1:4", .invalidPayloadLength),
        ("1234567890:4", .invalidPayloadLength),
        ("5:4hi", .truncatedPayload),
        ("2:4😀", .truncatedPayload),
        ("3:4😀😀", .invalidPayloadLength),
        ("1:7", .invalidPacketType),
        ("3:4hi3:xyz", .invalidPacketType),
        ("2:b2", .unsupportedBinaryPacketType),
        ("4:b4**", .invalidBase64),
    ]

    @Test("malformed v3 text bodies are errors", arguments: v3TextInvalid)
    func v3TextErrors(body: String, error: SocketIOCodecError) {
        #expect(throws: error) {
            try EngineIOPayload(decoding: ByteBuffer(string: body), version: .v3)
        }
    }

    // MARK: - v3 binary

    @Test("v3 binary framing: the v3 suite's vector")
    func v3Binary() throws {
        let bytes: [UInt8] = [0, 6, 255, 52, 104, 101, 108, 108, 111, 1, 5, 255, 4, 1, 2, 3, 4]
        let payload = EngineIOPayload([.message("hello"), .message(Self.binary1234)])
        #expect(try EngineIOPayload(decoding: ByteBuffer(bytes: bytes), version: .v3, framing: .binary) == payload)
        let (encoded, framing) = payload.encoded(version: .v3, supportsBinary: true)
        #expect(framing == .binary)
        #expect(framing.contentType == "application/octet-stream")
        #expect(encoded.bytes == bytes)
    }

    @Test("v3 binary framing: string lengths count UTF-8 bytes, lengths of 10 and more take several digits")
    func v3BinaryLengths() throws {
        // Engine.IO v3 §"Payload": `00 04 ff 34 e2 82 ac` is "4€" (4 bytes). (The binary half of that example,
        // `01 04 ff 01 02 03 04`, omits the type byte that the reference parser and the v3 suite both write.)
        let euro: [UInt8] = [0x00, 0x04, 0xFF, 0x34, 0xE2, 0x82, 0xAC]
        #expect(
            try EngineIOPayload(decoding: ByteBuffer(bytes: euro), version: .v3, framing: .binary).packets == [
                .message("€")
            ]
        )
        let long = ByteBuffer(bytes: Array(0..<12))
        let payload = EngineIOPayload([.message("hello world"), .message(long), .noop])
        let encoded = payload.encoded(version: .v3, supportsBinary: true).body
        var expected: [UInt8] = [0, 1, 2, 255] + Array("4hello world".utf8)
        expected += [1, 1, 3, 255, 4] + Array(0..<12)
        expected += [0, 1, 255, 0x36]
        #expect(encoded.bytes == expected)
        #expect(try EngineIOPayload(decoding: encoded, version: .v3, framing: .binary) == payload)
    }

    @Test("v3 binary is used only with binary support and a binary packet")
    func v3FramingChoice() {
        let mixed = EngineIOPayload([.message("a"), .message(Self.binary1234)])
        #expect(mixed.framing(version: .v3, supportsBinary: true) == .binary)
        #expect(mixed.framing(version: .v3, supportsBinary: false) == .text)
        #expect(mixed.framing(version: .v4, supportsBinary: true) == .text)
        #expect(EngineIOPayload([.message("a")]).framing(version: .v3, supportsBinary: true) == .text)
        // b64=1: binary goes as base64 text.
        #expect(String(buffer: mixed.encoded(version: .v3).body) == "2:4a10:b4AQIDBA==")
    }

    @Test("decoded binary data is a slice of the body")
    func zeroCopy() throws {
        var body = ByteBuffer(bytes: [9, 9])
        body.moveReaderIndex(forwardBy: 2)
        body.writeBytes([1, 3, 255, 4, 7, 8])
        let payload = try EngineIOPayload(decoding: body, version: .v3, framing: .binary)
        #expect(payload.packets == [.message(ByteBuffer(bytes: [7, 8]))])
    }

    /// Malformed v3 binary bodies.
    static let v3BinaryInvalid: [([UInt8], SocketIOCodecError)] = [
        ([], .emptyPayload),
        ([2, 1, 255, 52], .invalidPayloadMarker),
        ([0x34], .invalidPayloadMarker),
        ([0], .truncatedPayload),
        ([0, 1], .truncatedPayload),
        ([0, 255, 52], .invalidPayloadLength),
        ([0, 10, 255, 52], .invalidPayloadLength),
        ([0, 5, 255, 52], .truncatedPayload),
        ([0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 0, 255], .invalidPayloadLength),
        ([1, 1, 255, 2], .unsupportedBinaryPacketType),
        ([1, 1, 255, 9], .invalidPacketType),
        ([1, 0, 255], .emptyPacket),
        ([0, 0, 255], .emptyPacket),
        ([0, 2, 255, 0xC3, 0x28], .invalidUTF8),
        ([0, 1, 255, 0x37], .invalidPacketType),
        ([0, 6, 255, 52, 104, 101, 108, 108, 111, 1, 5, 255, 4, 1], .truncatedPayload),
    ]

    @Test("malformed v3 binary bodies are errors", arguments: v3BinaryInvalid)
    func v3BinaryErrors(body: [UInt8], error: SocketIOCodecError) {
        #expect(throws: error) {
            try EngineIOPayload(decoding: ByteBuffer(bytes: body), version: .v3, framing: .binary)
        }
    }

    // MARK: - Content types

    @Test("framing from Content-Type")
    func contentTypes() {
        #expect(EngineIOPayloadFraming(contentType: "application/octet-stream") == .binary)
        #expect(EngineIOPayloadFraming(contentType: "Application/Octet-Stream; charset=UTF-8") == .binary)
        #expect(EngineIOPayloadFraming(contentType: " application/octet-stream ") == .binary)
        #expect(EngineIOPayloadFraming(contentType: "text/plain;charset=UTF-8") == .text)
        #expect(EngineIOPayloadFraming(contentType: "application/octet-streamx") == .text)
        #expect(EngineIOPayloadFraming(contentType: "application/octet") == .text)
        #expect(EngineIOPayloadFraming(contentType: nil) == .text)
        #expect(EngineIOPayloadFraming.text.contentType == "text/plain; charset=UTF-8")
    }
}
