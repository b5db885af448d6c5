/// One Socket.IO packet, with its JSON payload kept as text (Socket.IO v5 §"Packet encoding"; v4 §"Encoding
/// format").
///
/// Wire form, carried as the text of one Engine.IO message (so prefixed by `4` on the wire):
///
/// ```
/// <type>[<attachments>-][<namespace>,][<ack id>][<JSON payload>]
/// ```
///
/// - The attachment count is written for BINARY_EVENT and BINARY_ACK only; that many binary Engine.IO messages
///   follow (see ``SocketIOBinaryReassembler``).
/// - The namespace is written only when it is not `/`, always followed by `,` (`1/admin,`). The decoder reads it from
///   a leading `/` up to `,` or the end of the text, so `40/custom` is valid input.
/// - The ack id is the decimal digits right after the namespace.
///
/// Examples: `0`, `0/admin,{"sid":"oSO0OpakMV_3jnilAAAA"}`, `4{"message":"Not authorized"}`, `2["foo"]`,
/// `2/admin,["bar"]`, `212["foo"]`, `3/admin,13["bar"]`, `51-["baz",{"_placeholder":true,"num":0}]`,
/// `61-/admin,456[{"_placeholder":true,"num":0}]`.
///
/// The payload stays raw JSON text so that a server can relay it without re-serializing; decoding checks that it is
/// JSON of the shape its type requires. Parse it into a ``JSONValue`` with ``SocketIOAssembledPacket`` or
/// ``JSONValue/init(parsing:maxDepth:)``.
public struct SocketIOPacket: Sendable, Hashable {
    /// The packet type.
    public var type: SocketIOPacketType
    /// The namespace, `/` for the main one. In protocol v4 it may end with `?<query>` (see ``SocketIONamespace``).
    /// It must not contain `,`, which ends the namespace on the wire (check with ``SocketIONamespace/isValid(_:)``).
    public var namespace: String
    /// The acknowledgement id, if the sender wants an ACK (or if this is one).
    public var ackID: Int?
    /// The payload as JSON text, or `nil` when the packet has none.
    public var payload: String?
    /// The number of binary attachments that follow (BINARY_EVENT and BINARY_ACK only; 0 otherwise).
    public var attachmentCount: Int

    /// The largest ack id accepted: JavaScript's `Number.MAX_SAFE_INTEGER`, the largest exact integer a JavaScript
    /// peer can echo back.
    public static let maxAckID = 9_007_199_254_740_991

    /// The event names Socket.IO reserves; an EVENT using one is invalid (socket.io-parser `RESERVED_EVENTS`).
    public static let reservedEventNames: Set<String> = [
        "connect", "connect_error", "disconnect", "disconnecting", "newListener", "removeListener",
    ]

    /// Creates a packet.
    public init(
        type: SocketIOPacketType,
        namespace: String = SocketIONamespace.root,
        ackID: Int? = nil,
        payload: String? = nil,
        attachmentCount: Int = 0
    ) {
        self.type = type
        self.namespace = namespace
        self.ackID = ackID
        self.payload = payload
        self.attachmentCount = attachmentCount
    }

    // MARK: - Encoding

    /// The wire text of the packet (without the Engine.IO `4` prefix).
    public func encoded() -> String {
        var text = String()
        text.reserveCapacity(8 + self.namespace.utf8.count + (self.payload?.utf8.count ?? 0))
        text.unicodeScalars.append(Unicode.Scalar(self.type.asciiDigit))
        if self.type.isBinary {
            text += String(self.attachmentCount)
            text += "-"
        }
        if !self.namespace.isEmpty && self.namespace != SocketIONamespace.root {
            text += self.namespace
            text += ","
        }
        if let ackID = self.ackID {
            text += String(ackID)
        }
        if let payload = self.payload {
            text += payload
        }
        return text
    }

    // MARK: - Decoding

    /// Decodes the text of one Engine.IO message as a Socket.IO packet and validates it as the reference parser does
    /// (socket.io-parser `decodeString` and `isPayloadValid`):
    ///
    /// - the type is a digit `0`–`6`;
    /// - BINARY_EVENT and BINARY_ACK have a count of at least 1 followed by `-` (the maximum is enforced by
    ///   ``SocketIOBinaryReassembler``);
    /// - the ack id, if any, is at most ``maxAckID``, and only on EVENT, ACK, BINARY_EVENT and BINARY_ACK;
    /// - the payload is JSON of the right shape: CONNECT an object or nothing (nothing in v4), DISCONNECT nothing,
    ///   EVENT and BINARY_EVENT a non-empty array whose first element is a number or a string that is not reserved,
    ///   ACK and BINARY_ACK an array (also nothing in v4), CONNECT_ERROR a string or an object.
    ///
    /// - Parameters:
    ///   - text: the text of the Engine.IO message.
    ///   - version: the Socket.IO revision of the session.
    ///   - maxJSONDepth: the deepest nesting accepted in the payload.
    /// - Throws: ``SocketIOCodecError`` (``SocketIOCodecError/invalidPacketType``,
    ///   ``SocketIOCodecError/invalidAttachmentCount``, ``SocketIOCodecError/invalidAckID``,
    ///   ``SocketIOCodecError/unexpectedAckID``, ``SocketIOCodecError/invalidPacketPayload``,
    ///   ``SocketIOCodecError/reservedEventName``, ``SocketIOCodecError/jsonNestingTooDeep``); never traps.
    public init(
        decoding text: String,
        version: SocketIOProtocolVersion = .v5,
        maxJSONDepth: Int = JSONValue.defaultMaxDepth
    ) throws(SocketIOCodecError) {
        self = try text.withUTF8Bytes { bytes throws(SocketIOCodecError) in
            try SocketIOPacket.decode(bytes, version: version, maxJSONDepth: maxJSONDepth)
        }
    }

