import NIOCore
import STUNCodec
import Testing

@testable import TURNServer

#if canImport(Glibc)
import Glibc
#endif

/// The relay's direct sends on loopback: datagrams of an optional 4-byte header and a payload slice, queued and sent
/// in runs (one segmented `sendmsg` per run), to addresses given as `TransportAddress`.
@Suite struct DatagramSocketTests {
    private func pair() throws -> (sender: DatagramSocket, receiver: DatagramSocket, destination: TransportAddress) {
        let sender = try DatagramSocket.onLoopback(receiveBufferSize: 1 << 16)
        let receiver = try DatagramSocket.onLoopback()
        return (sender, receiver, try receiver.boundAddress())
    }

    @Test func sendsHeaderAndPayloadSliceAsOneDatagram() throws {
        let (sender, receiver, destination) = try self.pair()
        defer {
            close(sender.descriptor)
            close(receiver.descriptor)
        }
        var datagram = ByteBuffer(bytes: [9, 9, 1, 2, 3, 4, 5, 9])
        let payload = datagram.getSlice(at: 2, length: 5)!
        datagram.moveReaderIndex(forwardBy: 2)
        // ChannelData 0x4001 carrying 5 bytes (RFC 8656 §12.4): the header in front, no padding over UDP.
        var result = DatagramSocket.FlushResult()
        sender.enqueue(header: 0x4001_0005, payload: payload, to: destination, into: &result)
        #expect(result == DatagramSocket.FlushResult())  // queued, not sent
        sender.flush(into: &result)
        #expect(result == DatagramSocket.FlushResult(sent: 1, payloadBytes: 5, failed: 0, systemCalls: 1))
        #expect(receiver.receiveDatagram() == [0x40, 0x01, 0x00, 0x05, 1, 2, 3, 4, 5])
        sender.enqueue(payload: payload, to: destination, into: &result)
        sender.flush(into: &result)
        #expect(receiver.receiveDatagram() == [1, 2, 3, 4, 5])
    }

    /// Datagrams of one size for one destination leave in one `sendmsg` with `UDP_SEGMENT`; the receiver, which did
    /// not ask for GRO, gets them one by one as sent, the shorter last one included.
    @Test func aRunOfEqualDatagramsLeavesInOneSegmentedSend() throws {
        let (sender, receiver, destination) = try self.pair()
        defer {
            close(sender.descriptor)
            close(receiver.descriptor)
        }
        var result = DatagramSocket.FlushResult()
        for index in 0..<40 {
            let payload = ByteBuffer(bytes: [UInt8](repeating: UInt8(index), count: index == 39 ? 3 : 100))
            let header = UInt32(0x4000 + index) << 16 | UInt32(payload.readableBytes)
            sender.enqueue(
                header: header,
                payload: payload,
                relayedBytes: payload.readableBytes,
                to: destination,
                into: &result
            )
        }
        sender.flush(into: &result)
        #expect(result == DatagramSocket.FlushResult(sent: 40, payloadBytes: 39 * 100 + 3, failed: 0, systemCalls: 1))
        #expect(sender.segmentationOffload)
        for index in 0..<40 {
            let length = index == 39 ? 3 : 100
            let expected = [0x40, UInt8(index), 0, UInt8(length)] + [UInt8](repeating: UInt8(index), count: length)
            #expect(receiver.receiveDatagram() == expected)
        }
    }

    /// A run ends where the destination or the size changes, after a shorter datagram, and at 64 datagrams.
    @Test func runsSplitWhereTheyMust() throws {
        let (sender, receiver, destination) = try self.pair()
        let (other, otherReceiver, otherDestination) = try self.pair()
        defer {
            for socket in [sender, receiver, other, otherReceiver] {
                close(socket.descriptor)
            }
        }
        let sizes = [10, 10, 10, 20, 20, 5, 5] + [Int](repeating: 8, count: 70)
        var result = DatagramSocket.FlushResult()
        for (index, size) in sizes.enumerated() {
            sender.enqueue(
                payload: ByteBuffer(repeating: UInt8(index & 0xFF), count: size),
                to: destination,
                into: &result
            )
        }
        sender.enqueue(payload: ByteBuffer(repeating: 1, count: 8), to: otherDestination, into: &result)
        sender.flush(into: &result)
        // Runs: 10x3 | 20x2 and a shorter 5 to end it | 5 | 8x64 | 8x6 | the other destination.
        #expect(
            result
                == DatagramSocket.FlushResult(
                    sent: sizes.count + 1,
                    payloadBytes: sizes.reduce(8, +),
                    failed: 0,
                    systemCalls: 6
                )
        )
        for (index, size) in sizes.enumerated() {
            #expect(receiver.receiveDatagram() == [UInt8](repeating: UInt8(index & 0xFF), count: size))
        }
        #expect(otherReceiver.receiveDatagram() == [UInt8](repeating: 1, count: 8))
    }

    /// A run the kernel refuses is sent again one datagram at a time. `SO_NO_CHECK` (no UDP checksums) makes Linux
    /// refuse segmentation offload with `EINVAL` (udp_send_skb), which is not a reason to give it up for good.
    @Test func aRefusedRunIsSentOneByOne() throws {
        let (sender, receiver, destination) = try self.pair()
        defer {
            close(sender.descriptor)
            close(receiver.descriptor)
        }
        var noChecksum: CInt = 1
        try #require(
            setsockopt(sender.descriptor, SOL_SOCKET, SO_NO_CHECK, &noChecksum, socklen_t(MemoryLayout<CInt>.size)) == 0
        )
        var result = DatagramSocket.FlushResult()
        for index in 0..<5 {
            sender.enqueue(payload: ByteBuffer(repeating: UInt8(index), count: 50), to: destination, into: &result)
        }
        sender.flush(into: &result)
        #expect(result == DatagramSocket.FlushResult(sent: 5, payloadBytes: 250, failed: 0, systemCalls: 6))
        #expect(sender.segmentationOffload)
        for index in 0..<5 {
            #expect(receiver.receiveDatagram() == [UInt8](repeating: UInt8(index), count: 50))
        }
    }

    @Test func aClosedSocketSendsNothing() throws {
        let sender = try DatagramSocket.onLoopback(receiveBufferSize: 1 << 16)
        defer {
            close(sender.descriptor)
        }
        sender.isOpen = false
        var result = DatagramSocket.FlushResult()
        sender.enqueue(
            payload: ByteBuffer(bytes: [1]),
            to: TransportAddress(ip: .v4(0x7F00_0001), port: 9),
            into: &result
        )
        sender.flush(into: &result)
        #expect(result == DatagramSocket.FlushResult(sent: 0, payloadBytes: 0, failed: 1, systemCalls: 0))
    }

    @Test func bindingATakenPortFailsWithEADDRINUSE() throws {
        let first = try DatagramSocket.onLoopback(receiveBufferSize: 1 << 16)
        defer {
            close(first.descriptor)
        }
        let taken = try first.boundAddress()
        #expect {
            _ = try DatagramSocket.make(boundTo: taken, receiveBufferSize: 1 << 16, reusePort: false)
        } throws: { error in
            (error as? IOError)?.errnoCode == EADDRINUSE
        }
    }
}
