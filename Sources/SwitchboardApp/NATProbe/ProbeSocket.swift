import NIOCore
import STUNCodec

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// One blocking UDP socket of `nat-probe`: sends STUN requests and waits, a bounded time, for what comes back.
final class ProbeSocket {
    private let descriptor: CInt
    /// The socket's own address, with the IP the host routes to the server from.
    let local: TransportAddress

    /// Opens a socket on the address the host would use to reach `server`, on a free port.
    init(towards server: TransportAddress) throws(NATProbeError) {
        let family = server.family == .ipv6 ? AF_INET6 : AF_INET
        // A connected scratch socket tells which local IP the route to the server uses; the probe socket itself must
        // stay unconnected, to hear replies from the server's other addresses.
        let scratch = socket(family, Int32(SOCK_DGRAM.rawValue), 0)
        let probe = socket(family, Int32(SOCK_DGRAM.rawValue), 0)
        defer { close(scratch) }
        guard scratch >= 0, probe >= 0 else {
            throw .system("socket", errno)
        }
        let connected = server.withSockaddr { connect(scratch, $0.assumingMemoryBound(to: sockaddr.self), $1) }
        guard connected == 0, var route = Self.localAddress(of: scratch) else {
            close(probe)
            throw .system("no route to \(server)", errno)
        }
        route.port = 0
        let bound = route.withSockaddr { bind(probe, $0.assumingMemoryBound(to: sockaddr.self), $1) }
        guard bound == 0, let local = Self.localAddress(of: probe) else {
            close(probe)
            throw .system("bind", errno)
        }
        self.descriptor = probe
        self.local = local
    }

    deinit {
        close(self.descriptor)
    }

    private static func localAddress(of descriptor: CInt) -> TransportAddress? {
        var storage = sockaddr_storage()
        var length = socklen_t(MemoryLayout<sockaddr_storage>.size)
        let result = withUnsafeMutablePointer(to: &storage) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(descriptor, $0, &length) }
        }
        guard result == 0 else {
            return nil
        }
        return withUnsafeBytes(of: &storage) {
            TransportAddress(sockaddr: UnsafeRawBufferPointer(rebasing: $0[..<Int(length)]))
        }
    }

    /// Sends `message` to `destination`.
    func send(_ message: ByteBuffer, to destination: TransportAddress) {
        message.withUnsafeReadableBytes { bytes in
            _ = destination.withSockaddr { address, length in
                sendto(
                    self.descriptor,
                    bytes.baseAddress,
                    bytes.count,
                    0,
                    address.assumingMemoryBound(to: sockaddr.self),
                    length
                )
            }
        }
    }

    /// The next STUN message with `transactionID` that arrives within `milliseconds`, and who sent it.
    func receive(
        _ transactionID: STUNTransactionID,
        within milliseconds: Int32
    ) -> (message: STUNMessage, from: TransportAddress)? {
        var buffer = [UInt8](repeating: 0, count: 2048)
        var remaining = milliseconds
        while remaining > 0 {
            var poller = pollfd(fd: self.descriptor, events: Int16(POLLIN), revents: 0)
            let started = Self.nowMilliseconds()
            guard poll(&poller, 1, remaining) > 0 else {
                return nil
            }
            remaining -= Int32(clamping: Self.nowMilliseconds() - started)
            var storage = sockaddr_storage()
            var length = socklen_t(MemoryLayout<sockaddr_storage>.size)
            let count = buffer.withUnsafeMutableBytes { bytes in
                withUnsafeMutablePointer(to: &storage) {
                    $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                        recvfrom(self.descriptor, bytes.baseAddress, bytes.count, 0, $0, &length)
                    }
                }
            }
            guard count > 0,
                let source = withUnsafeBytes(
                    of: &storage,
                    {
                        TransportAddress(sockaddr: UnsafeRawBufferPointer(rebasing: $0[..<Int(length)]))
                    }
                ),
                let message = try? STUNMessage.decode(ByteBuffer(bytes: buffer[..<count])),
                message.transactionID == transactionID
            else {
                continue
            }
            return (message, source)
        }
        return nil
    }

    private static func nowMilliseconds() -> Int {
        var now = timespec()
        clock_gettime(CLOCK_MONOTONIC, &now)
        return now.tv_sec * 1000 + now.tv_nsec / 1_000_000
    }
}
