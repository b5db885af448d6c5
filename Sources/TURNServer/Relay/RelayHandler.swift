import NIOCore

/// The handler of one allocation's relay socket (the peer side, RFC 8656 §11.3): hands each peer datagram to the
/// allocation table of the same event loop, and flushes what it wrote to the client once per read batch.
final class RelayHandler: ChannelInboundHandler {
    typealias InboundIn = AddressedEnvelope<ByteBuffer>

    private let table: AllocationTable
    private let allocation: Allocation

    init(table: AllocationTable, allocation: Allocation) {
        self.table = table
        self.allocation = allocation
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        self.table.receivedFromPeer(
            self.unwrapInboundIn(data),
            allocation: self.allocation,
            allocator: context.channel.allocator
        )
    }

    func channelReadComplete(context: ChannelHandlerContext) {
        if self.allocation.clientNeedsFlush {
            self.allocation.clientNeedsFlush = false
            self.allocation.clientOutput.flush()
        }
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        // ICMP port unreachable from a peer and the like: the relay socket stays open.
    }
}

@available(*, unavailable)
extension RelayHandler: Sendable {}
