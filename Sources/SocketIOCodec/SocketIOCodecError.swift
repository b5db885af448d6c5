/// An error thrown by the Engine.IO, Socket.IO and JSON decoders of this module.
///
/// Built as a struct around a private code so that new cases can be added without breaking callers' `switch`es.
/// Two errors are equal when their codes are equal; ``offset`` is context only. No string is built when the error
/// is created: ``description`` is computed on demand.
///
/// Every decoder in this module reports malformed input by throwing this error and never traps, whatever the input.
public struct SocketIOCodecError: Error, Hashable, Sendable, CustomStringConvertible {
    private enum Code: Hashable, Sendable {
        // Engine.IO packets and payloads
        case emptyPacket
        case invalidPacketType
        case invalidUTF8
        case invalidBase64
        case unsupportedBinaryPacketType
        case emptyPayload
        case invalidPayloadLength
        case truncatedPayload
        case invalidPayloadMarker
        case binaryPayloadNotSupported
        case invalidHandshake
        // Socket.IO packets
        case invalidAttachmentCount
        case tooManyAttachments
        case invalidNamespace
        case invalidAckID
        case unexpectedAckID
        case invalidPacketPayload
        case reservedEventName
        // Binary reassembly
        case unexpectedAttachment
        case unexpectedPacketDuringReassembly
        case invalidPlaceholder
        case placeholderOutOfRange
        // JSON
        case invalidJSON
        case jsonNestingTooDeep
    }

    private let code: Code

    /// The byte offset in the decoded input at which the problem was detected, when the decoder knows it.
    ///
    /// Context only: it takes no part in equality.
    public let offset: Int?

    private init(_ code: Code, offset: Int? = nil) {
        self.code = code
        self.offset = offset
    }

    /// Returns the same error with the given byte offset attached.
    func at(_ offset: Int) -> SocketIOCodecError {
        SocketIOCodecError(self.code, offset: offset)
    }

    public static func == (lhs: SocketIOCodecError, rhs: SocketIOCodecError) -> Bool {
        lhs.code == rhs.code
    }

    public func hash(into hasher: inout Hasher) {
        hasher.combine(self.code)
    }

    // MARK: - Engine.IO

    /// An Engine.IO packet with no bytes at all (Engine.IO v4 §"Packet encoding": a packet is at least its type).
    public static var emptyPacket: Self { Self(.emptyPacket) }

    /// The first character of an Engine.IO or Socket.IO packet is not a known packet type digit.
    public static var invalidPacketType: Self { Self(.invalidPacketType) }

    /// Text that must be UTF-8 is not valid UTF-8.
    public static var invalidUTF8: Self { Self(.invalidUTF8) }

    /// A `b`-prefixed binary packet does not carry valid base64.
    public static var invalidBase64: Self { Self(.invalidBase64) }

    /// A binary Engine.IO packet whose type is not `message` (only messages can carry bytes).
    public static var unsupportedBinaryPacketType: Self { Self(.unsupportedBinaryPacketType) }

    /// An HTTP long-polling body with no packet in it.
    public static var emptyPayload: Self { Self(.emptyPayload) }

    /// A v3 payload length prefix that is missing, not decimal, or too long.
    public static var invalidPayloadLength: Self { Self(.invalidPayloadLength) }

    /// A v3 payload whose length prefix runs past the end of the body or splits a character.
    public static var truncatedPayload: Self { Self(.truncatedPayload) }

    /// A v3 binary payload record that does not start with `0x00` (string) or `0x01` (binary).
    public static var invalidPayloadMarker: Self { Self(.invalidPayloadMarker) }

    /// A binary (`application/octet-stream`) polling body in Engine.IO v4, which only allows text bodies.
    public static var binaryPayloadNotSupported: Self { Self(.binaryPayloadNotSupported) }

    /// An `open` packet whose JSON is not a valid handshake object.
    public static var invalidHandshake: Self { Self(.invalidHandshake) }

    // MARK: - Socket.IO

    /// The `<count>-` prefix of a BINARY_EVENT or BINARY_ACK is missing, not decimal or zero.
    public static var invalidAttachmentCount: Self { Self(.invalidAttachmentCount) }

