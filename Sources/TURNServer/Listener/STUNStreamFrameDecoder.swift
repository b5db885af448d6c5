import NIOCore
import STUNCodec

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
    /// Whether the stream carries raw bytes now (an RFC 6062 client data connection, after its ConnectionBind):
    /// whatever is buffered is passed on as it is.
    private let passesBytesThrough: () -> Bool

    init(acceptsChannelData: @escaping () -> Bool = { false }, passesBytesThrough: @escaping () -> Bool = { false }) {
        self.channelDataAllowed = acceptsChannelData
        self.passesBytesThrough = passesBytesThrough
    }

    init(acceptsChannelData: Bool) {
        self.channelDataAllowed = { acceptsChannelData }
        self.passesBytesThrough = { false }
    }

    /// Thrown for a stream that carries neither STUN nor ChannelData.
    struct FramingError: Error {}

    /// A user inbound event, fired once per frame when its first bytes are buffered and it is not complete yet:
    /// the start of the framing timeout (see ``STUNStreamDeadlines``).
    struct PartialFrame: Sendable {}

    /// Whether ``PartialFrame`` was fired for the frame at the start of the buffer.
    private var partialFrameAnnounced = false

    mutating func decode(context: ChannelHandlerContext, buffer: inout ByteBuffer) throws -> DecodingState {
        if self.passesBytesThrough() {
            guard let bytes = buffer.readSlice(length: buffer.readableBytes), bytes.readableBytes > 0 else {
                return .needMoreData
            }
            context.fireChannelRead(Self.wrapInboundOut(bytes))
            return .continue
        }
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

    /// The length of the frame at the start of `buffer`, `nil` when fewer than four bytes are there; cut by the
    /// codec's one stream framing, ``PacketDemultiplexer/streamFrame(in:acceptingChannelData:)``.
    func frameLength(of buffer: ByteBuffer) throws -> Int? {
        switch PacketDemultiplexer.streamFrame(in: buffer, acceptingChannelData: self.channelDataAllowed()) {
        case .incomplete:
            return nil
        case .stun(let length), .channelData(let length):
            return length
        case .invalid:
            throw FramingError()
        }
    }
}
