import NIOCore
import TestSupport
import Testing

@testable import SocketIOCodec

/// A seeded pseudo-random loop over every decoder: random token soups and mutations of valid inputs must either
/// decode or throw ``SocketIOCodecError``, never trap; whatever decodes must survive an encode/decode round trip.
@Suite("Decoder robustness")
struct RobustnessTests {
    /// Fragments that reach deep into the grammars.
    static let tokens: [String] = [
        "0", "1", "2", "3", "4", "5", "6", "7", "9", "b", "4", "42", "451-", "-", ",", "/", "/admin", "?", "=", "&",
        ":", "[", "]", "{", "}", "\"", "\\", "\\u", "d83d", "\\ude00", "\\n", "true", "false", "null", "1e400",
        "-0", "0.5", "1e", "_placeholder", "\"num\"", "probe", "AQIDBA==", "=", " ", "\t", "\u{1E}", "€", "😀", "é",
        "\u{0}", "\u{1F}", "\u{7F}", "123456789", "9007199254740993", "\"a\"", "[\"a\",1]", "{\"a\":1}",
    ]

    /// Valid inputs to mutate.
    static let seeds: [String] = [
        #"2["hello",1]"#, #"52-/admin,789["baz",{"_placeholder":true,"num":0},{"_placeholder":true,"num":1}]"#,
        #"0/admin,{"sid":"oSO0OpakMV_3jnilAAAA"}"#, "4hello\u{1E}bAQIDBA==\u{1E}2probe", "6:4hello10:b4AQIDBA==3:4😀",
        #"{"a":[1,2.5e-3,"x\u00e9\ud83d\ude00",{"b":null}],"c":true}"#, "0/admin?token=1&x=%E2%82%AC,",
        #"{"sid":"a","upgrades":["websocket"],"pingInterval":1,"pingTimeout":2,"maxPayload":3}"#,
    ]

    static func randomText(_ generator: inout SplitMix64) -> String {
        if Bool.random(using: &generator) {
            let count = Int.random(in: 0...12, using: &generator)
            return (0..<count).map { _ in Self.tokens.randomElement(using: &generator)! }.joined()
        }
        var bytes = Array(Self.seeds.randomElement(using: &generator)!.utf8)
        for _ in 0..<Int.random(in: 1...4, using: &generator) {
            let position = Int.random(in: 0...bytes.count, using: &generator)
            switch Int.random(in: 0..<4, using: &generator) {
            case 0 where position < bytes.count:
                bytes.remove(at: position)
            case 1:
                bytes.insert(contentsOf: Self.tokens.randomElement(using: &generator)!.utf8, at: position)
            case 2 where position < bytes.count:
                bytes[position] = UInt8.random(in: 0x20...0x7E, using: &generator)
            default:
                bytes = Array(bytes.prefix(position))
            }
        }
        // Mutations may split UTF-8 sequences; decoding with repair keeps the text a valid String.
        return String(decoding: bytes, as: UTF8.self)
    }

    static func randomBytes(_ generator: inout SplitMix64) -> [UInt8] {
        if Bool.random(using: &generator) {
            let count = Int.random(in: 0...24, using: &generator)
            let alphabet: [UInt8] = [
                0, 1, 2, 4, 5, 9, 10, 0xFF, 0x34, 0x30, 0x3A, 0x62, 0x1E, 0xE2, 0x82, 0xAC, 0xF0, 0xC3,
            ]
            return (0..<count).map { _ in
                Bool.random(using: &generator)
                    ? alphabet.randomElement(using: &generator)! : UInt8.random(in: 0...255, using: &generator)
            }
        }
        var bytes: [UInt8] = [0, 6, 255, 52, 104, 101, 108, 108, 111, 1, 5, 255, 4, 1, 2, 3, 4]
        for _ in 0..<Int.random(in: 1...3, using: &generator) where !bytes.isEmpty {
            let position = Int.random(in: 0..<bytes.count, using: &generator)
            if Bool.random(using: &generator) {
                bytes[position] = UInt8.random(in: 0...255, using: &generator)
            } else {
                bytes.remove(at: position)
            }
        }
        return bytes
    }

