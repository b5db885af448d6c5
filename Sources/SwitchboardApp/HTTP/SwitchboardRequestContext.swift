import Hummingbird
import NIOCore

/// The request context of every Switchboard HTTP server: Hummingbird's basic one plus the TCP peer's address,
/// which the access rules of the operator endpoints and the ICE servers API decide on.
struct SwitchboardRequestContext: RequestContext, RemoteAddressRequestContext {
    var coreContext: CoreRequestContextStorage
    /// The connection's peer (for TLS too: the TCP connection under it).
    let remoteAddress: SocketAddress?

    init(source: ApplicationRequestContextSource) {
        self.coreContext = .init(source: source)
        self.remoteAddress = source.channel.remoteAddress
    }

    /// The peer's IP address, nil for a Unix socket or a closed channel.
    var clientAddress: ClientAddress? {
        self.remoteAddress?.ipAddress.flatMap(ClientAddress.init)
    }
}
