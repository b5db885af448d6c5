import ConnectionLimits
import CoreMetrics
import Logging
import NIOCore
import NIOSSL
import NIOTLS

/// The first handler of a shared-port connection: holds the first bytes until ``SharedPortSniffer`` can tell what
/// the connection speaks, then puts that server's handlers in the pipeline, passes them the bytes held and removes
/// itself. A TLS ClientHello gets a TLS handler and, behind it, another sniffer for the decrypted stream (ALPN, when
/// negotiated, decides at once). A connection that says nothing recognisable within the sniff timeout, or something
/// the port does not accept, is closed.
final class SharedPortSniffHandler: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = ByteBuffer
    typealias InboundOut = ByteBuffer

    private let routes: SharedPortRoutes
    /// Whether this sniffer sits behind the TLS handler (it then sees decrypted bytes).
    private let insideTLS: Bool
    private let logger: Logger
    private var held: ByteBuffer?
    private var timer: Scheduled<Void>?
    private var decided = false

    /// The outer sniffer's entry in ``SharedPortRoutes/sniffing``, released once when it leaves the pipeline.
    private var sniffingKey: ClientAddressKey??

    init(routes: SharedPortRoutes, insideTLS: Bool, sniffingKey: ClientAddressKey? = nil, logger: Logger) {
        self.routes = routes
        self.insideTLS = insideTLS
        self.sniffingKey = insideTLS ? .none : .some(sniffingKey)
        self.logger = logger
    }

    func handlerAdded(context: ChannelHandlerContext) {
        guard !self.insideTLS else {
            // The outer sniffer's timer still runs until this one decides.
            return
        }
        self.timer = context.eventLoop.assumeIsolatedUnsafeUnchecked().scheduleTask(in: self.routes.sniffTimeout) {
            self.timer = nil
            self.routes.metrics.sniffTimeouts.increment()
            self.refuse(context: context, why: "it did not say what it speaks in time")
        }
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        self.timer?.cancel()
        self.timer = nil
        // Handed over or closed: the chosen server's caps count it from here.
        if case .some(let key) = self.sniffingKey {
            self.sniffingKey = .none
            self.routes.sniffing.close(key)
        }
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        var bytes = self.unwrapInboundIn(data)
        guard !self.decided else {
            context.fireChannelRead(data)
            return
        }
        if self.held == nil {
            self.held = bytes
        } else {
            self.held?.writeBuffer(&bytes)
        }
        let verdict = SharedPortSniffer.verdict(
            firstBytes: self.held?.readableBytesView ?? ByteBuffer().readableBytesView,
            allowTLS: !self.insideTLS
        )
        self.act(on: verdict, context: context)
    }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        if !self.decided, case TLSUserEvent.handshakeCompleted(let negotiated) = event,
            let verdict = SharedPortSniffer.verdict(alpn: negotiated)
        {
            self.act(on: verdict, context: context)
            return
        }
        context.fireUserInboundEventTriggered(event)
    }

    private func act(on verdict: SharedPortSniffer.Verdict, context: ChannelHandlerContext) {
        switch verdict {
        case .needMoreBytes:
            return
        case .unknown:
            self.routes.metrics.unknown.increment()
            self.refuse(context: context, why: "its first bytes are no protocol of this port")
        case .tls:
            guard let tls = self.routes.tls, !self.routes.accepts.isDisjoint(with: [.https, .turns]) else {
                self.routes.metrics.notAccepted.increment()
                self.refuse(context: context, why: "TLS is not accepted on this port")
                return
            }
            // This sniffer stays in front of the TLS handler, passing bytes through, so its timer covers the
            // handshake; the sniffer behind it removes it once it has decided.
            self.handOver(context: context, leave: false) {
                try context.pipeline.syncOperations.addHandlers(
                    [
                        NIOSSLServerHandler(context: tls),
                        SharedPortSniffHandler(routes: self.routes, insideTLS: true, logger: self.logger),
                    ],
                    position: .after(self)
                )
                return nil
            }
        case .turn:
            let name: SharedPortProtocol = self.insideTLS ? .turns : .turn
            guard self.routes.accepts.contains(name) else {
                self.routes.metrics.notAccepted.increment()
                self.refuse(context: context, why: "STUN/TURN is not accepted here")
                return
            }
            self.routes.metrics.handedOver[name]?.increment()
            self.handOver(context: context, leave: true) { self.routes.serveTURN(context.channel) }
        case .http:
            let name: SharedPortProtocol = self.insideTLS ? .https : .http
            guard self.routes.accepts.contains(name) else {
                self.routes.metrics.notAccepted.increment()
                self.refuse(context: context, why: "HTTP is not accepted here")
                return
            }
            self.routes.metrics.handedOver[name]?.increment()
            self.handOver(context: context, leave: true) { self.routes.serveHTTP(context.channel) }
        }
    }

    /// Installs the chosen handlers (which the routes do synchronously, on the loop), gives them the bytes held and,
    /// when `leave`, leaves the pipeline together with the outer sniffer of a TLS connection.
    private func handOver(
        context: ChannelHandlerContext,
        leave: Bool,
        install: () throws -> EventLoopFuture<Void>?
    ) {
        self.decided = true
        do {
            let installed = try install()
            let channel = context.channel
            installed?.whenFailure { _ in channel.close(promise: nil) }
        } catch {
            self.refuse(context: context, why: "its server could not take it: \(error)")
            return
        }
        if self.insideTLS, let outer = try? context.pipeline.syncOperations.handler(type: Self.self), outer !== self {
            context.pipeline.syncOperations.removeHandler(outer, promise: nil)
        }
        if let held = self.held, held.readableBytes > 0 {
            self.held = nil
            context.fireChannelRead(self.wrapInboundOut(held))
            context.fireChannelReadComplete()
        }
        if leave {
            context.pipeline.syncOperations.removeHandler(context: context, promise: nil)
        }
    }

    private func refuse(context: ChannelHandlerContext, why: String) {
        self.decided = true
        self.logger.debug(
            "closing shared-port connection: \(why)",
            metadata: ["client.address": "\(context.remoteAddress.map { "\($0)" } ?? "?")"]
        )
        context.close(promise: nil)
    }
}

@available(*, unavailable)
extension SharedPortSniffHandler: Sendable {}
