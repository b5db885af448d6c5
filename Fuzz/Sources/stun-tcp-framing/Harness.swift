import FuzzSupport
import NIOCore
import NIOEmbedded
import STUNCodec

@testable import TURNServer

/// `scripts/fuzz stun-tcp-framing`: a TCP byte stream (RFC 8489 §6.2.2, RFC 8656 §12.5) through the server's own
/// `STUNStreamFrameDecoder` in a `ByteToMessageHandler`, fed in pieces, and every STUN frame through
/// `BindingResponder`, as TURNService's TCP pipeline runs them.
///
/// The first input byte holds the options: bit 0 allows ChannelData (a connection with an allocation), bits 1-7
/// seed the sizes of the pieces the rest of the input arrives in. Properties checked:
/// - the frames delivered are exactly those an independent walk of the stream finds, in order, however the stream is
///   cut, and the decoder fails exactly when that walk meets a header that is neither STUN nor allowed ChannelData;
/// - the codec's `PacketDemultiplexer.streamFrame`, which the decoder cuts with, gives each frame's own length;
/// - each ChannelData frame decodes with RFC 5766's channel range, its payload inside the frame;
/// - each response of the binding responder decodes, carries the request's transaction ID and, when it has a
///   FINGERPRINT, a valid one.
@main
enum StreamFramingHarness {
    static let responder = BindingResponder(software: "fuzz")
    static let client = TransportAddress(ip: .v4(0xC000_0201), port: 40000)

    static func main() {
        FuzzDriver.run { bytes in
            guard let options = bytes.first else {
                return
            }
            StreamFramingHarness.check(
                stream: ByteBuffer(bytes: bytes.dropFirst()),
                acceptsChannelData: options & 1 == 1,
                pieceSeed: options >> 1
            )
        }
    }

    /// What an independent walk of the whole stream finds.
    struct Walk {
        var frames: [ByteBuffer] = []
        var fails = false
    }

    static func walk(_ stream: ByteBuffer, acceptsChannelData: Bool) -> Walk {
        var walk = Walk()
        var rest = stream
        while rest.readableBytes >= 4 {
            let first = rest.getInteger(at: rest.readerIndex, as: UInt8.self)!
            let length = Int(rest.getInteger(at: rest.readerIndex + 2, as: UInt16.self)!)
            let frameLength: Int
            if first <= 3 && length % 4 == 0 {
                frameLength = 20 + length
            } else if (0x40...0x7F).contains(first) && acceptsChannelData {
                frameLength = 4 + (length + 3) / 4 * 4
            } else {
                walk.fails = true
                return walk
            }
            guard let frame = rest.readSlice(length: frameLength) else {
                break
            }
            walk.frames.append(frame)
        }
        return walk
    }

    static func check(stream: ByteBuffer, acceptsChannelData: Bool, pieceSeed: UInt8) {
        let expected = Self.walk(stream, acceptsChannelData: acceptsChannelData)
        let channel = EmbeddedChannel(
            handler: ByteToMessageHandler(STUNStreamFrameDecoder(acceptsChannelData: acceptsChannelData))
        )
        var frames: [ByteBuffer] = []
        var failed = false
        var rest = stream
        var lengths = PieceLengths(seed: pieceSeed)
        while rest.readableBytes > 0 && !failed, let length = lengths.next() {
            let piece = rest.readSlice(length: min(rest.readableBytes, length))!
            do {
                try channel.writeInbound(piece)
            } catch {
                FuzzDriver.check(error is STUNStreamFrameDecoder.FramingError, "unexpected error \(error)")
                failed = true
            }
            while let frame = try? channel.readInbound(as: ByteBuffer.self) {
                frames.append(frame)
            }
        }
        if failed {
            // A channel left open keeps its pipeline (and every buffer in it) alive: close it on this path too.
            _ = try? channel.finish(acceptAlreadyClosed: true)
        } else {
            do {
                _ = try channel.finish()
            } catch {
                FuzzDriver.check(error is STUNStreamFrameDecoder.FramingError, "unexpected error at the end \(error)")
                failed = true
            }
        }
        while let frame = try? channel.readInbound(as: ByteBuffer.self) {
            frames.append(frame)
        }
        FuzzDriver.check(
            failed == expected.fails,
            "decoder failed: \(failed), independent walk failed: \(expected.fails)"
        )
        FuzzDriver.check(frames == expected.frames, "frames differ from the independent walk")
        for frame in frames {
            Self.checkFrame(frame)
        }
    }

    static func checkFrame(_ frame: ByteBuffer) {
        let first = frame.getInteger(at: frame.readerIndex, as: UInt8.self)!
        if first <= 3 {
            FuzzDriver.check(
                PacketDemultiplexer.streamFrame(in: frame, acceptingChannelData: false)
                    == .stun(length: frame.readableBytes),
                "streamFrame disagrees on a STUN frame"
            )
            Self.checkResponse(to: frame)
            return
        }
        FuzzDriver.check(
            PacketDemultiplexer.streamFrame(in: frame, acceptingChannelData: true)
                == .channelData(length: frame.readableBytes),
            "streamFrame disagrees on a ChannelData frame"
        )
        let message = try? ChannelData.decode(frame, validRange: ChannelNumber.rfc5766Range)
        FuzzDriver.check(message != nil, "a ChannelData frame does not decode")
        FuzzDriver.check(
            (message?.payload.readableBytes ?? 0) + 4 <= frame.readableBytes,
            "ChannelData payload runs past its frame"
        )
    }

    static func checkResponse(to frame: ByteBuffer) {
        guard case .respond(let bytes, _) = Self.responder.respond(to: frame, from: Self.client, allocator: .init())
        else {
            return
        }
        guard let response = try? STUNMessage.decode(bytes) else {
            FuzzDriver.check(false, "the binding responder's answer does not decode")
            return
        }
        FuzzDriver.check(
            frame.getBytes(at: frame.readerIndex + 8, length: 12) == response.transactionID.bytes,
            "the response does not carry the request's transaction ID"
        )
        FuzzDriver.check(
            !response.hasFingerprint || response.isFingerprintValid(),
            "the response's FINGERPRINT is wrong"
        )
    }
}
