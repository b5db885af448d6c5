import NIOCore
import NIOEmbedded
import STUNCodec
import Testing

@testable import TURNServer

#if canImport(Glibc)
import Glibc
#endif

/// A listener's batched responses: the `sendmmsg` message headers it builds, real sends on loopback (refused
/// responses dropped and counted, the rest sent), and with a scripted `sendmmsg` the partial sends and the full send
/// buffer whose responses go to the listener's channel.
@Suite struct ResponseBatchTests {
    private static let loopback = TransportAddress(ip: .v4(0x7F00_0001), port: 40000)
    private static let loopback6 = TransportAddress(ip: .v6(0, 1), port: 40001)

    @Test func buildsOneMessagePerResponseWithItsBytesAndDestination() throws {
        let batch = ResponseBatch(socket: .unopened())
        let first = ByteBuffer(bytes: [1, 2, 3])
        var second = ByteBuffer(bytes: [9, 9, 4, 5])
        second.moveReaderIndex(forwardBy: 2)
        batch.enqueue(first, to: Self.loopback)
        batch.enqueue(second, to: Self.loopback6)
        #expect(batch.prepareMessages(from: 0) == 2)

        let v4 = batch.messages[0].header
        #expect(v4.msg_namelen == socklen_t(MemoryLayout<sockaddr_in>.size))
        let address = try #require(v4.msg_name).load(as: sockaddr_in.self)
        #expect(address.sin_family == sa_family_t(AF_INET))
        #expect(UInt16(bigEndian: address.sin_port) == 40000)
        #expect(UInt32(bigEndian: address.sin_addr.s_addr) == 0x7F00_0001)
        #expect(v4.msg_iovlen == 1)
        #expect(v4.msg_control == nil)
        let v4Bytes = try #require(v4.msg_iov).pointee
        #expect(Array(UnsafeRawBufferPointer(start: v4Bytes.iov_base, count: v4Bytes.iov_len)) == [1, 2, 3])

        let v6 = batch.messages[1].header
        #expect(v6.msg_namelen == socklen_t(MemoryLayout<sockaddr_in6>.size))
        let address6 = try #require(v6.msg_name).load(as: sockaddr_in6.self)
        #expect(address6.sin6_family == sa_family_t(AF_INET6))
        #expect(UInt16(bigEndian: address6.sin6_port) == 40001)
        let decoded = TransportAddress(sockaddr: UnsafeRawBufferPointer(start: v6.msg_name, count: Int(v6.msg_namelen)))
        #expect(decoded == Self.loopback6)
        let v6Bytes = try #require(v6.msg_iov).pointee
        // Only the readable bytes, read where they are.
        #expect(Array(UnsafeRawBufferPointer(start: v6Bytes.iov_base, count: v6Bytes.iov_len)) == [4, 5])
    }

    @Test func aCallTakesAtMostItsShareOfTheQueue() {
        let batch = ResponseBatch(socket: .unopened())
        for index in 0..<(ResponseBatch.messagesPerCall + 6) {
            batch.enqueue(ByteBuffer(bytes: [UInt8(truncatingIfNeeded: index)]), to: Self.loopback)
        }
        #expect(batch.prepareMessages(from: 0) == ResponseBatch.messagesPerCall)
        #expect(batch.prepareMessages(from: ResponseBatch.messagesPerCall) == 6)
        let last = batch.messages[5].header.msg_iov!.pointee
        #expect(last.iov_base!.load(as: UInt8.self) == UInt8(truncatingIfNeeded: ResponseBatch.messagesPerCall + 5))
    }

    /// 100 responses for two clients: two `sendmmsg` calls, every response received in order by its client.
    @Test func sendsTheQueueInCallsOfAtMostSixtyFour() throws {
        let listener = try DatagramSocket.onLoopback(receiveBufferSize: 1 << 16)
        let clients = [try DatagramSocket.onLoopback(), try DatagramSocket.onLoopback()]
        defer {
            close(listener.descriptor)
            for client in clients { close(client.descriptor) }
        }
        let destinations = try clients.map { try $0.boundAddress() }
        let batch = ResponseBatch(socket: listener)
        for index in 0..<100 {
            batch.enqueue(ByteBuffer(bytes: [UInt8(index), 0xAB]), to: destinations[index % 2])
        }
        #expect(batch.flush() == ResponseBatch.FlushResult(sent: 100, failed: 0, deferred: 0, systemCalls: 2))
        #expect(batch.count == 0)
        for index in 0..<100 {
            #expect(clients[index % 2].receiveDatagram() == [UInt8(index), 0xAB])
        }
        #expect(batch.takeFailedCount() == 0)
    }

