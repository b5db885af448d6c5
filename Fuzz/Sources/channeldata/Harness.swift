import FuzzSupport
import NIOCore
import STUNCodec

/// `scripts/fuzz channeldata`: TURN ChannelData (RFC 8656 §12.5) through `ChannelData.decode` with both channel
/// ranges, the datagram classifier and the stream frame length.
///
/// Properties checked on every input that decodes:
/// - the channel is in the range asked for, and `PacketDemultiplexer.classify` calls the input ChannelData;
/// - the payload is the `length` bytes after the header, and encoding without padding gives back exactly the input's
///   header and payload; encoding with padding gives a frame of the length `PacketDemultiplexer.streamFrame`
///   announces (RFC 5766 channels included), which decodes to the same message.
@main
enum ChannelDataHarness {
    static func main() {
        FuzzDriver.run { bytes in
            let buffer = ByteBuffer(bytes: bytes)
            ChannelDataHarness.check(buffer, range: ChannelNumber.validRange, rfc5766: false)
            ChannelDataHarness.check(buffer, range: ChannelNumber.rfc5766Range, rfc5766: true)
            _ = PacketDemultiplexer.streamFrame(in: buffer, acceptingChannelData: true)
        }
    }

    static func check(_ buffer: ByteBuffer, range: ClosedRange<UInt16>, rfc5766: Bool) {
        guard let message = try? ChannelData.decode(buffer, validRange: range) else {
            return
        }
        FuzzDriver.check(range.contains(message.channelNumber), "channel \(message.channelNumber) outside \(range)")
        FuzzDriver.check(
            PacketDemultiplexer.classify(buffer, acceptingRFC5766Channels: rfc5766) == .channelData,
            "a decodable ChannelData message is not classified as one"
        )
        let length = message.payload.readableBytes
        FuzzDriver.check(
            buffer.getInteger(at: buffer.readerIndex + 2, as: UInt16.self) == UInt16(length),
            "payload length differs from the header"
        )
        var unpadded = ByteBuffer()
        message.encode(into: &unpadded, padToFourBytes: false)
        FuzzDriver.check(
            unpadded == buffer.getSlice(at: buffer.readerIndex, length: 4 + length),
            "encoding without padding does not give back the input"
        )
        var padded = ByteBuffer()
        message.encode(into: &padded, padToFourBytes: true)
        FuzzDriver.check(padded.readableBytes == 4 + ((length + 3) & ~3), "padded frame of the wrong size")
        FuzzDriver.check(padded.readableBytes % 4 == 0, "padded frame not a multiple of 4")
        FuzzDriver.check(
            PacketDemultiplexer.streamFrame(in: padded, acceptingChannelData: true)
                == .channelData(length: padded.readableBytes),
            "stream frame length disagrees with the padded encoding"
        )
        FuzzDriver.check(
            (try? ChannelData.decode(padded, validRange: range)) == message,
            "padded encoding does not decode to the same message"
        )
    }
}
