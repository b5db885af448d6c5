import NIOCore

/// One Engine.IO packet (Engine.IO v4 §"Protocol"; v3 §"Encoding/Packet").
///
/// A text packet is its type digit followed by optional UTF-8 data: `0{…}` open, `1` close, `2` / `2probe` ping,
/// `3` / `3probe` pong, `4hello` message, `5` upgrade, `6` noop. A binary message is carried as a binary WebSocket
/// frame (see ``init(webSocketFrame:version:)``) or as base64 in a polling payload (see ``EngineIOPayload``).
///
/// Decoding is total over any input: malformed data throws ``SocketIOCodecError``. Data after the type digit of
/// `close`, `upgrade` and `noop` is ignored, as the reference server ignores it; so `encode(decode(x))` equals `x`
/// for every other packet, and `decode(encode(p))` equals `p` for every packet.
public enum EngineIOPacket: Sendable, Hashable {
    /// The handshake, with its JSON text (see ``EngineIOHandshake``).
    case open(String)
    /// Close the transport (polling) or the session.
    case close
    /// A ping and its data: empty for a heartbeat, `probe` for an upgrade probe (Engine.IO v4 §"Upgrade").
    case ping(payload: String)
    /// A pong and its data: empty for a heartbeat, `probe` for an upgrade probe.
    case pong(payload: String)
    /// A message: text or binary data.
    case message(TextOrBinaryMessage)
    /// The client completes the upgrade to WebSocket.
    case upgrade
    /// No operation: releases a pending poll during an upgrade.
    case noop

    /// The payload of upgrade probes: `2probe` and `3probe`.
    public static let probePayload = "probe"

    /// A heartbeat ping (`2`) or an upgrade probe ping (`2probe`).
    public static func ping(probe: Bool) -> EngineIOPacket {
        .ping(payload: probe ? EngineIOPacket.probePayload : "")
    }

    /// A heartbeat pong (`3`) or an upgrade probe pong (`3probe`).
    public static func pong(probe: Bool) -> EngineIOPacket {
        .pong(payload: probe ? EngineIOPacket.probePayload : "")
    }

    /// A text message packet.
    public static func message(_ text: String) -> EngineIOPacket {
        .message(.text(text))
    }

    /// A binary message packet.
    public static func message(_ bytes: ByteBuffer) -> EngineIOPacket {
        .message(.binary(bytes))
    }

    /// The packet's type.
    public var type: EngineIOPacketType {
        switch self {
        case .open: return .open
        case .close: return .close
        case .ping: return .ping
        case .pong: return .pong
        case .message: return .message
        case .upgrade: return .upgrade
        case .noop: return .noop
        }
    }

    /// Whether this is `2probe` or `3probe`.
    public var isProbe: Bool {
        switch self {
        case .ping(let payload), .pong(let payload):
            return payload == EngineIOPacket.probePayload
        default:
            return false
        }
    }

    /// Whether this is a binary message.
    public var isBinary: Bool {
        if case .message(.binary) = self {
            return true
        }
        return false
    }
}

// MARK: - Text form

extension EngineIOPacket {
    /// Decodes one text packet: a WebSocket text frame, or one packet of a polling payload.
    ///
    /// A leading `b` marks a base64 binary message: `b<base64>` in v4, `b4<base64>` in v3 (the reference parsers
    /// accept this form in WebSocket text frames too).
    ///
    /// - Throws: ``SocketIOCodecError/emptyPacket``, ``SocketIOCodecError/invalidPacketType``,
    ///   ``SocketIOCodecError/invalidBase64`` or ``SocketIOCodecError/unsupportedBinaryPacketType``.
    public init(text: String, version: EngineIOProtocolVersion) throws(SocketIOCodecError) {
        self = try text.withUTF8Bytes { bytes throws(SocketIOCodecError) in
            try EngineIOPacket.decodeText(bytes, range: 0..<bytes.count, version: version)
        }
    }

    /// The text form of the packet. A binary message becomes `b` + base64 (v4) or `b4` + base64 (v3).
    public func encodedText(version: EngineIOProtocolVersion) -> String {
        var bytes: [UInt8] = []
        self.appendText(to: &bytes, version: version)
        return String(decoding: bytes, as: UTF8.self)
    }

    /// Decodes the text packet in `bytes[range]`; `bytes` must be valid UTF-8.
    static func decodeText(
        _ bytes: UnsafeBufferPointer<UInt8>,
        range: Range<Int>,
        version: EngineIOProtocolVersion
    ) throws(SocketIOCodecError) -> EngineIOPacket {
        guard let first = range.first else {
            throw SocketIOCodecError.emptyPacket.at(range.lowerBound)
        }
        var dataStart = first + 1
        let lead = bytes[first]
        if lead == UInt8(ascii: "b") {
            if version == .v3 {
                // `b<type digit><base64>`: only a message can carry bytes.
                guard dataStart < range.upperBound,
                    let type = EngineIOPacketType(asciiDigit: bytes[dataStart])
                else {
                    throw SocketIOCodecError.invalidPacketType.at(dataStart)
                }
                guard type == .message else {
                    throw SocketIOCodecError.unsupportedBinaryPacketType.at(dataStart)
                }
                dataStart += 1
            }
            let base64 = UnsafeBufferPointer(rebasing: bytes[dataStart..<range.upperBound])
            guard let decoded = Base64.decode(base64) else {
                throw SocketIOCodecError.invalidBase64.at(dataStart)
            }
            return .message(.binary(ByteBuffer(bytes: decoded)))
        }
        guard let type = EngineIOPacketType(asciiDigit: lead) else {
            throw SocketIOCodecError.invalidPacketType.at(first)
        }
        let data = dataStart..<range.upperBound
        switch type {
        case .open:
            return .open(bytes.string(data))
        case .close:
            return .close
        case .ping:
            return .ping(payload: bytes.string(data))
        case .pong:
            return .pong(payload: bytes.string(data))
        case .message:
            return .message(.text(bytes.string(data)))
        case .upgrade:
            return .upgrade
        case .noop:
            return .noop
        }
    }

    /// Appends the text form of the packet as UTF-8.
    func appendText(to bytes: inout [UInt8], version: EngineIOProtocolVersion) {
        switch self {
        case .message(.binary(let data)):
            bytes.append(UInt8(ascii: "b"))
            if version == .v3 {
                bytes.append(EngineIOPacketType.message.asciiDigit)
            }
            Base64.encode(data.readableBytesView, to: &bytes)
        case .open(let text), .ping(payload: let text), .pong(payload: let text), .message(.text(let text)):
            bytes.append(self.type.asciiDigit)
            bytes.append(contentsOf: text.utf8)
        case .close, .upgrade, .noop:
            bytes.append(self.type.asciiDigit)
        }
    }
}