    /// On an IPv4 socket an IPv6 destination is refused (EAFNOSUPPORT) and a response over the largest UDP payload
    /// too (EMSGSIZE): each is dropped and counted, and the responses around them still go.
    @Test func aRefusedResponseIsDroppedAndTheOthersStillGo() throws {
        let listener = try DatagramSocket.onLoopback(receiveBufferSize: 1 << 16)
        let client = try DatagramSocket.onLoopback()
        defer {
            close(listener.descriptor)
            close(client.descriptor)
        }
        let destination = try client.boundAddress()
        let batch = ResponseBatch(socket: listener)
        batch.enqueue(ByteBuffer(bytes: [1]), to: destination)
        batch.enqueue(ByteBuffer(bytes: [2]), to: TransportAddress(ip: .v6(0, 1), port: destination.port))
        batch.enqueue(ByteBuffer(repeating: 3, count: 70_000), to: destination)
        batch.enqueue(ByteBuffer(bytes: [4]), to: destination)
        // The first call stops at the IPv6 one, the next two report each refusal, the last sends the rest.
        #expect(batch.flush() == ResponseBatch.FlushResult(sent: 2, failed: 2, deferred: 0, systemCalls: 4))
        #expect(client.receiveDatagram() == [1])
        #expect(client.receiveDatagram() == [4])
        #expect(batch.takeFailedCount() == 2)
        #expect(batch.takeFailedCount() == 0)
    }

    @Test func responsesForAClosedSocketAreDroppedAndCounted() {
        var calls = 0
        let batch = ResponseBatch(socket: .unopened()) { _, _, count in
            calls += 1
            return (count, 0)
        }
        batch.enqueue(ByteBuffer(bytes: [1]), to: Self.loopback)
        batch.enqueue(ByteBuffer(bytes: [2]), to: Self.loopback)
        #expect(batch.flush() == ResponseBatch.FlushResult(sent: 0, failed: 2, deferred: 0, systemCalls: 0))
        #expect(calls == 0)
        #expect(batch.takeFailedCount() == 2)
        #expect(batch.flush() == ResponseBatch.FlushResult())
    }

    /// The socket takes two, then its send buffer is full: the other three go to the listener's channel, in order,
    /// which writes them once the socket drains. The next batch is sent with `sendmmsg` again once the channel holds
    /// nothing.
    @Test func aFullSendBufferHandsTheRestToTheListenerChannel() throws {
        let socket = try DatagramSocket.onLoopback(receiveBufferSize: 1 << 16)
        defer {
            close(socket.descriptor)
        }
        var script: [(Int, CInt)] = [(2, 0), (-1, EAGAIN), (1, 0)]
        var counts: [Int] = []
        let batch = ResponseBatch(socket: socket) { _, _, count in
            counts.append(count)
            return script.removeFirst()
        }
        let channel = EmbeddedChannel()
        try channel.connect(to: SocketAddress(ipAddress: "127.0.0.1", port: 3478)).wait()
        batch.listener = channel
        for index in 0..<5 {
            let client = TransportAddress(ip: .v4(0x7F00_0001), port: 40000 + UInt16(index))
            batch.enqueue(ByteBuffer(bytes: [UInt8(index)]), to: client)
        }
        #expect(batch.flush() == ResponseBatch.FlushResult(sent: 2, failed: 0, deferred: 3, systemCalls: 2))
        #expect(counts == [5, 3])
        for index in 2..<5 {
            let envelope = try #require(try channel.readOutbound(as: AddressedEnvelope<ByteBuffer>.self))
            #expect(envelope.data == ByteBuffer(bytes: [UInt8(index)]))
            let client = try SocketAddress(ipAddress: "127.0.0.1", port: 40000 + index)
            #expect(envelope.remoteAddress == client)
        }
        #expect(try channel.readOutbound(as: AddressedEnvelope<ByteBuffer>.self) == nil)
        #expect(batch.takeFailedCount() == 0)

        batch.enqueue(ByteBuffer(bytes: [5]), to: Self.loopback)
        #expect(batch.flush() == ResponseBatch.FlushResult(sent: 1, failed: 0, deferred: 0, systemCalls: 1))
        #expect(counts == [5, 3, 1])
        _ = try channel.finish()
    }

    /// With no active channel to keep them, the responses a full socket does not take are dropped and counted.
    @Test func aFullSendBufferWithoutAListenerDropsTheRest() throws {
        let socket = try DatagramSocket.onLoopback(receiveBufferSize: 1 << 16)
        defer {
            close(socket.descriptor)
        }
        let batch = ResponseBatch(socket: socket) { _, _, _ in (-1, EAGAIN) }
        batch.enqueue(ByteBuffer(bytes: [1]), to: Self.loopback)
        batch.enqueue(ByteBuffer(bytes: [2]), to: Self.loopback)
        #expect(batch.flush() == ResponseBatch.FlushResult(sent: 0, failed: 2, deferred: 0, systemCalls: 1))
        #expect(batch.takeFailedCount() == 2)
    }

    /// Inside a read batch a response waits for the batch's end; outside one (an Allocate answered once its relay
    /// sockets are bound) it leaves at once.
    @Test func aResponseOutsideAReadBatchLeavesAtOnce() throws {
        let socket = try DatagramSocket.onLoopback(receiveBufferSize: 1 << 16)
        defer {
            close(socket.descriptor)
        }
        var calls = 0
        let batch = ResponseBatch(socket: socket) { _, _, count in
            calls += 1
            return (count, 0)
        }
        batch.isReading = true
        batch.enqueue(ByteBuffer(bytes: [1]), to: Self.loopback)
        batch.flushUnlessReading()
        #expect(calls == 0)
        #expect(batch.count == 1)
        batch.isReading = false
        batch.flushUnlessReading()
        #expect(calls == 1)
        #expect(batch.count == 0)
    }
}
