import NIOCore
import STUNCodec

/// The handler of one allocation's relay socket (the peer side, RFC 8656 §11.3): hands each peer datagram to the
/// allocation table of the same event loop, and sends what that queued for the client once per read batch. NIO reads
/// the first datagram of each wake-up, the handler the rest (``DatagramReceiver``).
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
        let envelope = self.unwrapInboundIn(data)
        guard !DatagramReceiver.isOversized(envelope.data) else {
            self.table.tally.dropped[.tooLarge, default: 0] += 1
            return
        }
        guard let peer = TransportAddress(envelope.remoteAddress) else {
            return
        }
        self.table.receivedFromPeer(
            envelope.data,
            from: peer,
            allocation: self.allocation,
            allocator: context.channel.allocator
        )
    }

    func channelReadComplete(context: ChannelHandlerContext) {
        self.table.flushToClient(self.allocation)
        self.table.drainRelay(self.socket, allocation: self.allocation, allocator: context.channel.allocator)
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        // ICMP port unreachable from a peer and the like: the relay socket stays open.
    }
}

@available(*, unavailable)
extension RelayHandler: Sendable {}
