import CoreMetrics
import Logging
import NIOCore

/// Enforces ``STUNStreamDeadlines`` on one STUN/TCP connection, right after the frame decoder: a frame that does not
/// complete within the framing timeout closes the connection; no complete frame for the idle timeout sends
/// `IdleStateHandler.IdleStateEvent.read` on to the stream handler, which closes the connection unless it holds an
/// allocation.
final class STUNStreamDeadlineHandler: ChannelInboundHandler {
    typealias InboundIn = ByteBuffer
    typealias InboundOut = ByteBuffer

    private var deadlines: STUNStreamDeadlines
    private let metrics: STUNMetrics
    private let logger: Logger
    private var timer: Scheduled<Void>?
    private var armedFor: NIODeadline?

    init(idleTimeout: TimeAmount, framingTimeout: TimeAmount, metrics: STUNMetrics, logger: Logger) {
        // Restarted on the loop's clock when the handler is added.
        self.deadlines = STUNStreamDeadlines(
            openedAt: .uptimeNanoseconds(0),
            idleTimeout: idleTimeout,
            framingTimeout: framingTimeout
        )
        self.metrics = metrics
        self.logger = logger
    }

    func handlerAdded(context: ChannelHandlerContext) {
        self.deadlines.frameCompleted(at: context.eventLoop.now)
        self.rearm(context: context)
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        self.timer?.cancel()
        self.timer = nil
    }

    func channelInactive(context: ChannelHandlerContext) {
        self.timer?.cancel()
        self.timer = nil
        context.fireChannelInactive()
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        self.deadlines.frameCompleted(at: context.eventLoop.now)
        context.fireChannelRead(data)
    }

    func channelReadComplete(context: ChannelHandlerContext) {
        self.rearm(context: context)
        context.fireChannelReadComplete()
    }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        if event is STUNStreamFrameDecoder.PartialFrame {
            self.deadlines.frameStarted(at: context.eventLoop.now)
            self.rearm(context: context)
            return
        }
        context.fireUserInboundEventTriggered(event)
    }

    /// Arms the timer for the current deadline; a timer armed for an earlier one fires, re-checks and re-arms.
    private func rearm(context: ChannelHandlerContext) {
        let deadline = self.deadlines.deadline.at
        if let armedFor = self.armedFor, armedFor <= deadline {
            return
        }
        self.timer?.cancel()
        self.armedFor = deadline
        self.timer = context.eventLoop.assumeIsolatedUnsafeUnchecked().scheduleTask(deadline: deadline) {
            self.timer = nil
            self.armedFor = nil
            self.timerFired(context: context)
        }
    }

    private func timerFired(context: ChannelHandlerContext) {
        let now = context.eventLoop.now
        switch self.deadlines.expiry(at: now) {
        case .framing:
            self.metrics.framingTimeouts.increment()
            self.logger.debug(
                "closing TCP connection: a frame did not complete in time",
                metadata: ["client.address": "\(context.remoteAddress.map { "\($0)" } ?? "?")"]
            )
            context.close(promise: nil)
            return
        case .idle:
            // The stream handler closes the connection unless an allocation keeps it; then idling starts over.
            self.deadlines.idleExcused(at: now)
            context.fireUserInboundEventTriggered(IdleStateHandler.IdleStateEvent.read)
        case nil:
            break
        }
        if context.channel.isActive {
            self.rearm(context: context)
        }
    }
}

@available(*, unavailable)
extension STUNStreamDeadlineHandler: Sendable {}
