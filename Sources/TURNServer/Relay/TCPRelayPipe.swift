import NIOCore
import Synchronization

/// One direction of an RFC 6062 connection pair (§5.4: bytes pass as they are between a client data connection and
/// its peer data connection): what is read from `source` is written to `destination`, which may live on another
/// event loop.
///
/// Bounded: the bytes handed to `destination` and not yet taken by its kernel are counted, and the reader of
/// `source` stops reading (``isSaturated``) at ``highWater``; when the writes drain below it, `source` is asked to
/// read again. So a slow receiver leaves the sender's bytes in the kernel buffers and TCP windows, never in the
/// server: at most ``highWater`` plus one read (64 KiB) per direction.
final class TCPRelayPipe: Sendable {
    /// Unsent bytes at which reading `source` pauses.
    static let highWater = 64 * 1024

    let source: any Channel
    let destination: any Channel
    /// What the bytes count as in the metrics.
    let direction: TURNMetrics.Tally.Direction
    private let metrics: TURNMetrics
    private let unsent = Atomic<Int>(0)

    init(
        from source: any Channel,
        to destination: any Channel,
        direction: TURNMetrics.Tally.Direction,
        metrics: TURNMetrics
    ) {
        self.source = source
        self.destination = destination
        self.direction = direction
        self.metrics = metrics
    }

    /// Whether reading `source` must wait until `destination` takes what it was given.
    var isSaturated: Bool {
        self.unsent.load(ordering: .relaxed) >= Self.highWater
    }

    /// Writes one read of `source` to `destination` (flushed by ``flush()``).
    func forward(_ buffer: ByteBuffer) {
        let bytes = buffer.readableBytes
        self.unsent.add(bytes, ordering: .relaxed)
        self.metrics.recordStream(bytes: bytes, self.direction)
        let promise = self.destination.eventLoop.makePromise(of: Void.self)
        promise.futureResult.whenComplete { _ in
            let (before, after) = self.unsent.subtract(bytes, ordering: .relaxed)
            if before >= Self.highWater && after < Self.highWater {
                self.source.read()
            }
        }
        self.destination.write(buffer, promise: promise)
    }

    func flush() {
        self.destination.flush()
    }
}