    private static func decode(
        _ bytes: UnsafeBufferPointer<UInt8>,
        version: SocketIOProtocolVersion,
        maxJSONDepth: Int
    ) throws(SocketIOCodecError) -> SocketIOPacket {
        guard let first = bytes.first, let type = SocketIOPacketType(asciiDigit: first) else {
            throw SocketIOCodecError.invalidPacketType.at(0)
        }
        var index = 1
        var packet = SocketIOPacket(type: type)

        if type.isBinary {
            let start = index
            var count = 0
            while index < bytes.count, bytes[index] != UInt8(ascii: "-") {
                guard bytes[index].isASCIIDigit, index - start < 9 else {
                    throw SocketIOCodecError.invalidAttachmentCount.at(index)
                }
                count = count * 10 + Int(bytes[index] - UInt8(ascii: "0"))
                index += 1
            }
            guard index < bytes.count, index > start, count >= 1 else {
                throw SocketIOCodecError.invalidAttachmentCount.at(index)
            }
            packet.attachmentCount = count
            index += 1
        }

        if index < bytes.count, bytes[index] == UInt8(ascii: "/") {
            let start = index
            while index < bytes.count, bytes[index] != UInt8(ascii: ",") {
                index += 1
            }
            packet.namespace = bytes.string(start..<index)
            if index < bytes.count {
                index += 1
            }
        }

        if index < bytes.count, bytes[index].isASCIIDigit {
            let start = index
            var ackID = 0
            while index < bytes.count, bytes[index].isASCIIDigit {
                let digit = Int(bytes[index] - UInt8(ascii: "0"))
                guard ackID <= (SocketIOPacket.maxAckID - digit) / 10 else {
                    throw SocketIOCodecError.invalidAckID.at(start)
                }
                ackID = ackID * 10 + digit
                index += 1
            }
            guard type.allowsAckID else {
                throw SocketIOCodecError.unexpectedAckID.at(start)
            }
            packet.ackID = ackID
        }

        if index < bytes.count {
            let payloadRange = index..<bytes.count
            try SocketIOPacket.validatePayload(
                UnsafeBufferPointer(rebasing: bytes[payloadRange]),
                type: type,
                version: version,
                maxJSONDepth: maxJSONDepth,
                offset: index
            )
            packet.payload = bytes.string(payloadRange)
        } else {
            try SocketIOPacket.validateMissingPayload(type: type, version: version, offset: index)
        }
        return packet
    }

    private static func validatePayload(
        _ bytes: UnsafeBufferPointer<UInt8>,
        type: SocketIOPacketType,
        version: SocketIOProtocolVersion,
        maxJSONDepth: Int,
        offset: Int
    ) throws(SocketIOCodecError) {
        var parser = JSONParser(validUTF8: bytes, maxDepth: maxJSONDepth)
        let shape: (kind: JSONParser.Kind, firstElement: JSONParser.Kind?, firstString: String?)
        do throws(SocketIOCodecError) {
            shape = try parser.inspectDocument()
        } catch {
            if error == .jsonNestingTooDeep {
                throw error
            }
            throw SocketIOCodecError.invalidPacketPayload.at(offset + (error.offset ?? 0))
        }
        let valid: Bool
        switch type {
        case .connect:
            valid = version == .v5 && shape.kind == .object
        case .disconnect:
            valid = false
        case .event, .binaryEvent:
            switch shape.firstElement {
            case .number:
                valid = true
            case .string:
                if let name = shape.firstString, SocketIOPacket.reservedEventNames.contains(name) {
                    throw SocketIOCodecError.reservedEventName.at(offset)
                }
                valid = true
            default:
                valid = false
            }
        case .ack, .binaryAck:
            valid = shape.kind == .array
        case .connectError:
            valid = shape.kind == .string || shape.kind == .object
        }
        guard valid else {
            throw SocketIOCodecError.invalidPacketPayload.at(offset)
        }
    }

    private static func validateMissingPayload(
        type: SocketIOPacketType,
        version: SocketIOProtocolVersion,
        offset: Int
    ) throws(SocketIOCodecError) {
        switch type {
        case .connect, .disconnect, .connectError:
            return
        case .event, .binaryEvent, .binaryAck:
            throw SocketIOCodecError.invalidPacketPayload.at(offset)
        case .ack:
            // Socket.IO v5 §"Acknowledgement": "The payload is mandatory"; v4 §"ACK": "may contain a payload".
            if version == .v4 {
                return
            }
            throw SocketIOCodecError.invalidPacketPayload.at(offset)
        }
    }
}
