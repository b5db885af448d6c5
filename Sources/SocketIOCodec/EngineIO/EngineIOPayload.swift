import NIOCore

/// The packets of one HTTP long-polling body (Engine.IO v4 §"Packet encoding/HTTP long-polling";
/// Engine.IO v3 §"Payload").
///
/// Engine.IO v4: packets in text form joined by the record separator `0x1E`; a binary message is `b` + base64:
/// `4hello\u{1E}bAQIDBA==`.
///
/// Engine.IO v3, text framing: each packet as `<length>:<packet>`, where the length counts UTF-16 code units
/// (JavaScript string length: `€` counts 1, an emoji 2): `6:4hello2:4€`. A binary message is `b4` + base64:
/// `10:b4AQIDBA==`. Binary framing (only when the client did not ask for `b64=1` and the batch holds bytes):
/// each packet as a `0x00` (string) or `0x01` (binary) marker, the decimal digits of its length as bytes `0`–`9`,
/// `0xFF`, then the packet: a string packet as UTF-8 (length in bytes), a binary one as the type byte `0x04` and the
/// data (length including the type byte): `[0,6,255, 52,104,101,108,108,111, 1,5,255, 4,1,2,3,4]`.
///
/// Decoding never traps: any malformed body throws ``SocketIOCodecError``, and the server should then close the
/// session (the reference closes it with reason "parse error").
public struct EngineIOPayload: Sendable, Hashable {
    /// The packets, in order.
    public var packets: [EngineIOPacket]

    /// The record separator between packets in Engine.IO v4 payloads.
    public static let recordSeparator: UInt8 = 0x1E

    /// The most digits accepted in a v3 length prefix (lengths up to 999,999,999).
    static let maxLengthDigits = 9

    /// Creates a payload from packets.
    public init(_ packets: [EngineIOPacket]) {
        self.packets = packets
    }

    // MARK: - Decoding

    /// Decodes a polling request or response body.
    ///
    /// - Parameters:
    ///   - body: the HTTP body.
    ///   - version: the session's Engine.IO revision.
    ///   - framing: the body's framing, from its `Content-Type` (see ``EngineIOPayloadFraming/init(contentType:)``).
    /// - Throws: ``SocketIOCodecError/emptyPayload`` for an empty body,
    ///   ``SocketIOCodecError/binaryPayloadNotSupported`` for binary framing in v4, ``SocketIOCodecError/invalidUTF8``,
    ///   framing errors (``SocketIOCodecError/invalidPayloadLength``, ``SocketIOCodecError/truncatedPayload``,
    ///   ``SocketIOCodecError/invalidPayloadMarker``) and the packet errors of ``EngineIOPacket/init(text:version:)``.
    public init(
        decoding body: ByteBuffer,
        version: EngineIOProtocolVersion,
        framing: EngineIOPayloadFraming = .text
    ) throws(SocketIOCodecError) {
        guard body.readableBytes > 0 else {
            throw SocketIOCodecError.emptyPayload
        }
        switch (version, framing) {
        case (.v4, .binary):
            throw SocketIOCodecError.binaryPayloadNotSupported
        case (.v4, .text):
            self.packets = try body.withUnsafeReadableBytes { raw throws(SocketIOCodecError) in
                try EngineIOPayload.decodeRecords(raw.bindMemory(to: UInt8.self))
            }
        case (.v3, .text):
            self.packets = try body.withUnsafeReadableBytes { raw throws(SocketIOCodecError) in
                try EngineIOPayload.decodeLengthPrefixedText(raw.bindMemory(to: UInt8.self))
            }
        case (.v3, .binary):
            self.packets = try EngineIOPayload.decodeLengthPrefixedBinary(body)
        }
    }

    /// Engine.IO v4: `0x1E`-separated text packets.
    private static func decodeRecords(
        _ bytes: UnsafeBufferPointer<UInt8>
    ) throws(SocketIOCodecError) -> [EngineIOPacket] {
        guard UTF8Validation.isValid(bytes) else {
            throw SocketIOCodecError.invalidUTF8
        }
        var packets: [EngineIOPacket] = []
        var start = 0
        for index in 0...bytes.count where index == bytes.count || bytes[index] == EngineIOPayload.recordSeparator {
            packets.append(try EngineIOPacket.decodeText(bytes, range: start..<index, version: .v4))
            start = index + 1
        }
        return packets
    }

