import CoreMetrics
import Logging
import NIOCore
import NIOTLS

/// Closes a TURN-over-TLS connection whose TLS handshake does not complete within the framing timeout: a
/// ClientHello is a frame begun (RFC 8656 §3.1 runs TURN over TLS exactly as over TCP), so a client that trickles its
/// handshake holds a connection no longer than one that trickles a STUN message. Removes itself once the handshake
/// is done.
final class TLSHandshakeDeadlineHandler: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = NIOAny

    private let timeout: TimeAmount
    private let metrics: STUNMetrics
    private let logger: Logger
    private var timer: Scheduled<Void>?

    init(timeout: TimeAmount, metrics: STUNMetrics, logger: Logger) {
        self.timeout = timeout
        self.metrics = metrics
        self.logger = logger
    }

    func handlerAdded(context: ChannelHandlerContext) {
        self.timer = context.eventLoop.assumeIsolatedUnsafeUnchecked().scheduleTask(in: self.timeout) {
            self.timer = nil
            self.metrics.framingTimeouts.increment()
            self.logger.debug(
                "closing TLS connection: the handshake did not complete in time",
                metadata: ["client.address": "\(context.remoteAddress.map { "\($0)" } ?? "?")"]
            )
            context.close(promise: nil)
        }
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        self.timer?.cancel()
        self.timer = nil
    }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        if case TLSUserEvent.handshakeCompleted = event {
            self.timer?.cancel()
            self.timer = nil
            context.fireUserInboundEventTriggered(event)
            context.pipeline.syncOperations.removeHandler(context: context, promise: nil)
            return
        }
        context.fireUserInboundEventTriggered(event)
    }
}

@available(*, unavailable)
extension TLSHandshakeDeadlineHandler: Sendable {}
