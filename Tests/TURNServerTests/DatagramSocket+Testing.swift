import STUNCodec
import Testing

@testable import TURNServer

#if canImport(Glibc)
import Glibc
#endif

/// Loopback sockets for the tests of the relay's own datagram I/O.
extension DatagramSocket {
    /// A socket on 127.0.0.1, on a port the kernel picks.
    static func onLoopback(receiveBufferSize: Int = 1 << 20) throws -> DatagramSocket {
        try DatagramSocket.make(
            boundTo: TransportAddress(ip: .v4(0x7F00_0001), port: 0),
            receiveBufferSize: receiveBufferSize,
            reusePort: false
        )
    }

    /// The address the socket is bound to (`getsockname`).
    func boundAddress() throws -> TransportAddress {
        var storage = sockaddr_storage()
        var length = socklen_t(MemoryLayout<sockaddr_storage>.size)
        let result = withUnsafeMutablePointer(to: &storage) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(self.descriptor, $0, &length) }
        }
        try #require(result == 0)
        return try #require(
            withUnsafeBytes(of: storage) {
                TransportAddress(sockaddr: UnsafeRawBufferPointer(rebasing: $0[..<Int(length)]))
            }
        )
    }

    /// Receives one datagram, waiting up to 2 s: its bytes, or nil when none came.
    func receiveDatagram() -> [UInt8]? {
        var poller = pollfd(fd: self.descriptor, events: Int16(POLLIN), revents: 0)
        guard poll(&poller, 1, 2000) == 1 else {
            return nil
        }
        var bytes = [UInt8](repeating: 0, count: 2048)
        let count = recv(self.descriptor, &bytes, bytes.count, 0)
        return count < 0 ? nil : Array(bytes[..<count])
    }
}
