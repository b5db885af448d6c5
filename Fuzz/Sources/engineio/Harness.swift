import FuzzSupport
import NIOCore
import SocketIOCodec

/// `scripts/fuzz engineio`: Engine.IO v3 and v4 polling bodies (text framing, and v3's binary framing) through
/// `EngineIOPayload(decoding:version:framing:)`, and single packets through `EngineIOPacket(text:version:)` and
/// `EngineIOPacket(webSocketFrame:version:)`.
///
/// The first input byte picks the case (version and framing, or packet form); the rest is the body. Properties
/// checked on everything that decodes (`decode(encode(p)) == p`, as `EngineIOPacket` documents):
/// - a payload, encoded for its version (binary framing when the client could take it, text otherwise), decodes to
///   the same packets;
/// - a packet, encoded as text or as a WebSocket frame, decodes to the same packet.
@main
enum EngineIOHarness {
    static func main() {
        FuzzDriver.run { bytes in
            guard let selector = bytes.first else {
                return
            }
            let body = ByteBuffer(bytes: bytes.dropFirst())
            let version: EngineIOProtocolVersion = selector & 1 == 0 ? .v4 : .v3
            switch (selector >> 1) % 4 {
            case 0:
                EngineIOHarness.checkPayload(body, version: version, framing: .text)
            case 1:
                EngineIOHarness.checkPayload(body, version: version, framing: .binary)
            case 2:
                let text = String(decoding: body.readableBytesView, as: UTF8.self)
                if let packet = try? EngineIOPacket(text: text, version: version) {
                    EngineIOHarness.checkPacket(packet, version: version)
                }
            default:
                let frame: TextOrBinaryMessage =
                    selector & 0x80 == 0
                    ? .binary(body) : .text(String(decoding: body.readableBytesView, as: UTF8.self))
                if let packet = try? EngineIOPacket(webSocketFrame: frame, version: version) {
                    EngineIOHarness.checkPacket(packet, version: version)
                }
            }
        }
    }

    static func checkPayload(_ body: ByteBuffer, version: EngineIOProtocolVersion, framing: EngineIOPayloadFraming) {
        guard let payload = try? EngineIOPayload(decoding: body, version: version, framing: framing) else {
            return
        }
        for supportsBinary in [false, true] {
            let (encoded, encodedFraming) = payload.encoded(version: version, supportsBinary: supportsBinary)
            if payload.packets.isEmpty && version == .v4 {
                continue
            }
            let again = try? EngineIOPayload(decoding: encoded, version: version, framing: encodedFraming)
            FuzzDriver.check(
                again == payload,
                "payload changes through encode and decode (\(version), binary: \(supportsBinary)): \(payload.packets)"
            )
        }
        for packet in payload.packets {
            EngineIOHarness.checkPacket(packet, version: version)
        }
    }

    static func checkPacket(_ packet: EngineIOPacket, version: EngineIOProtocolVersion) {
        let text = packet.encodedText(version: version)
        FuzzDriver.check(
            (try? EngineIOPacket(text: text, version: version)) == packet,
            "packet changes through its text form: \(packet)"
        )
        let frame = packet.webSocketFrame(version: version)
        FuzzDriver.check(
            (try? EngineIOPacket(webSocketFrame: frame, version: version)) == packet,
            "packet changes through its WebSocket frame: \(packet)"
        )
    }
}