    @Test("Engine.IO decoders", arguments: [1 as UInt64, 2, 3, 4])
    func engineIO(seed: UInt64) throws {
        var generator = SplitMix64(seed: seed)
        var decodedPackets = 0
        var decodedPayloads = 0
        for _ in 0..<2_500 {
            let text = Self.randomText(&generator)
            let bytes = Self.randomBytes(&generator)
            for version in EngineIOProtocolVersion.allCases {
                if let packet = try? EngineIOPacket(text: text, version: version) {
                    decodedPackets += 1
                    let again = try EngineIOPacket(text: packet.encodedText(version: version), version: version)
                    #expect(again == packet)
                    #expect(
                        try EngineIOPacket(webSocketFrame: packet.webSocketFrame(version: version), version: version)
                            == packet
                    )
                }
                if let packet = try? EngineIOPacket(webSocketFrame: .binary(ByteBuffer(bytes: bytes)), version: version)
                {
                    #expect(
                        try EngineIOPacket(webSocketFrame: packet.webSocketFrame(version: version), version: version)
                            == packet
                    )
                }
                for body in [ByteBuffer(string: text), ByteBuffer(bytes: bytes)] {
                    for framing in [EngineIOPayloadFraming.text, .binary] {
                        guard let payload = try? EngineIOPayload(decoding: body, version: version, framing: framing),
                            !payload.packets.isEmpty
                        else {
                            continue
                        }
                        decodedPayloads += 1
                        for supportsBinary in [false, true] {
                            let (encoded, usedFraming) = payload.encoded(
                                version: version,
                                supportsBinary: supportsBinary
                            )
                            let decoded = try EngineIOPayload(decoding: encoded, version: version, framing: usedFraming)
                            #expect(decoded == payload)
                        }
                    }
                }
            }
            _ = try? EngineIOHandshake(json: text)
        }
        // The inputs are not all rejected: the round-trip checks above really ran.
        #expect(decodedPackets > 500)
        #expect(decodedPayloads > 500)
    }

    @Test("Socket.IO decoder and reassembler", arguments: [5 as UInt64, 6, 7, 8])
    func socketIO(seed: UInt64) throws {
        var generator = SplitMix64(seed: seed)
        var reassembler = SocketIOBinaryReassembler(maxAttachments: 3)
        var decodedPackets = 0
        var delivered = 0
        var deliveredWithAttachments = 0
        for _ in 0..<2_500 {
            let text = Self.randomText(&generator)
            for version in SocketIOProtocolVersion.allCases {
                if let packet = try? SocketIOPacket(decoding: text, version: version) {
                    decodedPackets += 1
                    #expect(try SocketIOPacket(decoding: packet.encoded(), version: version) == packet)
                }
            }
            var messages: [TextOrBinaryMessage] = [
                Int.random(in: 0..<8, using: &generator) == 0
                    ? .binary(ByteBuffer(bytes: Self.randomBytes(&generator))) : .text(text)
            ]
            if Bool.random(using: &generator) {
                messages = Self.randomBinaryPacket(&generator)
            }
            for message in messages {
                guard case .deliver(let assembled)? = try? reassembler.receive(message, version: .v5) else {
                    continue
                }
                delivered += 1
                if !assembled.attachments.isEmpty {
                    deliveredWithAttachments += 1
                }
                // What was received can be sent again and received again.
                let rebuilt = SocketIOAssembledPacket(
                    type: assembled.packet.type,
                    namespace: assembled.packet.namespace,
                    ackID: assembled.packet.ackID,
                    data: assembled.data
                )
                var echo = SocketIOBinaryReassembler(maxAttachments: 100)
                var last: SocketIOBinaryReassembler.Action?
                for message in rebuilt.engineIOMessages {
                    last = try echo.receive(message, version: .v5)
                }
                if case .deliver(let again)? = last {
                    #expect(again.data == assembled.data)
                } else {
                    Issue.record("the rebuilt packet did not reassemble: \(rebuilt)")
                }
            }
        }
        #expect(decodedPackets > 300)
        #expect(delivered > 300)
        #expect(deliveredWithAttachments > 200)
    }

    /// A binary event header with random placeholders (some out of range), then a random number of attachments
    /// around the announced count.
    static func randomBinaryPacket(_ generator: inout SplitMix64) -> [TextOrBinaryMessage] {
        let count = Int.random(in: 1...4, using: &generator)
        var elements = [#""event""#]
        for _ in 0..<Int.random(in: 0...4, using: &generator) {
            let num = Int.random(in: 0...count, using: &generator)
            var element = #"{"_placeholder":true,"num":\#(num)}"#
            switch Int.random(in: 0..<4, using: &generator) {
            case 0:
                element = "[\(element),1]"
            case 1:
                element = #"{"k":\#(element)}"#
            default:
                break
            }
            elements.append(element)
        }
        var header = "\(Int.random(in: 5...6, using: &generator))\(count)-"
        if Bool.random(using: &generator) {
            header += "/admin,"
        }
        if Bool.random(using: &generator) {
            header += String(Int.random(in: 0...1000, using: &generator))
        }
        header += "[" + elements.joined(separator: ",") + "]"
        let attachments = Int.random(in: (count - 1)...(count + 1), using: &generator)
        return [.text(header)]
            + (0..<attachments).map { _ in .binary(ByteBuffer(bytes: Self.randomBytes(&generator).prefix(8))) }
    }

    @Test("JSON parser", arguments: [9 as UInt64, 10])
    func json(seed: UInt64) throws {
        var generator = SplitMix64(seed: seed)
        for _ in 0..<5_000 {
            let text = Self.randomText(&generator)
            if let value = try? JSONValue(parsing: text) {
                let serialized = value.serialized()
                let reparsed = try JSONValue(parsing: serialized)
                #expect(reparsed.serialized() == serialized)
                if !serialized.contains("null") {
                    // Without non-finite numbers (which become `null`) the value itself survives.
                    #expect(reparsed == value)
                }
            }
            _ = try? JSONValue(parsing: ByteBuffer(bytes: Self.randomBytes(&generator)))
        }
    }
}