    /// A binary packet announces more attachments than the configured maximum.
    public static var tooManyAttachments: Self { Self(.tooManyAttachments) }

    /// A namespace that is empty, does not start with `/`, or contains `,`.
    public static var invalidNamespace: Self { Self(.invalidNamespace) }

    /// An acknowledgement id that is too large to be an exact JavaScript integer.
    public static var invalidAckID: Self { Self(.invalidAckID) }

    /// An acknowledgement id on a packet type that cannot carry one (CONNECT, DISCONNECT, CONNECT_ERROR).
    public static var unexpectedAckID: Self { Self(.unexpectedAckID) }

    /// A payload that is missing, not JSON, or not of the shape the packet type requires (Socket.IO v5
    /// §"Exchange protocol": EVENT needs a non-empty array, ACK an array, CONNECT an object, and so on).
    public static var invalidPacketPayload: Self { Self(.invalidPacketPayload) }

    /// An EVENT whose name is reserved by Socket.IO (`connect`, `connect_error`, `disconnect`, `disconnecting`,
    /// `newListener`, `removeListener`).
    public static var reservedEventName: Self { Self(.reservedEventName) }

    // MARK: - Binary reassembly

    /// A binary attachment arrived while no binary packet was being reassembled.
    public static var unexpectedAttachment: Self { Self(.unexpectedAttachment) }

    /// A text packet arrived while the attachments of a binary packet were still expected.
    public static var unexpectedPacketDuringReassembly: Self { Self(.unexpectedPacketDuringReassembly) }

    /// An object with `"_placeholder":true` whose `num` is missing or not a non-negative integer.
    public static var invalidPlaceholder: Self { Self(.invalidPlaceholder) }

    /// A placeholder whose `num` does not name one of the packet's attachments.
    public static var placeholderOutOfRange: Self { Self(.placeholderOutOfRange) }

    // MARK: - JSON

    /// Text that is not JSON according to RFC 8259.
    public static var invalidJSON: Self { Self(.invalidJSON) }

    /// JSON nested deeper than the parser's depth limit.
    public static var jsonNestingTooDeep: Self { Self(.jsonNestingTooDeep) }

    public var description: String {
        let text: String
        switch self.code {
        case .emptyPacket: text = "empty Engine.IO packet"
        case .invalidPacketType: text = "unknown packet type"
        case .invalidUTF8: text = "invalid UTF-8"
        case .invalidBase64: text = "invalid base64 in binary packet"
        case .unsupportedBinaryPacketType: text = "binary data in a packet that is not a message"
        case .emptyPayload: text = "empty polling payload"
        case .invalidPayloadLength: text = "invalid payload length prefix"
        case .truncatedPayload: text = "payload length does not match the packet data"
        case .invalidPayloadMarker: text = "invalid binary payload record marker"
        case .binaryPayloadNotSupported: text = "binary polling payloads are not part of Engine.IO v4"
        case .invalidHandshake: text = "invalid handshake JSON"
        case .invalidAttachmentCount: text = "invalid attachment count"
        case .tooManyAttachments: text = "too many attachments"
        case .invalidNamespace: text = "invalid namespace"
        case .invalidAckID: text = "invalid acknowledgement id"
        case .unexpectedAckID: text = "acknowledgement id on a packet type that cannot carry one"
        case .invalidPacketPayload: text = "invalid payload for the packet type"
        case .reservedEventName: text = "reserved event name"
        case .unexpectedAttachment: text = "binary attachment while no binary packet is being reassembled"
        case .unexpectedPacketDuringReassembly: text = "text packet while reassembling a binary packet"
        case .invalidPlaceholder: text = "invalid attachment placeholder"
        case .placeholderOutOfRange: text = "attachment placeholder index out of range"
        case .invalidJSON: text = "invalid JSON"
        case .jsonNestingTooDeep: text = "JSON nesting too deep"
        }
        if let offset = self.offset {
            return "SocketIOCodecError: \(text) at byte \(offset)"
        }
        return "SocketIOCodecError: \(text)"
    }
}
