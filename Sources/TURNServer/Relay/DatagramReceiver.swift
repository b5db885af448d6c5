import CGlibcExtras
import NIOCore
import NIOPosix
import STUNCodec

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// Reads datagrams from a ``DatagramSocket`` with `recvmmsg`, a batch per call, without NIO's per-datagram
/// `SocketAddress` (with its address text), envelope and pipeline pass: the relay's hot receive path.
///
/// NIO still watches the socket and reads the first datagram of each wake-up (its channels are set to one message
/// per read); the socket's handler then drains the rest with this receiver in `channelReadComplete`. NIO's
/// readiness is level-triggered, so datagrams left behind after the last batch wake the loop again.
///
/// One receiver serves the sockets of one event loop: its message headers, addresses and buffer are reused from
/// batch to batch. Each datagram is handed over as a slice of one receive buffer; a slice that is still held
/// (queued for sending) when the next batch starts makes the receiver take a new buffer, never overwrite it.
final class DatagramReceiver {
    /// Datagrams per `recvmmsg`.
    let capacity: Int
    /// Bytes per datagram slot, the size of NIO's buffer for a wake-up's first datagram too (a power of two: NIO
    /// rounds buffer sizes up to one).
    static let slotSize = 2048
    /// The longest datagram Switchboard takes on its UDP sockets (client listeners and relay sockets), above a WebRTC
    /// packet on any usual path MTU. The kernel cuts short what does not fit a buffer, and NIO does not report it
    /// (`MSG_TRUNC`), so a datagram that fills its buffer may have been longer: it is dropped, counted in
    /// ``takeOversizedCount()`` or by ``isOversized(_:)``, never handed on cut short.
    static let maximumDatagramSize = slotSize - 1
    /// Room for one `IP_PKTINFO` or `IPV6_PKTINFO` control message per slot.
    private static let controlSize = 64

    private let messages: UnsafeMutablePointer<MultipleMessageHeader>
    private let vectors: UnsafeMutablePointer<iovec>
    private let addresses: UnsafeMutablePointer<sockaddr_storage>
    private let controls: UnsafeMutableRawPointer
    private var buffer: ByteBuffer
    private let allocator: ByteBufferAllocator
    /// Datagrams longer than ``maximumDatagramSize`` dropped since the last ``takeOversizedCount()``.
    private var oversizedCount = 0

    init(capacity: Int, allocator: ByteBufferAllocator) {
        precondition(MemoryLayout<MultipleMessageHeader>.stride == switchboard_mmsghdr_size())
        self.capacity = capacity
        self.allocator = allocator
        self.messages = .allocate(capacity: capacity)
        self.vectors = .allocate(capacity: capacity)
        self.addresses = .allocate(capacity: capacity)
        self.controls = .allocate(byteCount: capacity * Self.controlSize, alignment: 8)
        self.buffer = allocator.buffer(capacity: capacity * Self.slotSize)
    }

    deinit {
        self.messages.deallocate()
        self.vectors.deallocate()
        self.addresses.deallocate()
        self.controls.deallocate()
    }

    /// `recvmmsg` batches per socket and wake-up before the loop serves its other sockets (the rest stays queued
    /// and wakes the loop again).
    static let batchesPerWakeUp = 4

    /// Reads what NIO left on `socket` after its read of a wake-up's first datagram: up to ``batchesPerWakeUp``
    /// batches, `body` for each datagram and `afterBatch` after each batch (to send what it queued). A batch short
    /// of ``capacity`` means the socket is drained.
    func drain(
        _ socket: DatagramSocket,
        packetInfo: Bool,
        _ body: (_ datagram: ByteBuffer, _ source: TransportAddress, _ destination: TransportAddress.IP?) -> Void,
        afterBatch: () -> Void
    ) {
        for _ in 0..<Self.batchesPerWakeUp {
            let count = self.receive(from: socket, packetInfo: packetInfo, body)
            afterBatch()
            guard count == self.capacity else {
                break
            }
        }
    }

