import NIOCore
import STUNCodec

/// How packets reach one client: through the UDP listener socket that received its Allocate (addressed to the
/// client), or down its TCP connection.
///
/// Over UDP, responses are queued in the listener's ``ResponseBatch`` and leave with the other responses of its read
/// batch in one `sendmmsg`; relayed data is queued on the listener's socket itself (``DatagramSocket``) and sent at
/// the end of the relay socket's read batch, so the peer's payload is not copied to put the ChannelData header in
/// front of it. Over TCP both are written to the connection's channel.
///
/// Relayed data for a TCP client whose connection is unwritable (over half its budget unsent, see
/// ``STUNStreamHandler``) is dropped and counted (`client_slow`), as a router drops on a full queue: media keeps
/// flowing once the client catches up, and its responses still fit the budget.
enum ClientOutput {
    case datagram(responses: ResponseBatch, client: TransportAddress)
    case stream(any Channel)

    /// Writes a response without flushing.
    func write(_ buffer: ByteBuffer) {
        switch self {
        case .datagram(let responses, let client):
            responses.enqueue(buffer, to: client)
        case .stream(let channel):
            channel.write(buffer, promise: nil)
        }
    }

    /// Sends the responses written; over UDP during the listener's read batch, at its end, with the batch's others.
    func flush() {
        switch self {
        case .datagram(let responses, _): responses.flushUnlessReading()
        case .stream(let channel): channel.flush()
        }
    }

    /// Sends the relayed data queued or written for the client since the last time; counts it in `result`.
    func flushRelayed(into result: inout DatagramSocket.FlushResult) {
        switch self {
        case .datagram(let responses, _): responses.socket.flush(into: &result)
        case .stream(let channel): channel.flush()
        }
    }

    /// Relays a peer's payload as ChannelData (RFC 8656 §12.4): over UDP queued on the listener socket with the
    /// header in its own iovec (see ``DatagramSocket``); over TCP copied behind the header and padded to four bytes
    /// (§12.5), written. Either way it leaves at ``flushRelayed(into:)``.
    func sendChannelData(
        number: UInt16,
        payload: ByteBuffer,
        allocator: ByteBufferAllocator,
        into result: inout DatagramSocket.FlushResult
    ) {
        switch self {
        case .datagram(let responses, let client):
            let header = UInt32(number) << 16 | UInt32(payload.readableBytes)
            responses.socket.enqueue(header: header, payload: payload, to: client, into: &result)
        case .stream(let channel):
            guard channel.isWritable else {
                result.clientSlow += 1
                return
            }
            var buffer = allocator.buffer(capacity: payload.readableBytes + 8)
            ChannelData(channelNumber: number, payload: payload).encode(into: &buffer, padToFourBytes: true)
            channel.write(buffer, promise: nil)
            result.sent += 1
            result.payloadBytes += payload.readableBytes
        }
    }

    /// Relays a complete message (a Data indication, RFC 8656 §11.4) carrying `payloadBytes` of a peer's data;
    /// it leaves at ``flushRelayed(into:)``.
    func sendRelayed(_ message: ByteBuffer, payloadBytes: Int, into result: inout DatagramSocket.FlushResult) {
        switch self {
        case .datagram(let responses, let client):
            responses.socket.enqueue(payload: message, relayedBytes: payloadBytes, to: client, into: &result)
        case .stream(let channel):
            guard channel.isWritable else {
                result.clientSlow += 1
                return
            }
            channel.write(message, promise: nil)
            result.sent += 1
            result.payloadBytes += payloadBytes
        }
    }
}
