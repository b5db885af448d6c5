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

/// A UDP listener socket this process opens and binds itself before NIO takes it over
/// (`DatagramBootstrap.withBoundSocket`): NIO reads it (vector reads, the channel pipeline) and the relay also sends
/// peers' data to clients on it directly, one `sendmsg` per datagram from the payload slice as received, with no
/// envelope, socket-address object or pending-write entry per datagram and, for ChannelData, the 4-byte header in its
/// own iovec instead of a copy of the payload behind it. (Client-to-peer data stays on NIO's relay channels, whose
/// flush per read batch sends an allocation's datagrams in one `sendmmsg`.)
///
/// Confined to the event loop of its channel, like everything of the relay (`@unchecked Sendable` only so that the
/// channel initializer can hand it to the listener's handler). ``isOpen`` is cleared when the channel
/// goes inactive, on that loop, before any later event there: a closed descriptor's number may be reused by another
/// socket at once, so nothing may be sent on it afterwards.
final class DatagramSocket: @unchecked Sendable {
    let descriptor: CInt
    /// Whether the channel still owns the descriptor.
    var isOpen = true

    private init(descriptor: CInt) {
        self.descriptor = descriptor
    }

    /// Opens a non-blocking UDP socket for `address`'s family, applies the options and binds it.
    ///
    /// - Parameters:
    ///   - address: the local address and port.
    ///   - receiveBufferSize: `SO_RCVBUF`.
    ///   - reusePort: `SO_REUSEADDR` and `SO_REUSEPORT`, for one socket per event loop on the same port.
    static func make(
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

    /// Sends one datagram to `destination`: the 4-byte `header` (a ChannelData header, RFC 8656 §12.4) when given,
    /// then `payload`. Returns `false` when the kernel did not take it (a full send buffer, an unreachable
    /// destination) or the socket is closed: UDP, so the datagram is dropped.
    func send(header: UInt32? = nil, payload: ByteBuffer, to destination: TransportAddress) -> Bool {
        guard self.isOpen else {
            return false
        }
        var headerBytes = header?.bigEndian ?? 0
        return withUnsafeMutableBytes(of: &headerBytes) { headerRaw in
            payload.withUnsafeReadableBytes { payloadRaw in
                destination.withSockaddr { address, length in
                    var vectors = (
                        iovec(iov_base: headerRaw.baseAddress, iov_len: header == nil ? 0 : 4),
                        iovec(
                            iov_base: UnsafeMutableRawPointer(mutating: payloadRaw.baseAddress),
                            iov_len: payloadRaw.count
                        )
                    )
                    return withUnsafeMutableBytes(of: &vectors) { vectorsRaw in
                        var message = msghdr()
                        message.msg_name = UnsafeMutableRawPointer(mutating: address)
                        message.msg_namelen = length
                        message.msg_iov = vectorsRaw.baseAddress?.assumingMemoryBound(to: iovec.self)
                        message.msg_iovlen = 2
                        return sendmsg(self.descriptor, &message, CInt(MSG_DONTWAIT)) >= 0
                    }
                }
            }
        }
    }
}
