import CMMsg
import Glibc

/// A non-blocking UDP socket connected to the server, so that the kernel drops datagrams from anyone else.
struct UDPSocket: ~Copyable {
    /// Why a socket call failed.
    struct Failure: Error {
        var call: String
        var code: Int32

        var description: String {
            "\(self.call): \(String(cString: strerror(self.code)))"
        }
    }

    /// The file descriptor.
    let fd: Int32

    /// Opens a socket of `server`'s family and connects it to `server`.
    init(connectingTo server: ServerAddress) throws(Failure) {
        let fd = socket(server.family, Int32(SOCK_DGRAM.rawValue | SOCK_NONBLOCK.rawValue | SOCK_CLOEXEC.rawValue), 0)
        guard fd >= 0 else {
            throw Failure(call: "socket", code: errno)
        }
        // Room for a full window of responses even when this thread is briefly descheduled.
        var bufferSize: Int32 = 4 << 20
        for option in [SO_RCVBUF, SO_SNDBUF] {
            _ = setsockopt(fd, SOL_SOCKET, option, &bufferSize, socklen_t(MemoryLayout<Int32>.size))
        }
        var storage = server.storage
        let status = withUnsafePointer(to: &storage) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, server.length) }
        }
        guard status == 0 else {
            let code = errno
            close(fd)
            throw Failure(call: "connect", code: code)
        }
        self.fd = fd
    }

    deinit {
        close(self.fd)
    }

    /// Sends the first `count` datagrams of `batch`; returns how many went out, 0 when the socket buffer is full.
    func send(_ batch: DatagramBatch, count: Int) throws(Failure) -> Int {
        while true {
            let sent = cmmsg_sendmmsg(self.fd, batch.messages, UInt32(count), 0)
            if sent >= 0 {
                return Int(sent)
            }
            switch errno {
            case EINTR:
                continue
            case EAGAIN, EWOULDBLOCK, ENOBUFS:
                return 0
            case let code:
                throw Failure(call: "sendmmsg", code: code)
            }
        }
    }

    /// Receives up to `batch.capacity` datagrams without blocking; returns how many arrived.
    func receive(into batch: DatagramBatch) throws(Failure) -> Int {
        while true {
            let received = cmmsg_recvmmsg(self.fd, batch.messages, UInt32(batch.capacity), 0)
            if received >= 0 {
                return Int(received)
            }
            switch errno {
            case EINTR:
                continue
            case EAGAIN, EWOULDBLOCK:
                return 0
            case let code:
                throw Failure(call: "recvmmsg", code: code)
            }
        }
    }

    /// Waits up to `milliseconds` for the socket to become readable (and writable, if `writable`).
    func wait(writable: Bool, milliseconds: Int32) {
        var descriptor = pollfd(fd: self.fd, events: Int16(POLLIN) | (writable ? Int16(POLLOUT) : 0), revents: 0)
        _ = poll(&descriptor, 1, milliseconds)
    }
}
