import CMMsg
import Glibc

/// A non-blocking UDP socket: connected to the server, so that the kernel drops datagrams from anyone else, or bound
/// to a local address (an echo peer).
package struct UDPSocket: ~Copyable {
    /// Why a socket call failed.
    package struct Failure: Error {
        package var call: String
        package var code: Int32

        package init(call: String, code: Int32) {
            self.call = call
            self.code = code
        }

        package var description: String {
            "\(self.call): \(String(cString: strerror(self.code)))"
        }
    }

    /// The file descriptor.
    package let fd: Int32

    /// Opens a socket of `server`'s family and connects it to `server`.
    package init(connectingTo server: ServerAddress) throws(Failure) {
        let fd = try Self.openSocket(family: server.family)
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

    /// Opens an unconnected socket of `address`'s family bound to `address`; with `reusePort`, several sockets
    /// (one per thread) share the address and the kernel spreads the senders over them (`SO_REUSEPORT`).
    package init(bindingTo address: ServerAddress, reusePort: Bool) throws(Failure) {
        let fd = try Self.openSocket(family: address.family)
        var one: Int32 = 1
        if reusePort {
            _ = setsockopt(fd, SOL_SOCKET, SO_REUSEPORT, &one, socklen_t(MemoryLayout<Int32>.size))
        }
        var storage = address.storage
        let status = withUnsafePointer(to: &storage) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, address.length) }
        }
        guard status == 0 else {
            let code = errno
            close(fd)
            throw Failure(call: "bind", code: code)
        }
        self.fd = fd
    }

    /// A non-blocking datagram socket of `family` with 4 MiB buffers.
    private static func openSocket(family: Int32) throws(Failure) -> Int32 {
        let fd = socket(family, Int32(SOCK_DGRAM.rawValue | SOCK_NONBLOCK.rawValue | SOCK_CLOEXEC.rawValue), 0)
        guard fd >= 0 else {
            throw Failure(call: "socket", code: errno)
        }
        // Room for a full window of responses even when this thread is briefly descheduled.
        var bufferSize: Int32 = 4 << 20
        for option in [SO_RCVBUF, SO_SNDBUF] {
            _ = setsockopt(fd, SOL_SOCKET, option, &bufferSize, socklen_t(MemoryLayout<Int32>.size))
        }
        return fd
    }

    deinit {
        close(self.fd)
    }

    /// Sends the first `count` datagrams of `batch` (from `start`); returns how many went out, 0 when the socket
    /// buffer is full.
    package func send(_ batch: DatagramBatch, count: Int, from start: Int = 0) throws(Failure) -> Int {
        while true {
            let sent = cmmsg_sendmmsg(self.fd, batch.messages + start, UInt32(count), 0)
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
    package func receive(into batch: DatagramBatch) throws(Failure) -> Int {
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
    package func wait(writable: Bool, milliseconds: Int32) {
        var descriptor = pollfd(fd: self.fd, events: Int16(POLLIN) | (writable ? Int16(POLLOUT) : 0), revents: 0)
        _ = poll(&descriptor, 1, milliseconds)
    }
}