    /// Reads the decimal length before `:` (v3 text framing) and returns it with the index after the colon.
    private static func readTextLength(
        _ bytes: UnsafeBufferPointer<UInt8>,
        from start: Int
    ) throws(SocketIOCodecError) -> (length: Int, next: Int) {
        var index = start
        var length = 0
        while index < bytes.count, bytes[index] != UInt8(ascii: ":") {
            let byte = bytes[index]
            guard byte.isASCIIDigit, index - start < EngineIOPayload.maxLengthDigits else {
                throw SocketIOCodecError.invalidPayloadLength.at(index)
            }
            length = length * 10 + Int(byte - UInt8(ascii: "0"))
            index += 1
        }
        guard index < bytes.count, index > start else {
            throw SocketIOCodecError.invalidPayloadLength.at(index)
        }
        return (length, index + 1)
    }

    /// Engine.IO v3 text framing: `<UTF-16 length>:<packet>` repeated.
    private static func decodeLengthPrefixedText(
        _ bytes: UnsafeBufferPointer<UInt8>
    ) throws(SocketIOCodecError) -> [EngineIOPacket] {
        guard UTF8Validation.isValid(bytes) else {
            throw SocketIOCodecError.invalidUTF8
        }
        var packets: [EngineIOPacket] = []
        var index = 0
        while index < bytes.count {
            let (length, start) = try EngineIOPayload.readTextLength(bytes, from: index)
            // Walk `length` UTF-16 code units: one per scalar, two for a scalar outside the BMP (4 UTF-8 bytes).
            var end = start
            var units = 0
            while units < length {
                guard end < bytes.count else {
                    throw SocketIOCodecError.truncatedPayload.at(end)
                }
                let width = UTF8Validation.sequenceLength(lead: bytes[end])
                units += width == 4 ? 2 : 1
                end += width
            }
            guard units == length else {
                // The length ends between the two halves of a surrogate pair.
                throw SocketIOCodecError.truncatedPayload.at(end)
            }
            // An empty packet (`0:`) is skipped, as the reference parser does; `0:` is the encoding of no packets.
            if length > 0 {
                packets.append(try EngineIOPacket.decodeText(bytes, range: start..<end, version: .v3))
            }
            index = end
        }
        return packets
    }

    /// Engine.IO v3 binary framing.
    private static func decodeLengthPrefixedBinary(_ body: ByteBuffer) throws(SocketIOCodecError) -> [EngineIOPacket] {
        var packets: [EngineIOPacket] = []
        let view = body.readableBytesView
        var index = view.startIndex
        while index < view.endIndex {
            let offset = index - view.startIndex
            let marker = view[index]
            guard marker <= 1 else {
                throw SocketIOCodecError.invalidPayloadMarker.at(offset)
            }
            index += 1
            var length = 0
            let digitsStart = index
            while true {
                guard index < view.endIndex else {
                    throw SocketIOCodecError.truncatedPayload.at(index - view.startIndex)
                }
                let byte = view[index]
                index += 1
                if byte == 0xFF {
                    break
                }
                guard byte <= 9, index - digitsStart <= EngineIOPayload.maxLengthDigits else {
                    throw SocketIOCodecError.invalidPayloadLength.at(index - 1 - view.startIndex)
                }
                length = length * 10 + Int(byte)
            }
            guard index - digitsStart >= 2 else {
                // No digit before 0xFF.
                throw SocketIOCodecError.invalidPayloadLength.at(digitsStart - view.startIndex)
            }
            guard view.endIndex - index >= length else {
                throw SocketIOCodecError.truncatedPayload.at(index - view.startIndex)
            }
            let packetStart = index
            index += length
            if marker == 0 {
                let packet = try view[packetStart..<index].withUnsafeBytes { raw throws(SocketIOCodecError) in
                    let bytes = raw.bindMemory(to: UInt8.self)
                    guard UTF8Validation.isValid(bytes) else {
                        throw SocketIOCodecError.invalidUTF8.at(packetStart - view.startIndex)
                    }
                    return try EngineIOPacket.decodeText(bytes, range: 0..<bytes.count, version: .v3)
                }
                packets.append(packet)
            } else {
                guard length > 0 else {
                    throw SocketIOCodecError.emptyPacket.at(packetStart - view.startIndex)
                }
                let typeByte = view[packetStart]
                guard let type = EngineIOPacketType(rawValue: typeByte) else {
                    throw SocketIOCodecError.invalidPacketType.at(packetStart - view.startIndex)
                }
                guard type == .message else {
                    throw SocketIOCodecError.unsupportedBinaryPacketType.at(packetStart - view.startIndex)
                }
                // A slice of the body: no copy.
                let data = body.getSlice(at: body.readerIndex + (packetStart + 1 - view.startIndex), length: length - 1)
                packets.append(.message(.binary(data ?? ByteBuffer())))
            }
        }
        return packets
    }

