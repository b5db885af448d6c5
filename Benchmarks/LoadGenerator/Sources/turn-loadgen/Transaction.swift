import Glibc
import LoadGeneratorSupport

/// One STUN request/response exchange on a connected UDP socket, retransmitted until answered (RFC 8489 §6.2.1,
/// with a fixed interval: the server is on loopback).
enum Transaction {
    /// Time between retransmissions, milliseconds.
    static let retransmitMilliseconds: Int32 = 250
    /// Transmissions before giving up.
    static let attempts = 8

    /// Sends `request` until a STUN message with its transaction id arrives on `fd`, and returns that message.
    /// Anything else received meanwhile (ChannelData still in flight, stale responses) is skipped.
    static func exchange(_ request: [UInt8], id: TransactionID, fd: Int32) throws(SetupFailure) -> STUNMessageView {
        var buffer = [UInt8](repeating: 0, count: 2048)
        for _ in 0..<Self.attempts {
            let sent = request.withUnsafeBytes { send(fd, $0.baseAddress, $0.count, 0) }
            guard sent == request.count else {
                throw SetupFailure("send: \(String(cString: strerror(errno)))")
            }
            let deadline = MonotonicClock.now() + UInt64(Self.retransmitMilliseconds) * 1_000_000
            while true {
                let now = MonotonicClock.now()
                guard now < deadline else {
                    break
                }
                var descriptor = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
                _ = poll(&descriptor, 1, Int32(max(1, (deadline - now) / 1_000_000)))
                let count = buffer.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
                if count < 0 {
                    switch errno {
                    case EAGAIN, EWOULDBLOCK, EINTR:
                        continue
                    case let code:
                        throw SetupFailure("recv: \(String(cString: strerror(code)))")
                    }
                }
                if let message = STUNMessageView(Array(buffer[0..<count])), message.transactionID == id {
                    return message
                }
            }
        }
        throw SetupFailure("no response after \(Self.attempts) transmissions")
    }
}
