import NIOCore

/// One Engine.IO packet per WebSocket frame (Engine.IO v4 §"Packet encoding/WebSocket"; v3 §"WebSocket").
extension EngineIOPacket {
    /// Decodes the packet carried by one WebSocket frame.
    ///
    /// - Throws: for text frames, the errors of ``init(text:version:)``; for a v3 binary frame,
    ///   ``SocketIOCodecError/emptyPacket`` when the type byte is missing, ``SocketIOCodecError/invalidPacketType``
    ///   or ``SocketIOCodecError/unsupportedBinaryPacketType`` when it is not `0x04`.
    public init(
        webSocketFrame frame: TextOrBinaryMessage,
        version: EngineIOProtocolVersion
    )
        throws(SocketIOCodecError)
    {
        switch frame {
        case .text(let text):
            self = try EngineIOPacket(text: text, version: version)
        case .binary(var buffer):
            guard version == .v3 else {
                self = .message(.binary(buffer))
                return
            }
            guard let typeByte = buffer.readInteger(as: UInt8.self) else {
                throw SocketIOCodecError.emptyPacket
            }
            guard let type = EngineIOPacketType(rawValue: typeByte) else {
                throw SocketIOCodecError.invalidPacketType.at(0)
            }
            guard type == .message else {
                throw SocketIOCodecError.unsupportedBinaryPacketType.at(0)
            }
            self = .message(.binary(buffer))
        }
    }

    /// The WebSocket frame that carries this packet.
    public func webSocketFrame(version: EngineIOProtocolVersion) -> TextOrBinaryMessage {
        guard case .message(.binary(let data)) = self else {
            return .text(self.encodedText(version: version))
        }
        switch version {
        case .v4:
            return .binary(data)
        case .v3:
            var framed = ByteBuffer()
            framed.reserveCapacity(data.readableBytes + 1)
            framed.writeInteger(EngineIOPacketType.message.rawValue)
            framed.writeImmutableBuffer(data)
            return .binary(framed)
        }
    }
}
