import NIOCore

/// Splits a TCP byte stream into STUN messages and ChannelData frames (RFC 8489 §6.2.2: STUN over a stream
/// carries no extra framing, its length field delimits it; RFC 8656 §12.5: ChannelData over a stream is padded to
/// a multiple of four bytes). Anything else on the stream is a framing error, which closes that connection only.
///
/// ChannelData is only accepted where it can mean something (a connection that carries a TURN allocation): its
/// first byte (0x40-0x7F, RFC 5766 channel numbers included) is also ASCII `@` to DEL, so a stray HTTP `GET` would otherwise look like a 21 kB
/// ChannelData frame and stall the connection until the idle timeout.
struct STUNStreamFrameDecoder: ByteToMessageDecoder {
    typealias InboundOut = ByteBuffer

    /// Whether ChannelData frames are valid on this stream now (the connection has an allocation).
    private let channelDataAllowed: () -> Bool

    init(acceptsChannelData: @escaping () -> Bool = { false }) {
        self.channelDataAllowed = acceptsChannelData
    }

    init(acceptsChannelData: Bool) {
        self.channelDataAllowed = { acceptsChannelData }
    }

    /// Thrown for a stream that carries neither STUN nor ChannelData.
    struct FramingError: Error {}

    /// A user inbound event, fired once per frame when its first bytes are buffered and it is not complete yet:
    /// the start of the framing timeout (see ``STUNStreamDeadlines``).
    struct PartialFrame: Sendable {}

    /// Whether ``PartialFrame`` was fired for the frame at the start of the buffer.
    private var partialFrameAnnounced = false

    mutating func decode(context: ChannelHandlerContext, buffer: inout ByteBuffer) throws -> DecodingState {
        guard let frameLength = try self.frameLength(of: buffer),
            let frame = buffer.readSlice(length: frameLength)
        else {
            if buffer.readableBytes > 0 && !self.partialFrameAnnounced {
                self.partialFrameAnnounced = true
                context.fireUserInboundEventTriggered(PartialFrame())
            }
            return .needMoreData
        }
        self.partialFrameAnnounced = false
        context.fireChannelRead(Self.wrapInboundOut(frame))
        return .continue
    }

    mutating func decodeLast(
        context: ChannelHandlerContext,
        buffer: inout ByteBuffer,
        seenEOF: Bool
    ) throws -> DecodingState {
        while try self.decode(context: context, buffer: &buffer) == .continue {}
        return .needMoreData
    }

    /// The length of the frame at the start of `buffer`, `nil` when fewer than four bytes are there.
    func frameLength(of buffer: ByteBuffer) throws -> Int? {
        guard let firstByte = buffer.getInteger(at: buffer.readerIndex, as: UInt8.self),
            let length = buffer.getInteger(at: buffer.readerIndex + 2, as: UInt16.self)
        else {
            return nil
        }
        switch firstByte {
        case 0...3:
            // STUN: 20-byte header plus the attributes the length field counts (always a multiple of four).
            guard length % 4 == 0 else {
                throw FramingError()
            }
            return 20 + Int(length)
        case 0x40...0x7F where self.channelDataAllowed():
            // ChannelData: 4-byte header plus data, padded to four bytes on streams.
            return 4 + (Int(length) + 3) & ~3
        default:
            throw FramingError()
        }
    }
}
