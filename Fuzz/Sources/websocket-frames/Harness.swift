import FuzzSupport
import NIOCore
import NIOEmbedded
import NIOWebSocket

@testable import SignalingServer

/// `scripts/fuzz websocket-frames`: a client's byte stream after the WebSocket handshake (RFC 6455 §5.2) through the
/// server's ``WebSocketFrameReader`` and, as the reference, NIO's `WebSocketFrameDecoder` in a `ByteToMessageHandler`,
/// each fed the same pieces.
///
/// The first input byte holds the options: bits 0-1 pick the frame-size limit (16, 125, 1,000 or 65,536 bytes),
/// bits 2-7 seed the sizes of the pieces (1-64 bytes) the rest of the input arrives in. Properties checked:
/// - both deliver the same frames in the same order, and fail at the same piece with the same `NIOWebSocketError`;
/// - no frame carries more payload than the limit;
/// - the reader holds fewer bytes than a header and the limit, and none once the stream ends on a frame boundary.
@main
enum WebSocketFramesHarness {
    static let limits = [16, 125, 1000, 65_536]

    static func main() {
        FuzzDriver.run { bytes in
            guard let options = bytes.first else {
                return
            }
            WebSocketFramesHarness.check(
                stream: ByteBuffer(bytes: bytes.dropFirst()),
                maxFrameSize: Self.limits[Int(options & 3)],
                pieceSeed: options >> 2
            )
        }
    }

    /// The frames a handler delivered, and the error it failed with, if any.
    struct Outcome {
        var frames: [WebSocketFrame] = []
        var error: NIOWebSocketError?
        var failedAtPiece: Int?
    }

    static func feed(_ pieces: [ByteBuffer], to handler: any ChannelHandler) -> Outcome {
        let channel = EmbeddedChannel(handler: handler)
        var outcome = Outcome()
        for (index, piece) in pieces.enumerated() {
            do {
                try channel.writeInbound(piece)
            } catch {
                FuzzDriver.check(error is NIOWebSocketError, "unexpected error \(error)")
                outcome.error = error as? NIOWebSocketError
                outcome.failedAtPiece = index
            }
            while let frame = try? channel.readInbound(as: WebSocketFrame.self) {
                outcome.frames.append(frame)
            }
            if outcome.error != nil {
                break
            }
        }
        // A channel left open keeps its pipeline (and every buffer in it) alive.
        _ = try? channel.finish(acceptAlreadyClosed: true)
        return outcome
    }

    static func check(stream: ByteBuffer, maxFrameSize: Int, pieceSeed: UInt8) {
        var pieces: [ByteBuffer] = []
        var rest = stream
        var lengths = PieceLengths(seed: pieceSeed)
        while rest.readableBytes > 0, let length = lengths.next() {
            pieces.append(rest.readSlice(length: min(rest.readableBytes, length))!)
        }
        let reader = WebSocketFrameReader(maxFrameSize: maxFrameSize)
        let ours = Self.feed(pieces, to: reader)
        let reference = Self.feed(pieces, to: ByteToMessageHandler(WebSocketFrameDecoder(maxFrameSize: maxFrameSize)))
        FuzzDriver.check(
            ours.error == reference.error && ours.failedAtPiece == reference.failedAtPiece,
            "reader failed with \(String(describing: ours.error)) at piece \(String(describing: ours.failedAtPiece)), "
                + "NIO with \(String(describing: reference.error)) at \(String(describing: reference.failedAtPiece))"
        )
        FuzzDriver.check(ours.frames == reference.frames, "frames differ from NIO's decoder")
        for frame in ours.frames {
            FuzzDriver.check(frame.data.readableBytes <= maxFrameSize, "a frame over the limit")
        }
        FuzzDriver.check(reader.heldBytes < 14 + maxFrameSize, "the reader holds \(reader.heldBytes) bytes")
        if ours.error == nil {
            var walk = stream
            while (try? WebSocketFrameReader.nextFrame(in: &walk, maxFrameSize: maxFrameSize)) != nil {}
            FuzzDriver.check(
                reader.heldBytes == walk.readableBytes,
                "the reader holds \(reader.heldBytes) bytes; the stream ends with \(walk.readableBytes)"
            )
        }
    }
}
