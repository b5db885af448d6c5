import NIOCore
import NIOPosix
import STUNCodec

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// A UDP socket this process opens and binds itself before NIO takes it over (`DatagramBootstrap.withBoundSocket`):
/// a client-facing listener or an allocation's relay socket. NIO reads it (vector reads, the channel pipeline); the
/// relay sends on it directly, and so does a listener's ``ResponseBatch``. Relayed datagrams are queued
/// (``enqueue(header:payload:to:)``) during a read batch and leave at its end (``flush()``): a run of datagrams of
/// one size for one destination goes out in one `sendmsg` with UDP generic segmentation offload (`UDP_SEGMENT`,
/// udp(7)), every header and payload in its own iovec, so the kernel routes and builds the run once instead of once
/// per datagram, and no payload is copied in user space. A run of one is a plain `sendmsg`.
///
/// Confined to the event loop of its channel, like everything of the relay (`@unchecked Sendable` only so that the
/// channel initializer can hand it to the socket's handler). ``isOpen`` is cleared when the channel
/// goes inactive, on that loop, before any later event there: a closed descriptor's number may be reused by another
/// socket at once, so nothing may be sent on it afterwards.
///
/// Public (with ``make(boundTo:receiveBufferSize:reusePort:)``, ``enqueue(header:payload:relayedBytes:to:into:)``,
/// ``flush(into:)`` and ``FlushResult``) only for the allocation benchmarks of Benchmarks/HotPaths, through the
/// `TURNServer` product; nothing else outside this module uses it.
public final class DatagramSocket: @unchecked Sendable {
    public let descriptor: CInt
    /// Whether the channel still owns the descriptor.
    var isOpen = true
    /// Whether runs are sent with `UDP_SEGMENT`. Cleared for good when the kernel cannot do it (`EIO`: the route's
    /// device cannot checksum the segments; `ENOPROTOOPT`, `EOPNOTSUPP`: no such option); a run refused for
    /// another reason (`EINVAL`: a segment larger than the path MTU, say) is sent again one datagram at a time.
    private(set) var segmentationOffload = true
    /// The run being queued.
    private var run = DatagramRun()
    /// The iovecs and ChannelData headers of one `sendmsg`, allocated once.
    private let vectors = UnsafeMutablePointer<iovec>.allocate(capacity: 2 * DatagramRun.maximumSegments)
    private let headers = UnsafeMutablePointer<UInt32>.allocate(capacity: DatagramRun.maximumSegments)

    private init(descriptor: CInt) {
        self.descriptor = descriptor
    }

    /// A socket that was never opened (no descriptor, ``isOpen`` false): what a relay socket factory that opens no
    /// sockets hands out, so that the control plane is tested without any. Whatever is queued on it is dropped.
    static func unopened() -> DatagramSocket {
        let socket = DatagramSocket(descriptor: -1)
        socket.isOpen = false
        return socket
    }

    deinit {
        self.vectors.deallocate()
        self.headers.deallocate()
    }

    /// Opens a non-blocking UDP socket for `address`'s family, applies the options and binds it.
    ///
    /// - Parameters:
    ///   - address: the local address and port.
    ///   - receiveBufferSize: `SO_RCVBUF`.
    ///   - reusePort: `SO_REUSEADDR` and `SO_REUSEPORT`, for one socket per event loop on the same port.
    public static func make(
        boundTo address: TransportAddress,
        receiveBufferSize: Int,
        reusePort: Bool
    ) throws -> DatagramSocket {
        let family: CInt
        if case .v6 = address.ip {
            family = AF_INET6
        } else {
            family = AF_INET
        }
        let descriptor = socket(family, Int32(SOCK_DGRAM.rawValue) | Int32(SOCK_NONBLOCK.rawValue), 0)
        guard descriptor >= 0 else {
            throw IOError(errnoCode: errno, reason: "socket")
        }
        do {
            try Self.setOption(descriptor, SOL_SOCKET, SO_RCVBUF, CInt(receiveBufferSize))
            if reusePort {
                try Self.setOption(descriptor, SOL_SOCKET, SO_REUSEADDR, 1)
                try Self.setOption(descriptor, SOL_SOCKET, SO_REUSEPORT, 1)
            }
            if family == AF_INET6 {
                try Self.setOption(descriptor, CInt(IPPROTO_IPV6), IPV6_V6ONLY, 1)
            }
            let result = address.withSockaddr { pointer, length in
                bind(descriptor, pointer.assumingMemoryBound(to: sockaddr.self), length)
            }
            guard result == 0 else {
                throw IOError(errnoCode: errno, reason: "bind")
            }
        } catch {
            close(descriptor)
            throw error
        }
        return DatagramSocket(descriptor: descriptor)
    }

    private static func setOption(_ descriptor: CInt, _ level: CInt, _ name: CInt, _ value: CInt) throws {
        var value = value
        guard setsockopt(descriptor, level, name, &value, socklen_t(MemoryLayout<CInt>.size)) == 0 else {
            throw IOError(errnoCode: errno, reason: "setsockopt")
        }
    }

