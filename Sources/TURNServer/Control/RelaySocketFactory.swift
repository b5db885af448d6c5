import NIOCore
import NIOPosix
import STUNCodec

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A bound relay socket and, for EVEN-PORT with the R bit, the reserved next port (RFC 8656 §7.2).
struct RelayBinding {
    var address: TransportAddress
    var channel: any Channel
    var socket: DatagramSocket
    var reserved: (address: TransportAddress, channel: any Channel)?
}

/// Opens the relay sockets of one event loop's allocations (RFC 8656 §7.2). A protocol so that the control plane
/// can be tested without sockets.
protocol RelaySocketFactory {
    /// Binds a relay socket for `allocation` on `ip`: on `port` when given (a claimed reservation), otherwise on a
    /// random port of the relay range (even when `evenPort`), retrying ports in use; with `reserveNext`, also binds
    /// the next port and keeps it for a later Allocate.
    func bindRelay(
        ip: TransportAddress.IP,
        port: Int?,
        evenPort: Bool,
        reserveNext: Bool,
        for allocation: Allocation,
        table: AllocationTable
    ) -> EventLoopFuture<RelayBinding>
}

/// Relay sockets on this host: UDP sockets bound on the allocation's event loop and read by a ``RelayHandler``.
struct UDPRelaySocketFactory: RelaySocketFactory {
    let eventLoop: any EventLoop
    let ports: ClosedRange<Int>

    func bindRelay(
        ip: TransportAddress.IP,
        port: Int?,
        evenPort: Bool,
        reserveNext: Bool,
        for allocation: Allocation,
        table: AllocationTable
    ) -> EventLoopFuture<RelayBinding> {
        self.bind(ip: ip, port: port, evenPort: evenPort, reserveNext: reserveNext, allocation, table, attempt: 0)
    }

    private func bind(
        ip: TransportAddress.IP,
        port: Int?,
        evenPort: Bool,
        reserveNext: Bool,
        _ allocation: Allocation,
        _ table: AllocationTable,
        attempt: Int
    ) -> EventLoopFuture<RelayBinding> {
        var candidate = port ?? Int.random(in: self.ports)
        if evenPort && candidate % 2 == 1 {
            candidate = candidate - 1 >= self.ports.lowerBound ? candidate - 1 : candidate + 1
        }
        if reserveNext && candidate + 1 > self.ports.upperBound {
            candidate -= 2
        }
        let chosen = candidate
        let address = TransportAddress(ip: ip, port: UInt16(chosen))
        let retry: (any Error) -> EventLoopFuture<RelayBinding> = { error in
            guard port == nil, attempt < 32, let ioError = error as? IOError, ioError.errnoCode == EADDRINUSE else {
                return self.eventLoop.makeFailedFuture(error)
            }
            return self.bind(
                ip: ip,
                port: nil,
                evenPort: evenPort,
                reserveNext: reserveNext,
                allocation,
                table,
                attempt: attempt + 1
            )
        }
        return self.makeSocket(address: address, allocation: allocation, table: table).assumeIsolated().flatMap {
            relay in
            let (channel, socket) = relay
            guard reserveNext else {
                return channel.eventLoop.makeSucceededFuture(
                    RelayBinding(address: address, channel: channel, socket: socket)
                )
            }
            let nextAddress = TransportAddress(ip: ip, port: UInt16(chosen + 1))
            return self.makeSocket(address: nextAddress, allocation: nil, table: table).map { reserved in
                RelayBinding(address: address, channel: channel, socket: socket, reserved: (nextAddress, reserved.0))
            }.flatMapError { error in
                channel.close(promise: nil)
                return channel.eventLoop.makeFailedFuture(error)
            }
        }.flatMapError(retry).nonisolated()
    }

    /// One UDP socket bound to `address` on this loop. With no allocation (a reservation) it reads nothing.
    ///
    /// The socket is opened here rather than by the bootstrap so that the relay can send on it directly
    /// (``DatagramSocket``). A relay socket takes a peer's bursts (a video keyframe is tens of datagrams at once):
    /// 1 MiB of receive buffer instead of the kernel's default (about 200 KiB) keeps them while the loop serves
    /// other sockets; the kernel charges only what is queued.
    private func makeSocket(
        address: TransportAddress,
        allocation: Allocation?,
        table: AllocationTable
    ) -> EventLoopFuture<(any Channel, DatagramSocket)> {
        let socket: DatagramSocket
        do {
            socket = try DatagramSocket.make(boundTo: address, receiveBufferSize: 1 << 20, reusePort: false)
        } catch {
            return self.eventLoop.makeFailedFuture(error)
        }
        let boundTable = NIOLoopBound(table, eventLoop: self.eventLoop)
        let boundAllocation = allocation.map { NIOLoopBound($0, eventLoop: self.eventLoop) }
        return DatagramBootstrap(group: self.eventLoop)
            .readingOneDatagramPerWakeUp()
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    if let boundAllocation {
                        try channel.pipeline.syncOperations.addHandler(
                            RelayHandler(table: boundTable.value, allocation: boundAllocation.value, socket: socket)
                        )
                    }
                }
            }
            .withBoundSocket(socket.descriptor)
            .map { ($0, socket) }
    }
}
