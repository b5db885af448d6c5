import NIOCore

/// The handler of one peer data connection of a TCP allocation (RFC 6062 §5.2, §5.3), on the allocation's event
/// loop. Until the client binds a data connection to it (§5.4) it reads nothing: what the peer sends waits in the
/// kernel, and the peer's TCP window closes, as §5.2 asks ("the server MUST buffer any data received from the
/// client ... and adjust its advertised TCP receive window"). Once bound, what it reads goes to the client data
/// connection through a ``TCPRelayPipe``, reading pausing while that pipe is saturated.
final class TCPPeerHandler: ChannelDuplexHandler {
    typealias InboundIn = ByteBuffer
    typealias OutboundIn = ByteBuffer
    typealias OutboundOut = ByteBuffer

    /// Sent to the peer connection (`triggerUserOutboundEvent`, from any event loop) when a client data connection
    /// is bound to it.
    struct Bind: Sendable {
        let dataConnection: any Channel
    }

    private let table: AllocationTable
    private let allocation: Allocation
    let id: UInt32
    private var pipe: TCPRelayPipe?
    private var readHeld = false

    init(table: AllocationTable, allocation: Allocation, id: UInt32) {
        self.table = table
        self.allocation = allocation
        self.id = id
    }

    func read(context: ChannelHandlerContext) {
        if let pipe = self.pipe, !pipe.isSaturated {
            context.read()
        } else {
            self.readHeld = true
        }
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        self.pipe?.forward(self.unwrapInboundIn(data))
    }

    func channelReadComplete(context: ChannelHandlerContext) {
        self.pipe?.flush()
        context.fireChannelReadComplete()
    }

    func triggerUserOutboundEvent(context: ChannelHandlerContext, event: Any, promise: EventLoopPromise<Void>?) {
        guard let bind = event as? Bind else {
            context.triggerUserOutboundEvent(event, promise: promise)
            return
        }
        guard self.pipe == nil, self.table.peerConnectionBound(self.id, allocation: self.allocation) else {
            promise?.fail(ChannelError.inappropriateOperationForState)
            context.close(promise: nil)
            return
        }
        self.pipe = TCPRelayPipe(
            from: context.channel,
            to: bind.dataConnection,
            direction: .toClient,
            metrics: self.table.shared.metrics
        )
        promise?.succeed()
        if self.readHeld {
            self.readHeld = false
            self.read(context: context)
        }
    }

    /// Either side closing closes the other (§5.4), once what was already read is written.
    func channelInactive(context: ChannelHandlerContext) {
        self.table.peerConnectionClosed(self.id, allocation: self.allocation)
        if let pipe = self.pipe {
            let destination = pipe.destination
            destination.writeAndFlush(ByteBuffer()).whenComplete { _ in
                destination.close(promise: nil)
            }
        }
        context.fireChannelInactive()
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        context.close(promise: nil)
    }
}

@available(*, unavailable)
extension TCPPeerHandler: Sendable {}