    /// What a ``flush(into:)`` did.
    public struct FlushResult: Equatable {
        /// Datagrams the kernel took, and the relayed bytes they carry (ChannelData headers and Data indication
        /// framing not counted).
        public var sent = 0
        public var payloadBytes = 0
        /// Datagrams dropped: the socket is closed, its send buffer is full or the destination is unreachable
        /// (UDP: they are lost, as on the wire).
        public var failed = 0
        /// Packets for a TCP client dropped because its connection is not taking what was written.
        public var clientSlow = 0
        /// `sendmsg` calls made.
        public var systemCalls = 0

        public init(sent: Int = 0, payloadBytes: Int = 0, failed: Int = 0, clientSlow: Int = 0, systemCalls: Int = 0) {
            self.sent = sent
            self.payloadBytes = payloadBytes
            self.failed = failed
            self.clientSlow = clientSlow
            self.systemCalls = systemCalls
        }
    }

    /// Queues one datagram for `destination`: the 4-byte `header` (a ChannelData header, RFC 8656 §12.4) when
    /// given, then `payload`, which is kept (not copied) until it is sent. `relayedBytes` is what the byte counters
    /// count for it (default: the payload's size). Sends the queued run first when this datagram cannot join it;
    /// its result is added to `result`.
    public func enqueue(
        header: UInt32? = nil,
        payload: ByteBuffer,
        relayedBytes: Int? = nil,
        to destination: TransportAddress,
        into result: inout FlushResult
    ) {
        if !self.run.canAppend(size: (header == nil ? 0 : 4) + payload.readableBytes, destination: destination) {
            self.flush(into: &result)
        }
        self.run.append(
            header: header,
            payload: payload,
            relayedBytes: relayedBytes ?? payload.readableBytes,
            destination: destination
        )
    }

    /// Sends the queued run.
    public func flush(into result: inout FlushResult) {
        guard let destination = self.run.destination else {
            return
        }
        defer {
            self.run.removeAll()
        }
        guard self.isOpen else {
            result.failed += self.run.count
            return
        }
        if self.run.count > 1 && self.segmentationOffload {
            result.systemCalls += 1
            if self.send(self.run.indices, segmentSize: self.run.segmentSize, to: destination) {
                result.sent += self.run.count
                result.payloadBytes += self.run.totalRelayedBytes
                return
            }
            switch errno {
            case EAGAIN, ENOBUFS:
                // The send buffer is full: one at a time would fail the same way.
                result.failed += self.run.count
                return
            case EIO, ENOPROTOOPT, EOPNOTSUPP:
                // No checksum offload on the route's device, or a kernel without UDP_SEGMENT (before 4.18).
                self.segmentationOffload = false
            default:
                break
            }
        }
        for index in self.run.indices {
            result.systemCalls += 1
            if self.send(index..<(index + 1), segmentSize: nil, to: destination) {
                result.sent += 1
                result.payloadBytes += self.run.relayedBytes[index]
            } else {
                result.failed += 1
            }
        }
    }

    /// One `sendmsg` of the queued datagrams in `range`; with a `segmentSize`, as one GSO message the kernel cuts
    /// into datagrams of that size (the last may be shorter).
    private func send(_ range: Range<Int>, segmentSize: Int?, to destination: TransportAddress) -> Bool {
        var count = 0
        for index in range {
            if let header = self.run.headers[index] {
                self.headers[index] = header.bigEndian
                self.vectors[count] = iovec(iov_base: self.headers + index, iov_len: 4)
                count += 1
            }
            // The run holds the buffer, so its storage stays where it is until the run is cleared after the send.
            self.run.payloads[index].withUnsafeReadableBytes { bytes in
                self.vectors[count] = iovec(
                    iov_base: UnsafeMutableRawPointer(mutating: bytes.baseAddress),
                    iov_len: bytes.count
                )
            }
            count += 1
        }
        return destination.withSockaddr { address, length in
            var message = msghdr()
            message.msg_name = UnsafeMutableRawPointer(mutating: address)
            message.msg_namelen = length
            message.msg_iov = self.vectors
            message.msg_iovlen = count
            guard let segmentSize else {
                return sendmsg(self.descriptor, &message, CInt(MSG_DONTWAIT)) >= 0
            }
            var control = SegmentSizeControlMessage(segmentSize: UInt16(segmentSize))
            return withUnsafeMutableBytes(of: &control) { controlBytes in
                message.msg_control = controlBytes.baseAddress
                message.msg_controllen = controlBytes.count
                return sendmsg(self.descriptor, &message, CInt(MSG_DONTWAIT)) >= 0
            }
        }
    }
}

/// The `UDP_SEGMENT` control message (udp(7)): `cmsghdr` then the segment size as a `UInt16`, padded to
/// `CMSG_SPACE(2)`.
private struct SegmentSizeControlMessage {
    /// `SOL_UDP` and `UDP_SEGMENT` from `<netinet/udp.h>` (Linux 4.18 and later).
    private static let level: CInt = 17
    private static let type: CInt = 103

    var header: cmsghdr
    var segmentSize: UInt16
    var padding: (UInt16, UInt16, UInt16) = (0, 0, 0)

    init(segmentSize: UInt16) {
        self.header = cmsghdr()
        self.header.cmsg_len = MemoryLayout<cmsghdr>.size + MemoryLayout<UInt16>.size
        self.header.cmsg_level = Self.level
        self.header.cmsg_type = Self.type
        self.segmentSize = segmentSize
    }
}
