import CMMsg
import Glibc

/// Buffers and `mmsghdr` vector for one `sendmmsg`/`recvmmsg` call, allocated once per socket.
final class DatagramBatch {
    /// Most datagrams per call.
    let capacity: Int
    /// Bytes per datagram buffer.
    let bufferSize: Int
    /// The vector handed to `sendmmsg`/`recvmmsg`.
    let messages: UnsafeMutablePointer<cmmsg_mmsghdr>
    private let storage: UnsafeMutableRawPointer
    private let vectors: UnsafeMutablePointer<iovec>

    /// Allocates `capacity` buffers of `bufferSize` bytes, each described by one `mmsghdr` with one `iovec` of its
    /// full size and no address (the sockets are connected).
    init(capacity: Int, bufferSize: Int) {
        self.capacity = capacity
        self.bufferSize = bufferSize
        self.storage = .allocate(byteCount: capacity * bufferSize, alignment: 16)
        self.storage.initializeMemory(as: UInt8.self, repeating: 0, count: capacity * bufferSize)
        self.vectors = .allocate(capacity: capacity)
        self.messages = .allocate(capacity: capacity)
        for index in 0..<capacity {
            (self.vectors + index).initialize(
                to: iovec(iov_base: self.storage + index * bufferSize, iov_len: bufferSize)
            )
            let header = msghdr(
                msg_name: nil,
                msg_namelen: 0,
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
        self.messages.deallocate()
        self.vectors.deallocate()
        self.storage.deallocate()
    }

    /// The whole buffer of datagram `index`, to fill before sending.
    func buffer(_ index: Int) -> UnsafeMutableRawBufferPointer {
        UnsafeMutableRawBufferPointer(start: self.storage + index * self.bufferSize, count: self.bufferSize)
    }

    /// The bytes of datagram `index` as the last `recvmmsg` stored them.
    func received(_ index: Int) -> UnsafeRawBufferPointer {
        UnsafeRawBufferPointer(start: self.storage + index * self.bufferSize, count: Int(self.messages[index].msg_len))
    }
}
