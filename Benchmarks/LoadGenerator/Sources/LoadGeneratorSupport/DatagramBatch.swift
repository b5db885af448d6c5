import CMMsg
import Glibc

/// Buffers and `mmsghdr` vector for one `sendmmsg`/`recvmmsg` call, allocated once per socket.
package final class DatagramBatch {
    /// Most datagrams per call.
    package let capacity: Int
    /// Bytes per datagram buffer.
    package let bufferSize: Int
    /// The vector handed to `sendmmsg`/`recvmmsg`.
    package let messages: UnsafeMutablePointer<cmmsg_mmsghdr>
    private let storage: UnsafeMutableRawPointer
    private let vectors: UnsafeMutablePointer<iovec>
    private let addresses: UnsafeMutablePointer<sockaddr_storage>?

    /// Allocates `capacity` buffers of `bufferSize` bytes, each described by one `mmsghdr` with one `iovec` of its
    /// full size. Without `addressed` the datagrams carry no address (for connected sockets); with it each has a
    /// `sockaddr_storage` that `recvmmsg` fills with the sender and `sendmmsg` uses as the destination.
    package init(capacity: Int, bufferSize: Int, addressed: Bool = false) {
        self.capacity = capacity
        self.bufferSize = bufferSize
        self.storage = .allocate(byteCount: capacity * bufferSize, alignment: 16)
        self.storage.initializeMemory(as: UInt8.self, repeating: 0, count: capacity * bufferSize)
        self.vectors = .allocate(capacity: capacity)
        self.messages = .allocate(capacity: capacity)
        if addressed {
            let addresses = UnsafeMutablePointer<sockaddr_storage>.allocate(capacity: capacity)
            addresses.initialize(repeating: sockaddr_storage(), count: capacity)
            self.addresses = addresses
        } else {
            self.addresses = nil
        }
        for index in 0..<capacity {
            (self.vectors + index).initialize(
                to: iovec(iov_base: self.storage + index * bufferSize, iov_len: bufferSize)
            )
            let header = msghdr(
                msg_name: self.addresses.map { UnsafeMutableRawPointer($0 + index) },
                msg_namelen: self.addresses == nil ? 0 : socklen_t(MemoryLayout<sockaddr_storage>.size),
                msg_iov: self.vectors + index,
                msg_iovlen: 1,
                msg_control: nil,
                msg_controllen: 0,
                msg_flags: 0
            )
            (self.messages + index).initialize(to: cmmsg_mmsghdr(msg_hdr: header, msg_len: 0))
        }
    }

    deinit {
        self.addresses?.deallocate()
        self.messages.deallocate()
        self.vectors.deallocate()
        self.storage.deallocate()
    }

    /// The whole buffer of datagram `index`, to fill before sending.
    package func buffer(_ index: Int) -> UnsafeMutableRawBufferPointer {
        UnsafeMutableRawBufferPointer(start: self.storage + index * self.bufferSize, count: self.bufferSize)
    }

    /// The bytes of datagram `index` as the last `recvmmsg` stored them.
    package func received(_ index: Int) -> UnsafeRawBufferPointer {
        UnsafeRawBufferPointer(start: self.storage + index * self.bufferSize, count: Int(self.messages[index].msg_len))
    }

    /// Makes the first `count` datagrams as long as `recvmmsg` found them, so that `sendmmsg` sends them back
    /// as they came (an echo); undo with ``resetForReceive(count:)``.
    package func trimToReceived(count: Int) {
        for index in 0..<count {
            self.vectors[index].iov_len = Int(self.messages[index].msg_len)
        }
    }

    /// Restores full-size buffers and address lengths on the first `count` datagrams before the next `recvmmsg`.
    package func resetForReceive(count: Int) {
        let addressLength = self.addresses == nil ? 0 : socklen_t(MemoryLayout<sockaddr_storage>.size)
        for index in 0..<count {
            self.vectors[index].iov_len = self.bufferSize
            self.messages[index].msg_hdr.msg_namelen = addressLength
        }
    }
}