    // MARK: - Encoding

    /// The framing ``encode(version:supportsBinary:into:)`` uses for these packets: binary only for Engine.IO v3,
    /// when the client supports binary (its handshake had no `b64=1`) and at least one packet is binary, as the
    /// reference server decides (the v3 suite requires text framing for batches without bytes).
    public func framing(version: EngineIOProtocolVersion, supportsBinary: Bool) -> EngineIOPayloadFraming {
        guard version == .v3, supportsBinary, self.packets.contains(where: \.isBinary) else {
            return .text
        }
        return .binary
    }

    /// Writes the body of a polling response and returns its framing, whose ``EngineIOPayloadFraming/contentType``
    /// goes in the `Content-Type` header.
    ///
    /// In v4 the record separator is not escaped: as in the reference, text containing `0x1E` would be split on
    /// decoding (Engine.IO v4 §"Packet encoding": "this assumes the record separator is not used in the data").
    ///
    /// - Parameters:
    ///   - version: the session's Engine.IO revision.
    ///   - supportsBinary: for v3, whether the client can receive binary framing (it did not send `b64=1` in its
    ///     handshake). Ignored in v4, whose payloads are always text.
    ///   - buffer: the buffer to append the body to.
    @discardableResult
    public func encode(
        version: EngineIOProtocolVersion,
        supportsBinary: Bool = false,
        into buffer: inout ByteBuffer
    ) -> EngineIOPayloadFraming {
        let framing = self.framing(version: version, supportsBinary: supportsBinary)
        var bytes: [UInt8] = []
        switch (version, framing) {
        case (.v4, _):
            for (offset, packet) in self.packets.enumerated() {
                if offset > 0 {
                    bytes.append(EngineIOPayload.recordSeparator)
                }
                packet.appendText(to: &bytes, version: .v4)
            }
            buffer.writeBytes(bytes)
        case (.v3, .text):
            if self.packets.isEmpty {
                buffer.writeString("0:")
                return framing
            }
            var packetBytes: [UInt8] = []
            for packet in self.packets {
                packetBytes.removeAll(keepingCapacity: true)
                packet.appendText(to: &packetBytes, version: .v3)
                bytes.append(contentsOf: String(EngineIOPayload.utf16Length(ofUTF8: packetBytes)).utf8)
                bytes.append(UInt8(ascii: ":"))
                bytes.append(contentsOf: packetBytes)
            }
            buffer.writeBytes(bytes)
        case (.v3, .binary):
            for packet in self.packets {
                if case .message(.binary(let data)) = packet {
                    buffer.writeInteger(UInt8(1))
                    EngineIOPayload.writeLengthDigits(data.readableBytes + 1, into: &buffer)
                    buffer.writeInteger(EngineIOPacketType.message.rawValue)
                    buffer.writeImmutableBuffer(data)
                } else {
                    bytes.removeAll(keepingCapacity: true)
                    packet.appendText(to: &bytes, version: .v3)
                    buffer.writeInteger(UInt8(0))
                    EngineIOPayload.writeLengthDigits(bytes.count, into: &buffer)
                    buffer.writeBytes(bytes)
                }
            }
        }
        return framing
    }

    /// Returns the body of a polling response together with its framing.
    public func encoded(
        version: EngineIOProtocolVersion,
        supportsBinary: Bool = false
    ) -> (body: ByteBuffer, framing: EngineIOPayloadFraming) {
        var buffer = ByteBuffer()
        let framing = self.encode(version: version, supportsBinary: supportsBinary, into: &buffer)
        return (buffer, framing)
    }

    /// Writes `length` as decimal digits, one byte `0`–`9` per digit, then `0xFF` (v3 binary framing).
    private static func writeLengthDigits(_ length: Int, into buffer: inout ByteBuffer) {
        for digit in String(length).utf8 {
            buffer.writeInteger(digit - UInt8(ascii: "0"))
        }
        buffer.writeInteger(UInt8(0xFF))
    }

    /// The JavaScript length (UTF-16 code units) of valid UTF-8 text.
    static func utf16Length(ofUTF8 bytes: [UInt8]) -> Int {
        var units = 0
        for byte in bytes where byte & 0xC0 != 0x80 {
            units += byte >= 0xF0 ? 2 : 1
        }
        return units
    }
}
