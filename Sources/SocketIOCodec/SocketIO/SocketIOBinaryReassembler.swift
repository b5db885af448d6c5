import NIOCore

/// A pure state machine that rebuilds Socket.IO packets from the Engine.IO messages of one connection, binary
/// attachments included (socket.io-parser `Decoder.add` and `BinaryReconstructor`).
///
/// Feed it every message of the connection in order. A BINARY_EVENT or BINARY_ACK header makes it wait for that many
/// binary messages; then it delivers the packet with the placeholders replaced. Any other packet is delivered at
/// once. A binary message when no attachment is expected, a text message while attachments are expected, more
/// attachments announced than ``maxAttachments``, and malformed or out-of-range placeholders are errors (Socket.IO v5
/// §"Packet encoding"; the reference closes the connection on each). After an error the state machine is idle again.
///
/// ```swift
/// var reassembler = SocketIOBinaryReassembler()
/// switch try reassembler.receive(message, version: .v5) {
/// case .deliver(let packet): handle(packet)
/// case .awaitAttachments: break
/// }
/// ```
public struct SocketIOBinaryReassembler: Sendable {
    /// What to do after a message.
    public enum Action: Sendable, Hashable {
        /// A packet is complete.
        case deliver(SocketIOAssembledPacket)
        /// A binary packet still needs `remaining` attachments.
        case awaitAttachments(remaining: Int)
    }

    private enum State: Sendable {
        case idle
        case collecting(header: SocketIOPacket, attachments: [ByteBuffer])
    }

    /// The reference server's default limit on attachments per packet (socket.io-parser `maxAttachments`).
    public static let defaultMaxAttachments = 10

    /// The most attachments a packet may announce.
    public let maxAttachments: Int

    /// The deepest nesting accepted in payloads.
    public let maxJSONDepth: Int

    private var state: State = .idle

    /// Creates an idle reassembler.
    ///
    /// - Parameters:
    ///   - maxAttachments: the most attachments a packet may announce.
    ///   - maxJSONDepth: the deepest nesting accepted in payloads.
    public init(
        maxAttachments: Int = SocketIOBinaryReassembler.defaultMaxAttachments,
        maxJSONDepth: Int = JSONValue.defaultMaxDepth
    ) {
        self.maxAttachments = maxAttachments
        self.maxJSONDepth = maxJSONDepth
    }

    /// Whether attachments of a binary packet are expected.
    public var isReassembling: Bool {
        if case .collecting = self.state {
            return true
        }
        return false
    }

    /// Handles one Engine.IO message: text is decoded as a Socket.IO packet, binary is an attachment.
    public mutating func receive(
        _ message: TextOrBinaryMessage,
        version: SocketIOProtocolVersion
    ) throws(SocketIOCodecError) -> Action {
        switch message {
        case .text(let text):
            if self.isReassembling {
                self.state = .idle
                throw SocketIOCodecError.unexpectedPacketDuringReassembly
            }
            let packet = try SocketIOPacket(decoding: text, version: version, maxJSONDepth: self.maxJSONDepth)
            return try self.receive(packet)
        case .binary(let bytes):
            return try self.receive(attachment: bytes)
        }
    }

    /// Handles a decoded packet.
    ///
    /// - Throws: ``SocketIOCodecError/unexpectedPacketDuringReassembly`` while attachments are expected,
    ///   ``SocketIOCodecError/tooManyAttachments`` or ``SocketIOCodecError/invalidAttachmentCount`` for a bad count,
    ///   and JSON errors for a payload that does not parse.
    public mutating func receive(_ packet: SocketIOPacket) throws(SocketIOCodecError) -> Action {
        guard case .idle = self.state else {
            self.state = .idle
            throw SocketIOCodecError.unexpectedPacketDuringReassembly
        }
        guard packet.type.isBinary else {
            return .deliver(
                try SocketIOAssembledPacket(received: packet, attachments: [], maxJSONDepth: self.maxJSONDepth)
            )
        }
        guard packet.attachmentCount >= 1 else {
            throw SocketIOCodecError.invalidAttachmentCount
        }
        guard packet.attachmentCount <= self.maxAttachments else {
            throw SocketIOCodecError.tooManyAttachments
        }
        var attachments: [ByteBuffer] = []
        attachments.reserveCapacity(packet.attachmentCount)
        self.state = .collecting(header: packet, attachments: attachments)
        return .awaitAttachments(remaining: packet.attachmentCount)
    }

    /// Handles one binary attachment.
    ///
    /// - Throws: ``SocketIOCodecError/unexpectedAttachment`` when no binary packet is being reassembled; on the last
    ///   attachment, ``SocketIOCodecError/invalidPlaceholder``, ``SocketIOCodecError/placeholderOutOfRange`` or a JSON
    ///   error.
    public mutating func receive(attachment: ByteBuffer) throws(SocketIOCodecError) -> Action {
        guard case .collecting(let header, var attachments) = self.state else {
            throw SocketIOCodecError.unexpectedAttachment
        }
        // Leave the state so the array is uniquely referenced while it grows.
        self.state = .idle
        attachments.append(attachment)
        guard attachments.count == header.attachmentCount else {
            let remaining = header.attachmentCount - attachments.count
            self.state = .collecting(header: header, attachments: attachments)
            return .awaitAttachments(remaining: remaining)
        }
        return .deliver(
            try SocketIOAssembledPacket(received: header, attachments: attachments, maxJSONDepth: self.maxJSONDepth)
        )
    }

    /// Drops any partially reassembled packet.
    public mutating func reset() {
        self.state = .idle
    }
}
