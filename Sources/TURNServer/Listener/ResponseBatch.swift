import CGlibcExtras
import NIOCore
import STUNCodec

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// The responses sent on one UDP listener socket (Binding answers, TURN answers and errors): queued while the
/// socket's handler works through a read batch and sent when the batch ends, with one `sendmmsg` per
/// ``messagesPerCall`` responses, without NIO's per-datagram `SocketAddress`, envelope and pipeline pass. A response
/// produced outside a read batch (an Allocate answered once its relay sockets are bound) leaves at once.
///
/// When the socket's send buffer is full (`EAGAIN`) the rest go to the listener's NIO channel, which keeps them until
/// the socket drains, and later responses follow them there until NIO has written all it holds: none is lost and
/// their order holds. A response the kernel refuses for itself (see ``ResponseQueue``) is dropped and counted
/// (``takeFailedCount()``), like a relayed datagram.
///
/// Confined to the listener's event loop, like its handler; the message headers, iovecs and addresses are allocated
/// once.
final class ResponseBatch {
    /// Responses per `sendmmsg`.
    static let messagesPerCall = 64

    /// `sendmmsg` of `count` messages on a descriptor, without blocking: the number sent, or -1 and the `errno`.
    typealias SendMultiple = (
        _ descriptor: CInt,
        _ messages: UnsafeMutablePointer<MultipleMessageHeader>,
        _ count: Int
    ) -> (result: Int, error: CInt)

    /// The listener socket.
    let socket: DatagramSocket
    /// The listener's channel while it is active: where responses wait when the socket cannot take them.
    var listener: (any Channel)?
    /// Whether the listener's handler is inside a read batch, whose responses leave when it ends (``flush()``).
    var isReading = false
    private var queue = ResponseQueue()
    /// Whether responses go through ``listener`` until NIO has written what it was given.
    private var deferring = false
    private var failedCount = 0
    let messages: UnsafeMutablePointer<MultipleMessageHeader>
    private let vectors: UnsafeMutablePointer<iovec>
    /// Room for the destination of each message: `sockaddr_in6` holds either family.
    private let addresses: UnsafeMutablePointer<sockaddr_in6>
    private let sendMultiple: SendMultiple

    /// - Parameters:
    ///   - socket: the listener socket.
    ///   - sendMultiple: the system call; tests script its results.
    init(socket: DatagramSocket, sendMultiple: @escaping SendMultiple = ResponseBatch.systemSendMultiple) {
        self.socket = socket
        self.sendMultiple = sendMultiple
        self.messages = .allocate(capacity: Self.messagesPerCall)
        self.vectors = .allocate(capacity: Self.messagesPerCall)
        self.addresses = .allocate(capacity: Self.messagesPerCall)
    }

    deinit {
        self.messages.deallocate()
        self.vectors.deallocate()
        self.addresses.deallocate()
    }

    /// Responses waiting for ``flush()``.
    var count: Int { self.queue.count }

    /// Queues a response to `client`; it leaves at the next ``flush()`` or ``flushUnlessReading()``.
    func enqueue(_ response: ByteBuffer, to client: TransportAddress) {
        self.queue.append(response, to: client)
    }

    /// Sends what is queued now, unless the handler is inside a read batch, whose end sends it.
    func flushUnlessReading() {
        if !self.isReading {
            self.flush()
        }
    }

    /// What a ``flush()`` did.
    struct FlushResult: Equatable {
        /// Responses the kernel took.
        var sent = 0
        /// Responses dropped: refused by the kernel, or queued on a closed socket.
        var failed = 0
        /// Responses handed to the listener's channel, to be written once the socket drains.
        var deferred = 0
        /// `sendmmsg` calls made.
        var systemCalls = 0
    }

    /// Sends the queued responses and empties the queue.
    @discardableResult
    func flush() -> FlushResult {
        var result = FlushResult()
        guard !self.queue.isEmpty else {
            return result
        }
        defer {
            self.failedCount += result.failed
            self.queue.removeAll()
        }
        guard self.socket.isOpen else {
            result.failed = self.queue.count
            return result
        }
        if self.deferring {
            guard !self.listenerHoldsResponses else {
                self.handOver(self.queue.unsent, into: &result)
                return result
            }
            self.deferring = false
        }
        var step = ResponseQueue.Step.send
        while step == .send {
            let count = self.prepareMessages(from: self.queue.next)
            let sent = self.sendMultiple(self.socket.descriptor, self.messages, count)
            result.systemCalls += 1
            step = self.queue.record(sendResult: sent.result, error: sent.error)
        }
        result.sent = self.queue.sent
        result.failed = self.queue.dropped
        if step == .blocked {
            self.handOver(self.queue.unsent, into: &result)
        }
        return result
    }

    /// The real `sendmmsg` (sendmmsg(2)), with `MSG_DONTWAIT`.
    static func systemSendMultiple(
        _ descriptor: CInt,
        _ messages: UnsafeMutablePointer<MultipleMessageHeader>,
        _ count: Int
    ) -> (result: Int, error: CInt) {
        let sent = switchboard_sendmmsg(descriptor, messages, CUnsignedInt(count), CInt(MSG_DONTWAIT))
        return (Int(sent), sent < 0 ? errno : 0)
    }

    /// The number of responses dropped since the last call; the handler counts them.
    func takeFailedCount() -> Int {
        defer {
            self.failedCount = 0
        }
        return self.failedCount
    }

    /// Fills the message headers with the queued responses from `start` on, at most ``messagesPerCall``: each one
    /// iovec over the response's bytes (not copied) and its destination. Returns the number of headers filled.
    func prepareMessages(from start: Int) -> Int {
        let count = min(self.queue.count - start, Self.messagesPerCall)
        for slot in 0..<count {
            let index = start + slot
            // The queue holds the buffer, so its storage stays where it is until the queue is emptied after the send.
            self.queue.responses[index].withUnsafeReadableBytes { bytes in
                self.vectors[slot] = iovec(
                    iov_base: UnsafeMutableRawPointer(mutating: bytes.baseAddress),
                    iov_len: bytes.count
                )
            }
            let address = UnsafeMutableRawPointer(self.addresses + slot)
            var header = msghdr()
            header.msg_name = address
            header.msg_namelen = self.queue.destinations[index].withSockaddr { source, length -> socklen_t in
                address.copyMemory(from: source, byteCount: Int(length))
                return length
            }
            header.msg_iov = self.vectors + slot
            header.msg_iovlen = 1
            self.messages[slot] = MultipleMessageHeader(header: header, length: 0)
        }
        return count
    }

    /// Whether the listener's channel still holds responses it was given (NIO writes them when the socket drains).
    private var listenerHoldsResponses: Bool {
        guard let options = self.listener?.syncOptions,
            let buffered = try? options.getOption(ChannelOptions.bufferedWritableBytes)
        else {
            return false
        }
        return buffered > 0
    }

    /// Gives the responses in `range` to the listener's channel, which keeps them until the socket drains (NIO
    /// waits for it to become writable); without an active channel they are dropped.
    private func handOver(_ range: Range<Int>, into result: inout FlushResult) {
        guard let listener = self.listener, listener.isActive else {
            result.failed += range.count
            return
        }
        for index in range {
            let envelope = AddressedEnvelope(
                remoteAddress: self.queue.destinations[index].makeSocketAddress(),
                data: self.queue.responses[index]
            )
            listener.write(envelope, promise: nil)
        }
        listener.flush()
        result.deferred += range.count
        self.deferring = true
    }
}

@available(*, unavailable)
extension ResponseBatch: Sendable {}
