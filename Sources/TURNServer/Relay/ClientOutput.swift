import NIOCore
import STUNCodec

/// How packets reach one client: through the UDP listener socket that received its Allocate (addressed to the
/// client), or down its TCP connection.
///
/// Responses go through the NIO channel (`write`, flushed once per read batch). Relayed data over UDP is sent on the
/// listener's socket directly (``DatagramSocket``), so the peer's payload is not copied to put the ChannelData header
/// in front of it.
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

    /// Relays a peer's payload as ChannelData (RFC 8656 §12.4): over UDP in one `sendmsg` with the header in its own
    /// iovec; over TCP copied behind the header and padded to four bytes (§12.5), written without a flush. Returns
    /// `false` when the datagram was dropped.
    func sendChannelData(number: UInt16, payload: ByteBuffer, allocator: ByteBufferAllocator) -> Bool {
        switch self {
        case .datagram(_, let socket, let client):
            let header = UInt32(number) << 16 | UInt32(payload.readableBytes)
            return socket.send(header: header, payload: payload, to: client)
        case .stream(let channel):
            var buffer = allocator.buffer(capacity: payload.readableBytes + 8)
            ChannelData(channelNumber: number, payload: payload).encode(into: &buffer, padToFourBytes: true)
            channel.write(buffer, promise: nil)
            return true
        }
    }

    /// Relays a complete message (a Data indication, RFC 8656 §11.4). Returns `false` when it was dropped.
    func sendRelayed(_ message: ByteBuffer) -> Bool {
        switch self {
        case .datagram(_, let socket, let client):
            return socket.send(payload: message, to: client)
        case .stream(let channel):
            channel.write(message, promise: nil)
            return true
        }
    }

    var isStream: Bool {
        if case .stream = self {
            return true
        }
        return false
    }
}
