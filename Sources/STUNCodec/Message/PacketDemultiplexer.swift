import NIOCore

/// Tells STUN messages from ChannelData on a TURN socket by their first bytes only. RFC 7983 §7; RFC 8656 §12.
///
/// RFC 7983 reserves first byte 0–3 for STUN and 64–79 for TURN channels. Nothing is decoded or validated beyond
/// what is needed to classify.
public enum PacketDemultiplexer {
    /// Classifies a datagram.
    ///
    /// - Parameter acceptingRFC5766Channels: also classify first bytes 80–127 as ChannelData (RFC 5766 §11 channel
    ///   numbers up to 0x7FFF).
    /// - Returns: ``PacketKind/stun`` for first byte 0–3 with at least 20 bytes and the magic cookie at bytes 4–7,
    ///   ``PacketKind/channelData`` for first byte 64–79 with at least the 4-byte header, ``PacketKind/unknown``
    ///   otherwise.
    @inlinable
    public static func classify(_ buffer: ByteBuffer, acceptingRFC5766Channels: Bool = false) -> PacketKind {
        guard let first = buffer.getInteger(at: buffer.readerIndex, as: UInt8.self) else {
            return .unknown
        }
        switch first {
        case 0...3:
            guard buffer.readableBytes >= STUNMessage.headerLength,
                buffer.getInteger(at: buffer.readerIndex + 4, as: UInt32.self) == STUNMessage.magicCookie
            else {
                return .unknown
            }
            return .stun
        case 64...79:
            return buffer.readableBytes >= 4 ? .channelData : .unknown
        case 80...127 where acceptingRFC5766Channels:
            return buffer.readableBytes >= 4 ? .channelData : .unknown
        default:
            return .unknown
        }
    }

    /// The next frame on a STUN or TURN stream (TCP/TLS). RFC 8489 §6.2.2, RFC 8656 §12.5.
    public enum StreamFrame: Hashable, Sendable {
        /// Fewer than 4 bytes: not enough to tell the length yet.
        case incomplete
        /// A STUN message of `length` bytes (20 + the header's length field).
        case stun(length: Int)
        /// A ChannelData frame of `length` bytes (4 + data length, rounded up to a multiple of 4).
        case channelData(length: Int)
        /// Neither a STUN message nor an accepted ChannelData frame starts here; the stream is out of sync and
        /// should be closed.
        case invalid
    }

    /// Finds the frame at the front of a STUN or TURN stream buffer, looking at its first 4 bytes only; the frame is
    /// complete once `buffer.readableBytes >= length`. The one stream framing of the project: the TCP listener, the
    /// fuzz harness and the tests all cut streams with it.
    ///
    /// STUN over a stream carries no framing of its own, the header's length delimits it (RFC 8489 §6.2.2); that
    /// length is a multiple of 4 (§5), so any other length means the stream is not STUN. ChannelData over a stream
    /// is padded to a multiple of 4 (RFC 8656 §12.5) and accepted with first byte 0x40-0x7F (RFC 5766 channel
    /// numbers included; the decoder checks the channel range), only when `acceptingChannelData` is true: that first
    /// byte is also ASCII `@` to DEL, so on a connection without an allocation a stray HTTP `GET` would otherwise
    /// read as a 21 kB frame.
    ///
    /// - Parameter acceptingChannelData: whether ChannelData is valid here; evaluated only for a first byte in
    ///   0x40-0x7F.
    @inlinable
    public static func streamFrame(
        in buffer: ByteBuffer,
        acceptingChannelData: @autoclosure () -> Bool
    ) -> StreamFrame {
        guard let (first, length) = buffer.getMultipleIntegers(at: buffer.readerIndex, as: (UInt16, UInt16).self)
        else {
            return .incomplete
        }
        switch first >> 8 {
        case 0...3:
            guard length % 4 == 0 else {
                return .invalid
            }
            return .stun(length: STUNMessage.headerLength + Int(length))
        case 0x40...0x7F where acceptingChannelData():
            return .channelData(length: 4 + STUNMessage.paddedLength(Int(length)))
        default:
            return .invalid
        }
    }
}
