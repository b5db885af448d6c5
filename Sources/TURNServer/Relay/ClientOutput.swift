import NIOCore

/// How packets reach one client: through the UDP listener socket that received its Allocate (addressed to the
/// client), or down its TCP connection.
enum ClientOutput {
    case datagram(listener: any Channel, remote: SocketAddress)
    case stream(any Channel)

    /// Writes without flushing; the caller flushes once per read batch.
    func write(_ buffer: ByteBuffer) {
        switch self {
        case .datagram(let listener, let remote):
            listener.write(AddressedEnvelope(remoteAddress: remote, data: buffer), promise: nil)
        case .stream(let channel):
            channel.write(buffer, promise: nil)
        }
    }

    func flush() {
        switch self {
        case .datagram(let listener, _): listener.flush()
        case .stream(let channel): channel.flush()
        }
    }

    var isStream: Bool {
        if case .stream = self {
            return true
        }
        return false
    }
}
