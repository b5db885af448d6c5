import NIOCore

/// A complete Socket.IO packet: the packet, its binary attachments, and its payload as a ``JSONValue`` with the
/// attachments put back in place of their placeholders.
///
/// Inbound, ``SocketIOBinaryReassembler`` produces these. Outbound, ``init(type:namespace:ackID:data:)`` builds one
/// from a value, switching EVENT to BINARY_EVENT and ACK to BINARY_ACK when the value holds bytes, as the reference
/// encoder does; ``engineIOMessages`` gives the Engine.IO messages to send, the packet text first.
public struct SocketIOAssembledPacket: Sendable, Hashable {
    /// The packet as on the wire: for binary types, its payload holds the placeholders.
    public var packet: SocketIOPacket
    /// The binary attachments, in placeholder order.
    public var attachments: [ByteBuffer]
    /// The payload with attachments in place, or `nil` when the packet has no payload.
    public var data: JSONValue?

    /// Assembles a received packet: parses its payload and puts the attachments in place of the placeholders.
    init(received packet: SocketIOPacket, attachments: [ByteBuffer], maxJSONDepth: Int) throws(SocketIOCodecError) {
        self.packet = packet
        self.attachments = attachments
        guard let payload = packet.payload else {
            self.data = nil
            return
        }
        let value = try JSONValue(parsing: payload, maxDepth: maxJSONDepth)
        self.data = attachments.isEmpty && !packet.type.isBinary ? value : try value.insertingAttachments(attachments)
    }

    /// Builds an outbound packet from a value.
    ///
    /// EVENT and ACK whose data holds ``JSONValue/binary(_:)`` values become BINARY_EVENT and BINARY_ACK, with the
    /// bytes moved to ``attachments`` and placeholders in the payload; BINARY_EVENT and BINARY_ACK whose data holds
    /// no bytes become EVENT and ACK. The payload is serialized as `JSON.stringify` would.
    ///
    /// - Parameters:
    ///   - type: the packet type.
    ///   - namespace: the namespace; must satisfy ``SocketIONamespace/isValid(_:)``.
    ///   - ackID: the acknowledgement id, for EVENT (to ask for an ACK) and ACK (echoing the EVENT's id).
    ///   - data: the payload, or `nil` for none.
    public init(
        type: SocketIOPacketType,
        namespace: String = SocketIONamespace.root,
        ackID: Int? = nil,
        data: JSONValue?
    ) {
        var packetType = type
        var attachments: [ByteBuffer] = []
        var payload: String?
        let carriesEvent = type == .event || type == .binaryEvent
        let carriesAck = type == .ack || type == .binaryAck
        if let data, (carriesEvent || carriesAck) && data.containsBinary {
            let (value, extracted) = data.extractingAttachments()
            attachments = extracted
            payload = value.serialized()
            packetType = carriesEvent ? .binaryEvent : .binaryAck
        } else {
            payload = data?.serialized()
            // A binary type without bytes would announce zero attachments, which no decoder accepts.
            if carriesEvent {
                packetType = .event
            } else if carriesAck {
                packetType = .ack
            }
        }
        self.packet = SocketIOPacket(
            type: packetType,
            namespace: namespace,
            ackID: ackID,
            payload: payload,
            attachmentCount: attachments.count
        )
        self.attachments = attachments
        self.data = data
    }

    /// Builds an event: `[name, arguments...]`, with an ack id if the sender wants an acknowledgement.
    public static func event(
        _ name: String,
        _ arguments: [JSONValue] = [],
        namespace: String = SocketIONamespace.root,
        ackID: Int? = nil
    ) -> SocketIOAssembledPacket {
        SocketIOAssembledPacket(
            type: .event,
            namespace: namespace,
            ackID: ackID,
            data: .array([.string(name)] + arguments)
        )
    }

    /// Builds the acknowledgement of the event with id `ackID`.
    public static func ack(
        _ ackID: Int,
        _ arguments: [JSONValue] = [],
        namespace: String = SocketIONamespace.root
    ) -> SocketIOAssembledPacket {
        SocketIOAssembledPacket(type: .ack, namespace: namespace, ackID: ackID, data: .array(arguments))
    }

    /// The event name: the first element of an EVENT or BINARY_EVENT payload, when it is a string.
    public var eventName: String? {
        guard self.packet.type == .event || self.packet.type == .binaryEvent else {
            return nil
        }
        return self.data?[0]?.stringValue
    }

    /// The arguments: the payload elements after the event name for EVENT and BINARY_EVENT, all of them for ACK and
    /// BINARY_ACK, none for other types.
    public var arguments: [JSONValue] {
        guard let elements = self.data?.arrayValue else {
            return []
        }
        switch self.packet.type {
        case .event, .binaryEvent:
            return Array(elements.dropFirst())
        case .ack, .binaryAck:
            return elements
        case .connect, .disconnect, .connectError:
            return []
        }
    }

    /// The Engine.IO messages that carry the packet: its text, then each attachment as a binary message.
    public var engineIOMessages: [TextOrBinaryMessage] {
        [.text(self.packet.encoded())] + self.attachments.map { .binary($0) }
    }
}
