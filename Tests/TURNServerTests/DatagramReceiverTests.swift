import NIOCore
import STUNCodec
import Testing

@testable import TURNServer

#if canImport(Glibc)
import Glibc
#endif

/// The relay's own `recvmmsg` reads on loopback: datagrams in batches of at most the receiver's capacity, each with
/// its source address and, with IP_PKTINFO on, the address it was sent to.
@Suite struct DatagramReceiverTests {
    private func send(_ bytes: [UInt8], from socket: DatagramSocket, to destination: TransportAddress) {
        var result = DatagramSocket.FlushResult()
        socket.enqueue(payload: ByteBuffer(bytes: bytes), to: destination, into: &result)
        socket.flush(into: &result)
    }

    @Test func readsBatchesWithSourceAndDestination() throws {
        let receiving = try DatagramSocket.onLoopback()
        let sending = try DatagramSocket.onLoopback(receiveBufferSize: 1 << 16)
        defer {
            close(receiving.descriptor)
            close(sending.descriptor)
        }
        var on: CInt = 1
        try #require(
            setsockopt(receiving.descriptor, CInt(IPPROTO_IP), IP_PKTINFO, &on, socklen_t(MemoryLayout<CInt>.size)) == 0
        )
        let destination = try receiving.boundAddress()
        let source = try sending.boundAddress()
        for index in 0..<6 {
            self.send([UInt8](repeating: UInt8(index), count: index + 1), from: sending, to: destination)
        }
        let receiver = DatagramReceiver(capacity: 4, allocator: ByteBufferAllocator())
        var received: [([UInt8], TransportAddress, TransportAddress.IP?)] = []
        var held: [ByteBuffer] = []
        let first = receiver.receive(from: receiving, packetInfo: true) { datagram, from, to in
            received.append((Array(datagram.readableBytesView), from, to))
            held.append(datagram)  // still held when the next batch is read: it must not be overwritten
        }
        let second = receiver.receive(from: receiving, packetInfo: true) { datagram, from, to in
            received.append((Array(datagram.readableBytesView), from, to))
        }
        let third = receiver.receive(from: receiving, packetInfo: true) { _, _, _ in Issue.record("nothing left") }
        #expect([first, second, third] == [4, 2, 0])
        #expect(received.map(\.0) == (0..<6).map { [UInt8](repeating: UInt8($0), count: $0 + 1) })
        #expect(received.allSatisfy { $0.1 == source && $0.2 == .v4(0x7F00_0001) })
        #expect(
            held.map { Array($0.readableBytesView) } == (0..<4).map { [UInt8](repeating: UInt8($0), count: $0 + 1) }
        )
    }

    /// A drain reads at most `batchesPerWakeUp` full batches, calling `afterBatch` after each; what is left waits for
    /// the next wake-up.
    @Test func aDrainStopsAfterItsBatchesOrWhenTheSocketIsEmpty() throws {
        let socket = try DatagramSocket.onLoopback()
        defer {
            close(socket.descriptor)
        }
        let address = try socket.boundAddress()
        for index in 0..<10 {
            self.send([UInt8(index)], from: socket, to: address)
        }
        let receiver = DatagramReceiver(capacity: 2, allocator: ByteBufferAllocator())
        var read: [UInt8] = []
        var batches = 0
        receiver.drain(socket, packetInfo: false) { datagram, _, _ in
            read += datagram.readableBytesView
        } afterBatch: {
            batches += 1
        }
        #expect(read == Array(0..<8))
        #expect(batches == DatagramReceiver.batchesPerWakeUp)
        batches = 0
        receiver.drain(socket, packetInfo: false) { datagram, _, _ in
            read += datagram.readableBytesView
        } afterBatch: {
            batches += 1
        }
        #expect(read == Array(0..<10))
        #expect(batches == 2)  // a full batch of the last two, then an empty one
    }

    @Test func aClosedSocketIsNotRead() throws {
        let socket = try DatagramSocket.onLoopback(receiveBufferSize: 1 << 16)
        defer {
            close(socket.descriptor)
        }
        self.send([1], from: socket, to: try socket.boundAddress())
        socket.isOpen = false
        let receiver = DatagramReceiver(capacity: 4, allocator: ByteBufferAllocator())
        #expect(
            receiver.receive(from: socket, packetInfo: false) { _, _, _ in Issue.record("read a closed socket") } == 0
        )
    }

    /// A datagram longer than the maximum (one that fills its slot, or is longer and cut short by the kernel) is
    /// dropped and counted, never handed on cut short; its neighbours, one of them exactly the maximum, arrive whole.
    @Test func oversizedDatagramsAreDroppedAndCounted() throws {
        let socket = try DatagramSocket.onLoopback(receiveBufferSize: 1 << 18)
        defer {
            close(socket.descriptor)
        }
        let address = try socket.boundAddress()
        let sizes = [10, DatagramReceiver.slotSize, DatagramReceiver.maximumDatagramSize, 3000, 20]
        for (index, size) in sizes.enumerated() {
            self.send([UInt8](repeating: UInt8(index), count: size), from: socket, to: address)
        }
        let receiver = DatagramReceiver(capacity: 8, allocator: ByteBufferAllocator())
        var received: [[UInt8]] = []
        let count = receiver.receive(from: socket, packetInfo: false) { datagram, _, _ in
            received.append(Array(datagram.readableBytesView))
        }
        #expect(count == sizes.count)
        #expect(received == [0, 2, 4].map { [UInt8](repeating: UInt8($0), count: sizes[$0]) })
        #expect(receiver.takeOversizedCount() == 2)
        #expect(receiver.takeOversizedCount() == 0)
        #expect(DatagramReceiver.maximumDatagramSize == 2047)
        #expect(!DatagramReceiver.isOversized(ByteBuffer(repeating: 0, count: DatagramReceiver.maximumDatagramSize)))
        #expect(DatagramReceiver.isOversized(ByteBuffer(repeating: 0, count: DatagramReceiver.slotSize)))
    }
}
