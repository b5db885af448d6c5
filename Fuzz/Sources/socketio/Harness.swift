import FuzzSupport
import NIOCore
import SocketIOCodec

/// `scripts/fuzz socketio`: Socket.IO v4 and v5 packets (Socket.IO v5 §"Packet encoding") through
/// `SocketIOBinaryReassembler`, binary attachments included, as a server connection receives them.
///
/// Input: the first byte picks the protocol revision (bit 0) and the attachment limit (bits 1-4); the rest is a
/// sequence of Engine.IO messages separated by 0x00, each a binary attachment when it starts with 0x01 and text
/// otherwise. Properties checked:
/// - every text message that decodes as a `SocketIOPacket` encodes back to a packet that decodes equal;
/// - every delivered packet, rebuilt from its type, namespace, ack ID and data with
///   `SocketIOAssembledPacket(type:namespace:ackID:data:)` and fed to a new reassembler as its Engine.IO messages,
///   is delivered again with the same namespace, ack ID, event name and data (compared as `JSON.stringify` text,
///   which is what a JavaScript peer would see).
@main
enum SocketIOHarness {
    static func main() {
        FuzzDriver.run { bytes in
            guard let selector = bytes.first else {
                return
            }
            let version: SocketIOProtocolVersion = selector & 1 == 0 ? .v5 : .v4
            let maxAttachments = Int(selector >> 1 & 0x0F) + 1
            var reassembler = SocketIOBinaryReassembler(maxAttachments: maxAttachments)
            for part in bytes.dropFirst().split(separator: 0x00, omittingEmptySubsequences: false) {
                let message: TextOrBinaryMessage
                if part.first == 0x01 {
                    message = .binary(ByteBuffer(bytes: part.dropFirst()))
                } else {
                    let text = String(decoding: part, as: UTF8.self)
                    SocketIOHarness.checkPacketText(text, version: version)
                    message = .text(text)
                }
                guard let action = try? reassembler.receive(message, version: version) else {
                    continue
                }
                if case .deliver(let packet) = action {
                    SocketIOHarness.checkRebuilt(packet, version: version, maxAttachments: maxAttachments)
                }
            }
        }
    }

    static func checkPacketText(_ text: String, version: SocketIOProtocolVersion) {
        guard let packet = try? SocketIOPacket(decoding: text, version: version) else {
            return
        }
        let again = try? SocketIOPacket(decoding: packet.encoded(), version: version)
        FuzzDriver.check(again == packet, "packet changes through encode and decode: \(text)")
    }

    static func checkRebuilt(_ packet: SocketIOAssembledPacket, version: SocketIOProtocolVersion, maxAttachments: Int) {
        // `2[1e400]` is a valid event, but its name serializes as `null`, as `JSON.stringify` writes infinity, and
        // an event named `null` is invalid: JavaScript peers cannot rebuild it either.
        if let first = packet.data?.arrayValue?.first?.numberValue, !first.doubleValue.isFinite {
            return
        }
        let rebuilt = SocketIOAssembledPacket(
            type: packet.packet.type,
            namespace: packet.packet.namespace,
            ackID: packet.packet.ackID,
            data: packet.data
        )
        // The attachments a value holds can exceed the announced count (the reference allows a placeholder to be
        // used twice); the rebuilt packet then announces more than this reassembler takes.
        var reassembler = SocketIOBinaryReassembler(maxAttachments: max(maxAttachments, rebuilt.attachments.count))
        var delivered: SocketIOAssembledPacket?
        for message in rebuilt.engineIOMessages {
            do {
                if case .deliver(let packet) = try reassembler.receive(message, version: version) {
                    delivered = packet
                }
            } catch {
                FuzzDriver.check(false, "rebuilt packet rejected (\(error)): \(rebuilt.engineIOMessages)")
            }
        }
        guard let delivered else {
            FuzzDriver.check(false, "rebuilt packet not delivered: \(rebuilt.engineIOMessages)")
            return
        }
        FuzzDriver.check(delivered.packet.namespace == packet.packet.namespace, "namespace changed")
        FuzzDriver.check(delivered.packet.ackID == packet.packet.ackID, "ack ID changed")
        FuzzDriver.check(delivered.eventName == packet.eventName, "event name changed")
        FuzzDriver.check(
            delivered.data?.serialized() == packet.data?.serialized(),
            "data changed: \(String(describing: packet.data?.serialized())) became "
                + "\(String(describing: delivered.data?.serialized()))"
        )
    }
}
