import CMMsg
import Glibc
import LoadGeneratorSupport

/// The UDP echo peer: every datagram goes back to its sender unchanged. Several SO_REUSEPORT sockets on one
/// address, one thread each, read with `recvmmsg` and answer with `sendmmsg`, so that the peer keeps up with the
/// relay. Only loopback senders are answered.
enum EchoPeer {
    private static let batchSize = 64
    private static let bufferSize = 2048

    /// Binds the sockets, prints one line once they all are, then echoes until the process is killed.
    static func run(address: ServerAddress, threads: Int) -> Never {
        let bound = ThreadBarrier(count: threads + 1)
        for _ in 0..<threads {
            _ = NativeThread {
                Self.echo(on: address, after: bound)
            }
        }
        bound.wait()
        // Written directly, not through stdio's buffer: the harness waits for this line.
        var line = "{\"echo_peer_sockets\":\(threads)}\n"
        line.withUTF8 { _ = write(STDOUT_FILENO, $0.baseAddress, $0.count) }
        while true {
            pause()
        }
    }

    /// Binds a socket to `address`, waits at `bound` for the other threads, then echoes every datagram arriving on
    /// the socket, one batch at a time.
    private static func echo(on address: ServerAddress, after bound: ThreadBarrier) -> Never {
        let socket: UDPSocket
        do throws(UDPSocket.Failure) {
            socket = try UDPSocket(bindingTo: address, reusePort: true)
        } catch {
            printError("turn-loadgen: echo peer: \(error.description)")
            exit(1)
        }
        bound.wait()
        let batch = DatagramBatch(capacity: Self.batchSize, bufferSize: Self.bufferSize, addressed: true)
        while true {
            let count = (try? socket.receive(into: batch)) ?? 0
            guard count > 0 else {
                socket.wait(writable: false, milliseconds: 1000)
                continue
            }
            batch.trimToReceived(count: count)
            // Runs of loopback senders go back in one call each (normally the whole batch: the socket is bound to
            // a loopback address); anyone else is skipped.
            var start = 0
            while start < count {
                guard Self.isLoopbackSender(batch, start) else {
                    start += 1
                    continue
                }
                var end = start + 1
                while end < count && Self.isLoopbackSender(batch, end) {
                    end += 1
                }
                Self.sendAll(batch, start..<end, on: socket)
                start = end
            }
            batch.resetForReceive(count: count)
        }
    }

    /// Sends datagrams `range` of `batch`, waiting for buffer space if needed; drops them on an error.
    private static func sendAll(_ batch: DatagramBatch, _ range: Range<Int>, on socket: borrowing UDPSocket) {
        var done = range.lowerBound
        while done < range.upperBound {
            guard let sent = try? socket.send(batch, count: range.upperBound - done, from: done) else {
                return
            }
            if sent == 0 {
                socket.wait(writable: true, milliseconds: 1)
            }
            done += sent
        }
    }

    /// Whether datagram `index` of `batch` came from a loopback address.
    private static func isLoopbackSender(_ batch: DatagramBatch, _ index: Int) -> Bool {
        guard let name = batch.messages[index].msg_hdr.msg_name else {
            return false
        }
        return Self.isLoopback(name)
    }

    /// Whether the `sockaddr` at `name` is 127.0.0.0/8 or ::1.
    private static func isLoopback(_ name: UnsafeMutableRawPointer) -> Bool {
        switch Int32(name.load(as: sockaddr.self).sa_family) {
        case AF_INET:
            return UInt32(bigEndian: name.load(as: sockaddr_in.self).sin_addr.s_addr) >> 24 == 127
        case AF_INET6:
            let address = name.load(as: sockaddr_in6.self).sin6_addr
            return withUnsafeBytes(of: address) { bytes in bytes.prefix(15).allSatisfy { $0 == 0 } && bytes[15] == 1 }
        default:
            return false
        }
    }
}
