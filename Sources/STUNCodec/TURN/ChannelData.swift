import NIOCore

/// A TURN ChannelData message: application data relayed on a bound channel with a 4-byte header instead of a
/// STUN Send/Data indication. RFC 8656 §12.5.
///
/// ```
///  0                   1                   2                   3
///  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
/// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
/// |         Channel Number        |            Length             |
/// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
/// |                                                               |
/// /                       Application Data                        /
/// /                                                               /
/// |                                                               |
/// |                               +-------------------------------+
/// |                               |
/// +-------------------------------+
/// ```
///
/// Over UDP the padding to a multiple of 4 is optional; over TCP/TLS it is mandatory.
public struct ChannelData: Hashable, Sendable {
    /// The channel number, 0x4000–0x4FFF.
    public var channelNumber: UInt16
    /// The application data: a slice of the received buffer after decoding (no copy).
    public var payload: ByteBuffer

    /// Creates a ChannelData message.
    public init(channelNumber: UInt16, payload: ByteBuffer) {
        self.channelNumber = channelNumber
        self.payload = payload
    }

    /// Decodes the ChannelData message at the front of `buffer`. RFC 8656 §12.5.
    ///
    /// Bytes after the payload (padding, up to 3 bytes over TCP; anything over UDP) are ignored.
    ///
    /// - Parameter validRange: the channel numbers accepted: RFC 8656's 0x4000–0x4FFF by default, or
    ///   ``ChannelNumber/rfc5766Range`` for RFC 5766 clients.
    /// - Throws: ``STUNCodecError/truncatedChannelData`` if the header is incomplete or the length runs past the
    ///   buffer, ``STUNCodecError/invalidChannelNumber`` if the channel is outside `validRange`.
    public static func decode(
        _ buffer: ByteBuffer,
        validRange: ClosedRange<UInt16> = ChannelNumber.validRange
    ) throws(STUNCodecError) -> ChannelData {
        guard
            let (channelNumber, length) = buffer.getMultipleIntegers(
                at: buffer.readerIndex,
                as: (UInt16, UInt16).self
            )
        else {
            throw .truncatedChannelData
        }
        guard validRange.contains(channelNumber) else {
            throw .invalidChannelNumber
        }
        guard let payload = buffer.getSlice(at: buffer.readerIndex + 4, length: Int(length)) else {
            throw .truncatedChannelData
        }
        return ChannelData(channelNumber: channelNumber, payload: payload)
    }

    /// Writes a ChannelData message: header, payload and, if asked, zero padding to a multiple of 4.
    ///
    /// - Parameters:
    ///   - channelNumber: the channel, 0x4000–0x4FFF (or up to 0x7FFF for RFC 5766 clients).
    ///   - payload: the application data, at most 65535 bytes.
    ///   - buffer: the buffer to append to.
    ///   - padToFourBytes: `true` over TCP/TLS (RFC 8656 §12.5 MUST), optional over UDP.
    public static func encode(
        channelNumber: UInt16,
        payload: ByteBuffer,
        into buffer: inout ByteBuffer,
        padToFourBytes: Bool
    ) {
        precondition(ChannelNumber.rfc5766Range.contains(channelNumber), "channel numbers are 0x4000...0x7FFF")
        let length = payload.readableBytes
        precondition(length <= Int(UInt16.max), "ChannelData payload longer than 65535 bytes")
        buffer.writeMultipleIntegers(channelNumber, UInt16(length))
        buffer.writeImmutableBuffer(payload)
        if padToFourBytes {
            let padding = STUNMessage.paddedLength(length) - length
            if padding > 0 {
                buffer.writeRepeatingByte(0, count: padding)
            }
        }
    }

    /// Writes this message; see ``encode(channelNumber:payload:into:padToFourBytes:)``.
    public func encode(into buffer: inout ByteBuffer, padToFourBytes: Bool) {
        Self.encode(
            channelNumber: self.channelNumber,
            payload: self.payload,
            into: &buffer,
            padToFourBytes: padToFourBytes
        )
    }
}