    /// One `recvmmsg` on `socket`: hands each datagram read to `body` with its source address and, when
    /// `packetInfo` is set (the socket has `IP_PKTINFO` / `IPV6_RECVPKTINFO` on), the IP it was sent to. Returns
    /// the number of datagrams read: fewer than ``capacity`` means the socket is drained (or failed: a receive
    /// error on a UDP socket, such as an ICMP report for an earlier send, concerns one peer and is not kept).
    func receive(
        from socket: DatagramSocket,
        packetInfo: Bool,
        _ body: (_ datagram: ByteBuffer, _ source: TransportAddress, _ destination: TransportAddress.IP?) -> Void
    ) -> Int {
        guard socket.isOpen else {
            return 0
        }
        let bytes = self.capacity * Self.slotSize
        if self.buffer.modifyIfUniquelyOwned({ $0.clear() }) == nil {
            self.buffer = self.allocator.buffer(capacity: bytes)
        }
        let received = self.buffer.withUnsafeMutableWritableBytes { raw -> Int in
            for slot in 0..<self.capacity {
                self.vectors[slot] = iovec(iov_base: raw.baseAddress! + slot * Self.slotSize, iov_len: Self.slotSize)
                var header = msghdr()
                header.msg_name = UnsafeMutableRawPointer(self.addresses + slot)
                header.msg_namelen = socklen_t(MemoryLayout<sockaddr_storage>.size)
                header.msg_iov = self.vectors + slot
                header.msg_iovlen = 1
                if packetInfo {
                    header.msg_control = self.controls + slot * Self.controlSize
                    header.msg_controllen = Self.controlSize
                }
                self.messages[slot] = MultipleMessageHeader(header: header, length: 0)
            }
            return Int(
                switchboard_recvmmsg(socket.descriptor, self.messages, UInt32(self.capacity), CInt(MSG_DONTWAIT))
            )
        }
        guard received > 0 else {
            return 0
        }
        self.buffer.moveWriterIndex(to: bytes)
        for slot in 0..<received {
            let header = self.messages[slot].header
            guard
                let source = TransportAddress(
                    sockaddr: UnsafeRawBufferPointer(start: self.addresses + slot, count: Int(header.msg_namelen))
                ),
                let datagram = self.buffer.getSlice(
                    at: slot * Self.slotSize,
                    length: Int(self.messages[slot].length)
                )
            else {
                continue
            }
            // A datagram the kernel cut short (MSG_TRUNC) fills its slot, so this one rule covers it.
            guard !Self.isOversized(datagram) else {
                self.oversizedCount += 1
                continue
            }
            let destination = packetInfo ? Self.destinationIP(header) : nil
            body(datagram, source, destination)
        }
        return received
    }

    /// The number of datagrams longer than ``maximumDatagramSize`` dropped since the last call; the caller counts
    /// them.
    func takeOversizedCount() -> Int {
        defer {
            self.oversizedCount = 0
        }
        return self.oversizedCount
    }

    /// Whether a datagram is longer than ``maximumDatagramSize``, i.e. fills its buffer (a receiver slot, or NIO's
    /// with ``DatagramBootstrap/readingOneDatagramPerWakeUp()``) and may have been cut short: the one rule for both
    /// read paths.
    static func isOversized(_ datagram: ByteBuffer) -> Bool {
        datagram.readableBytes > Self.maximumDatagramSize
    }

    /// The destination address in an `IP_PKTINFO` (`in_pktinfo.ipi_addr`, at offset 8) or `IPV6_PKTINFO`
    /// (`in6_pktinfo.ipi6_addr`, at offset 0) control message; ip(7), ipv6(7).
    private static func destinationIP(_ header: msghdr) -> TransportAddress.IP? {
        guard let control = header.msg_control else {
            return nil
        }
        let headerSize = MemoryLayout<cmsghdr>.size
        var offset = 0
        while offset + headerSize <= header.msg_controllen {
            let message = control.load(fromByteOffset: offset, as: cmsghdr.self)
            guard message.cmsg_len >= headerSize, offset + message.cmsg_len <= header.msg_controllen else {
                return nil
            }
            let data = control + offset + headerSize
            if message.cmsg_level == CInt(IPPROTO_IP) && message.cmsg_type == CInt(IP_PKTINFO)
                && message.cmsg_len >= headerSize + 12
            {
                return .v4(UInt32(bigEndian: data.loadUnaligned(fromByteOffset: 8, as: UInt32.self)))
            }
            if message.cmsg_level == CInt(IPPROTO_IPV6) && message.cmsg_type == CInt(IPV6_PKTINFO)
                && message.cmsg_len >= headerSize + 20
            {
                return .v6(
                    UInt64(bigEndian: data.loadUnaligned(as: UInt64.self)),
                    UInt64(bigEndian: data.loadUnaligned(fromByteOffset: 8, as: UInt64.self))
                )
            }
            offset += (message.cmsg_len + 7) & ~7
        }
        return nil
    }
}

@available(*, unavailable)
extension DatagramReceiver: Sendable {}

extension DatagramBootstrap {
    /// NIO reads one datagram per wake-up, into a buffer of ``DatagramReceiver/slotSize`` (see
    /// ``DatagramReceiver/isOversized(_:)``); the socket's handler reads the rest with a ``DatagramReceiver``.
    func readingOneDatagramPerWakeUp() -> DatagramBootstrap {
        self.channelOption(.maxMessagesPerRead, value: 1)
            .channelOption(.recvAllocator, value: FixedSizeRecvByteBufferAllocator(capacity: DatagramReceiver.slotSize))
    }
}

/// `struct mmsghdr` (recvmmsg(2)): one message header and the length the kernel received into it.
struct MultipleMessageHeader {
    var header: msghdr
    var length: CUnsignedInt
}
