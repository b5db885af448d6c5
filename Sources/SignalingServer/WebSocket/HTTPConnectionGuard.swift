import NIOCore
import NIOHTTP1

/// Enforces ``HTTPConnectionDeadlines`` on one HTTP/1.1 connection, right after the request decoder: closes a
/// connection whose head or body is too slow or that idles too long between requests, and answers a request head
/// the decoder rejects with `400` and closes (nothing else answers it: NIO's error handler is off to keep upgraded
/// connections light). Removed from the pipeline when the connection becomes a WebSocket.
final class HTTPConnectionGuard: ChannelDuplexHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPServerRequestPart
    typealias InboundOut = HTTPServerRequestPart
    typealias OutboundIn = HTTPServerResponsePart
    typealias OutboundOut = HTTPServerResponsePart

    private var deadlines: HTTPConnectionDeadlines?
    private let headTimeout: TimeAmount
    private let idleTimeout: TimeAmount
    private let metrics: HTTPConnectionMetrics
    private var timer: Scheduled<Void>?
    /// The deadline the timer is armed for.
    private var armedFor: NIODeadline?
    private var closing = false

    init(limits: HTTPConnectionLimits) {
        self.headTimeout = limits.headTimeout
        self.idleTimeout = limits.idleTimeout
        self.metrics = limits.metrics
    }

    func handlerAdded(context: ChannelHandlerContext) {
        self.deadlines = HTTPConnectionDeadlines(
            openedAt: context.eventLoop.now,
            headTimeout: self.headTimeout,
            idleTimeout: self.idleTimeout
        )
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
        switch self.unwrapInboundIn(data) {
        case .head:
            self.deadlines?.headReceived(at: context.eventLoop.now)
        case .body:
            break
        case .end:
            self.deadlines?.requestEnded()
        }
        context.fireChannelRead(data)
    }

    func channelReadComplete(context: ChannelHandlerContext) {
        self.deadlines?.bytesArrived(at: context.eventLoop.now)
        self.rearm(context: context)
        context.fireChannelReadComplete()
    }

    func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        switch self.unwrapOutboundIn(data) {
        case .head(let head) where head.status == .switchingProtocols:
            self.deadlines?.upgraded()
        case .end:
            self.deadlines?.responseEnded(at: context.eventLoop.now)
            self.rearm(context: context)
        case .head, .body:
            break
        }
        context.write(data, promise: promise)
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        guard error is HTTPParserError else {
            context.fireErrorCaught(error)
            return
        }
        // The decoder stops at a malformed head; the client gets a clear answer unless a response is under way.
        self.metrics.malformedHead()
        if (self.deadlines?.requestsInFlight ?? 0) == 0 {
            self.answerAndClose(context: context, status: .badRequest)
        } else {
            self.close(context: context)
        }
    }

    // MARK: - Timer

    /// Arms the timer for the current deadline (a timer already armed for an earlier one fires and re-checks).
    private func rearm(context: ChannelHandlerContext) {
        guard let deadline = self.deadlines?.deadline, !self.closing else {
            self.timer?.cancel()
            self.timer = nil
            self.armedFor = nil
            return
        }
        if let armedFor = self.armedFor, armedFor <= deadline.at {
            return
        }
        self.timer?.cancel()
        self.armedFor = deadline.at
        self.timer = context.eventLoop.assumeIsolatedUnsafeUnchecked().scheduleTask(deadline: deadline.at) {
            self.timer = nil
            self.armedFor = nil
            self.timerFired(context: context)
        }
    }

    private func timerFired(context: ChannelHandlerContext) {
        guard let expiry = self.deadlines?.expiry(at: context.eventLoop.now) else {
            self.rearm(context: context)
            return
        }
        self.metrics.expired(expiry)
        switch expiry {
        case .headTimeout where self.deadlines?.headBytesArrived == true:
            self.answerAndClose(context: context, status: .requestTimeout)
        case .headTimeout, .idle, .bodyTimeout:
            self.close(context: context)
        }
    }

    // MARK: - Closing

    /// Writes a bodiless response with `Connection: close`, then closes.
    private func answerAndClose(context: ChannelHandlerContext, status: HTTPResponseStatus) {
        guard !self.closing else {
            return
        }
        self.closing = true
        let head = HTTPResponseHead(
            version: .http1_1,
            status: status,
            headers: ["Connection": "close", "Content-Length": "0"]
        )
        context.write(self.wrapOutboundOut(.head(head)), promise: nil)
        let channel = context.channel
        context.writeAndFlush(self.wrapOutboundOut(.end(nil))).assumeIsolated().whenComplete { _ in
            channel.close(promise: nil)
        }
    }

    private func close(context: ChannelHandlerContext) {
        guard !self.closing else {
            return
        }
        self.closing = true
        context.close(promise: nil)
    }
}

@available(*, unavailable)
extension HTTPConnectionGuard: Sendable {}
