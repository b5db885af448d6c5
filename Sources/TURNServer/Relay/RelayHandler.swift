import NIOCore

/// The handler of one allocation's relay socket (the peer side, RFC 8656 §11.3): hands each peer datagram to the
/// allocation table of the same event loop, and sends what that queued for the client once per read batch.
final class RelayHandler: ChannelInboundHandler {
    typealias InboundIn = AddressedEnvelope<ByteBuffer>

    private let table: AllocationTable
    private let allocation: Allocation
    private let socket: DatagramSocket

    init(table: AllocationTable, allocation: Allocation, socket: DatagramSocket) {
        self.table = table
        self.allocation = allocation
        self.socket = socket
    }

    func channelInactive(context: ChannelHandlerContext) {
        // The descriptor is closed: nothing may be sent on its number any more.
        self.socket.isOpen = false
        context.fireChannelInactive()
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        self.table.receivedFromPeer(
            self.unwrapInboundIn(data),
            allocation: self.allocation,
            allocator: context.channel.allocator
        )
    }

    func channelReadComplete(context: ChannelHandlerContext) {
        self.table.flushToClient(self.allocation)
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        // ICMP port unreachable from a peer and the like: the relay socket stays open.
    }
}

@available(*, unavailable)
extension RelayHandler: Sendable {}
