import NIOCore
import STUNCodec
import Testing

@testable import TURNServer

#if canImport(Glibc)
import Glibc
#endif

/// The relay's direct sends: one datagram from an optional 4-byte header and a payload slice, to an address given
/// as a `TransportAddress`, on loopback.
@Suite struct DatagramSocketTests {
    private static let loopback = TransportAddress(ip: .v4(0x7F00_0001), port: 0)

    private func boundPort(_ socket: DatagramSocket) throws -> UInt16 {
        var address = sockaddr_in()
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let result = withUnsafeMutablePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(socket.descriptor, $0, &length) }
        }
        try #require(result == 0)
        return UInt16(bigEndian: address.sin_port)
    }

    /// Receives one datagram (waits up to 2 s).
    private func receive(_ socket: DatagramSocket) -> [UInt8]? {
        var poller = pollfd(fd: socket.descriptor, events: Int16(POLLIN), revents: 0)
        guard poll(&poller, 1, 2000) == 1 else {
            return nil
        }
        var bytes = [UInt8](repeating: 0, count: 2048)
        let count = recv(socket.descriptor, &bytes, bytes.count, 0)
        return count < 0 ? nil : Array(bytes[..<count])
    }

    @Test func sendsHeaderAndPayloadSliceAsOneDatagram() throws {
        let sender = try DatagramSocket.make(boundTo: Self.loopback, receiveBufferSize: 1 << 16, reusePort: false)
        let receiver = try DatagramSocket.make(boundTo: Self.loopback, receiveBufferSize: 1 << 16, reusePort: false)
        defer {
            close(sender.descriptor)
            close(receiver.descriptor)
        }
        let destination = TransportAddress(ip: .v4(0x7F00_0001), port: try self.boundPort(receiver))
        var datagram = ByteBuffer(bytes: [9, 9, 1, 2, 3, 4, 5, 9])
        let payload = datagram.getSlice(at: 2, length: 5)!
        datagram.moveReaderIndex(forwardBy: 2)
        // ChannelData 0x4001 carrying 5 bytes (RFC 8656 §12.4): the header in front, no padding over UDP.
        #expect(sender.send(header: 0x4001_0005, payload: payload, to: destination))
        #expect(self.receive(receiver) == [0x40, 0x01, 0x00, 0x05, 1, 2, 3, 4, 5])
        #expect(sender.send(payload: payload, to: destination))
        #expect(self.receive(receiver) == [1, 2, 3, 4, 5])
    }

    @Test func aClosedSocketSendsNothing() throws {
        let sender = try DatagramSocket.make(boundTo: Self.loopback, receiveBufferSize: 1 << 16, reusePort: false)
        defer {
            close(sender.descriptor)
        }
        sender.isOpen = false
        #expect(!sender.send(payload: ByteBuffer(bytes: [1]), to: TransportAddress(ip: .v4(0x7F00_0001), port: 9)))
    }

    @Test func bindingATakenPortFailsWithEADDRINUSE() throws {
        let first = try DatagramSocket.make(boundTo: Self.loopback, receiveBufferSize: 1 << 16, reusePort: false)
        defer {
            close(first.descriptor)
        }
        let taken = TransportAddress(ip: .v4(0x7F00_0001), port: try self.boundPort(first))
        #expect {
            _ = try DatagramSocket.make(boundTo: taken, receiveBufferSize: 1 << 16, reusePort: false)
        } throws: { error in
            (error as? IOError)?.errnoCode == EADDRINUSE
        }
    }
}
