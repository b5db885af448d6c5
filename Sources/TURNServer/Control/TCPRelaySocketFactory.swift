import ConnectionLimits
import NIOCore
import NIOPosix
import STUNCodec

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The listening socket of a TCP allocation, bound on its relayed transport address.
typealias TCPRelayListener = (address: TransportAddress, channel: any Channel)

/// Opens the TCP sockets of one event loop's RFC 6062 allocations. A protocol so that the control plane can be
/// tested without sockets.
protocol TCPRelaySocketFactory {
    /// Listens on a random port of the relay range on `ip` (§5.1: the relayed transport address); accepted
    /// connections go to ``AllocationTable/acceptedPeerConnection(_:allocation:)``.
    func listen(
        ip: TransportAddress.IP,
        for allocation: Allocation,
        table: AllocationTable
    ) -> EventLoopFuture<TCPRelayListener>

    /// Opens peer connection `id` from the relayed address to `peer` (§5.2), with its ``TCPPeerHandler``.
    func connect(
        from relay: TransportAddress,
        to peer: TransportAddress,
        id: UInt32,
        allocation: Allocation,
        table: AllocationTable
    ) -> EventLoopFuture<any Channel>
}

/// TCP relay sockets on this host, on the allocation's event loop.
///
/// RFC 6062 §5.2: a connection the server opens for Connect leaves from the relayed transport address itself, the
/// address the listener is bound to. Linux lets a connecting socket share a listener's address only when both set
/// SO_REUSEPORT, which would also let a second listener share it: the registry (``TCPConnectionRegistry``) keeps
/// one listener per address within the server, and other processes would need the server's own user to join.
struct TCPRelaySockets: TCPRelaySocketFactory {
    let eventLoop: any EventLoop
    let ports: ClosedRange<Int>
    let registry: TCPConnectionRegistry

    /// RFC 6062 §5.2: the timeout of a Connect is at least 30 seconds.
    static let connectTimeout = TimeAmount.seconds(30)

    private static let reusePort = ChannelOptions.socket(SocketOptionLevel(SOL_SOCKET), SocketOptionName(SO_REUSEPORT))

    func listen(
        ip: TransportAddress.IP,
        for allocation: Allocation,
        table: AllocationTable
    ) -> EventLoopFuture<TCPRelayListener> {
        self.listen(ip: ip, allocation: allocation, table: table, attempt: 0)
    }

    private func listen(
        ip: TransportAddress.IP,
        allocation: Allocation,
        table: AllocationTable,
        attempt: Int
    ) -> EventLoopFuture<TCPRelayListener> {
        let address = TransportAddress(ip: ip, port: UInt16(Int.random(in: self.ports)))
        let retry = { (error: any Error) -> EventLoopFuture<TCPRelayListener> in
            guard attempt < 32 else {
                return self.eventLoop.makeFailedFuture(error)
            }
            return self.listen(ip: ip, allocation: allocation, table: table, attempt: attempt + 1)
        }
        guard self.registry.reserveListener(address) else {
            return retry(IOError(errnoCode: EADDRINUSE, reason: "TCP relay address in use"))
        }
        let registry = self.registry
        let boundTable = NIOLoopBound(table, eventLoop: self.eventLoop)
        let boundAllocation = NIOLoopBound(allocation, eventLoop: self.eventLoop)
        let bootstrap = ServerBootstrap(group: self.eventLoop)
            .serverChannelOption(.backlog, value: 16)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .serverChannelOption(Self.reusePort, value: 1)
            .serverChannelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    // Out of descriptors, accept would fail at once again: pause instead of spinning.
                    try channel.pipeline.syncOperations.addHandler(AcceptPauseHandler { _ in })
                }
            }
            .childChannelOption(.tcpOption(.tcp_nodelay), value: 1)
            .childChannelInitializer { channel in
                boundTable.value.acceptedPeerConnection(channel, allocation: boundAllocation.value)
            }
        return bootstrap.bind(to: address.makeSocketAddress()).assumeIsolated().map { channel in
            (address, channel)
        }.flatMapError { error in
            registry.releaseListener(address)
            guard let ioError = error as? IOError, ioError.errnoCode == EADDRINUSE else {
                return self.eventLoop.makeFailedFuture(error)
            }
            return retry(error)
        }.nonisolated()
    }

    func connect(
        from relay: TransportAddress,
        to peer: TransportAddress,
        id: UInt32,
        allocation: Allocation,
        table: AllocationTable
    ) -> EventLoopFuture<any Channel> {
        let boundTable = NIOLoopBound(table, eventLoop: self.eventLoop)
        let boundAllocation = NIOLoopBound(allocation, eventLoop: self.eventLoop)
        return ClientBootstrap(group: self.eventLoop)
            .channelOption(.socketOption(.so_reuseaddr), value: 1)
            .channelOption(Self.reusePort, value: 1)
            .channelOption(.tcpOption(.tcp_nodelay), value: 1)
            .connectTimeout(Self.connectTimeout)
            .bind(to: relay.makeSocketAddress())
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHandler(
                        TCPPeerHandler(table: boundTable.value, allocation: boundAllocation.value, id: id)
                    )
                }
            }
            .connect(to: peer.makeSocketAddress())
    }
}
