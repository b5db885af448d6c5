import NIOCore
import STUNCodec

/// The relay side of an RFC 6062 TCP allocation: the socket listening on the relayed transport address (§5.3) and
/// the peer data connections, opened by Connect (§5.2) or accepted. Lives on the allocation's event loop.
final class TCPRelay {
    let address: TransportAddress
    let listener: any Channel
    var connections: TCPConnections
    /// The peer connections' channels, by CONNECTION-ID.
    var peerChannels: [UInt32: any Channel] = [:]

    init(address: TransportAddress, listener: any Channel, connectionLimit: Int) {
        self.address = address
        self.listener = listener
        self.connections = TCPConnections(limit: connectionLimit)
    }
}

@available(*, unavailable)
extension TCPRelay: Sendable {}
