import NIOCore
import STUNCodec

/// How packets reach one client: through the UDP listener socket that received its Allocate (addressed to the
/// client), or down its TCP connection.
///
/// Responses go through the NIO channel (`write`, flushed once per read batch). Relayed data over UDP is queued on
/// the listener's socket itself (``DatagramSocket``) and sent at the end of the relay socket's read batch, so the
/// peer's payload is not copied to put the ChannelData header in front of it.
///
/// Relayed data for a TCP client whose connection is unwritable (over half its budget unsent, see
/// ``STUNStreamHandler``) is dropped and counted (`client_slow`), as a router drops on a full queue: media keeps
/// flowing once the client catches up, and its responses still fit the budget.
enum ClientOutput {
    case datagram(listener: any Channel, socket: DatagramSocket, client: TransportAddress)
    case stream(any Channel)

    /// Writes a response without flushing; the caller flushes once per read batch.
    func write(_ buffer: ByteBuffer) {
        switch self {
        case .datagram(let listener, _, let client):
            listener.write(AddressedEnvelope(remoteAddress: client.makeSocketAddress(), data: buffer), promise: nil)
        case .stream(let channel):
            channel.write(buffer, promise: nil)
        }
    }

    func flush() {
        switch self {
        case .datagram(let listener, _, _): listener.flush()
        case .stream(let channel): channel.flush()
        }
    }

    /// Sends the relayed data queued or written for the client since the last time; counts it in `result`.
    func flushRelayed(into result: inout DatagramSocket.FlushResult) {
        switch self {
        case .datagram(_, let socket, _): socket.flush(into: &result)
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
        case .datagram(_, let socket, let client):
            let header = UInt32(number) << 16 | UInt32(payload.readableBytes)
            socket.enqueue(header: header, payload: payload, to: client, into: &result)
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
        case .datagram(_, let socket, let client):
            socket.enqueue(payload: message, relayedBytes: payloadBytes, to: client, into: &result)
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
