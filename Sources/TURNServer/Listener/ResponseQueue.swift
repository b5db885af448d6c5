import NIOCore
import STUNCodec

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// The responses a UDP listener socket produced during one read batch, in order, each with the client it goes to,
/// and how far sending them with `sendmmsg` has got. Pure: ``ResponseBatch`` makes the system calls, and what to do
/// after each result is decided here, so that partial sends and errors are tested without a socket.
///
/// `sendmmsg` (sendmmsg(2)) sends the messages in order and stops at the first one the kernel refuses: it returns how
/// many went, and the refused one's error is not reported; it returns -1 and `errno` only when the first could not
/// go. So a short count is followed by another call from the first unsent response, which reports its error.
struct ResponseQueue {
    /// What to do after a `sendmmsg`.
    enum Step: Equatable {
        /// Call `sendmmsg` again, from ``next``.
        case send
        /// Every response is sent or dropped.
        case done
        /// The socket's send buffer is full (`EAGAIN`): the responses from ``next`` on must wait until it drains.
        case blocked
    }

    private(set) var responses: [ByteBuffer] = []
    private(set) var destinations: [TransportAddress] = []
    /// The first response neither sent nor dropped.
    private(set) var next = 0
    /// Responses the kernel took.
    private(set) var sent = 0
    /// Responses the kernel refused for themselves (their destination, their size): lost, as on the wire.
    private(set) var dropped = 0

    var count: Int { self.responses.count }
    var isEmpty: Bool { self.responses.isEmpty }
    /// The responses neither sent nor dropped.
    var unsent: Range<Int> { self.next..<self.count }

    mutating func append(_ response: ByteBuffer, to destination: TransportAddress) {
        self.responses.append(response)
        self.destinations.append(destination)
    }

    /// Takes the result of one `sendmmsg` of responses from ``next`` on: the number sent, or -1 and `error` (the
    /// `errno` of the call).
    mutating func record(sendResult result: Int, error: CInt) -> Step {
        if result > 0 {
            self.next += result
            self.sent += result
        } else if result < 0 && error == EINTR {
            // Interrupted before anything went: the same call again.
        } else if result == 0 || error == EAGAIN || error == EWOULDBLOCK {
            // One at a time would fail the same way; 0 (never returned for a non-empty batch) must not spin either.
            return .blocked
        } else {
            // The first unsent response was refused for itself (EMSGSIZE, ENETUNREACH, EHOSTUNREACH, EACCES, a
            // firewall's EPERM, ENOBUFS from a full device queue): it is lost, the ones after it still go.
            self.next += 1
            self.dropped += 1
        }
        return self.next < self.count ? .send : .done
    }

    /// Empties the queue for the next batch, keeping the arrays' storage.
    mutating func removeAll() {
        self.responses.removeAll(keepingCapacity: true)
        self.destinations.removeAll(keepingCapacity: true)
        self.next = 0
        self.sent = 0
        self.dropped = 0
    }
}
